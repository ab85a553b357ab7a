/*
 * Reference codes shown on every error screen (E1): short, unambiguous when read aloud over the phone
 * (no 0/O, 1/I), and unique enough for a journal of a test stand.
 */
import { randomInt } from 'node:crypto';

const alphabet = '23456789ABCDEFGHJKLMNPQRSTUVWXYZ';

export function newReference(): string {
  let code = '';
  for (let i = 0; i < 8; i++) code += alphabet[randomInt(alphabet.length)];
  return `${code.slice(0, 4)}-${code.slice(4)}`;
}
