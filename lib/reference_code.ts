/*
 * Reference codes on error screens (E1), one format for the emulator and the relying party: eight
 * characters in two groups of four, e.g. 7KQ2-M9XD, from an alphabet without 0/O and 1/I so a code
 * read aloud over the phone cannot be misheard. normaliseReference() reads a code however a person
 * typed it back: any case, with spaces or without the dash, with Cyrillic letters that look Latin.
 */
import { randomInt } from 'node:crypto';

export const referenceAlphabet = '23456789ABCDEFGHJKLMNPQRSTUVWXYZ';

export const referencePattern = /^[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}$/;

export function newReference(): string {
  let code = '';
  for (let i = 0; i < 8; i++) code += referenceAlphabet[randomInt(referenceAlphabet.length)];
  return `${code.slice(0, 4)}-${code.slice(4)}`;
}

/** Cyrillic letters an operator on a Russian keyboard layout types for the Latin ones they resemble. */
const lookAlikes: Record<string, string> = {
  А: 'A',
  В: 'B',
  Е: 'E',
  З: '3',
  К: 'K',
  М: 'M',
  Н: 'H',
  Р: 'P',
  С: 'C',
  Т: 'T',
  У: 'Y',
  Х: 'X',
};

/** The code in its canonical form (XXXX-XXXX), or null when what was typed cannot be a reference code. */
export function normaliseReference(typed: string): string | null {
  const chars = [...typed.toUpperCase().replace(/[\s\-‐‑‒–—_.]/g, '')].map((c) => lookAlikes[c] ?? c).join('');
  if (chars.length !== 8 || [...chars].some((c) => !referenceAlphabet.includes(c))) return null;
  return `${chars.slice(0, 4)}-${chars.slice(4)}`;
}
