/* A non-loopback IPv4 address of this machine, for tests of what a server refuses off loopback; undefined when it has none. */
import { networkInterfaces } from 'node:os';

export function lanAddress(): string | undefined {
  return Object.values(networkInterfaces())
    .flat()
    .find((i) => i && i.family === 'IPv4' && !i.internal)?.address;
}
