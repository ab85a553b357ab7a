/*
 * Replaces a folder as a whole: it is filled under a unique temporary name beside it, then renamed
 * into place, so a reader finds the old complete folder, the new complete one, or none (and then
 * waits on the writer's lock), never a half-written one. Callers hold a lock (json_file.ts) so
 * two writers never swap at once.
 */
import { randomBytes } from 'node:crypto';
import { rename, rm } from 'node:fs/promises';

const unique = () => `${process.pid}-${randomBytes(4).toString('hex')}`;

export async function replaceFolder(dir: string, fill: (temp: string) => Promise<void>): Promise<void> {
  const temp = `${dir}.tmp-${unique()}`;
  try {
    await fill(temp);
  } catch (error) {
    await rm(temp, { recursive: true, force: true });
    throw error;
  }
  const old = `${dir}.old-${unique()}`;
  await rename(dir, old).catch(() => undefined);
  await rename(temp, dir);
  await rm(old, { recursive: true, force: true });
}
