/*
 * The checkout's root folder, found from this file whether it runs as TypeScript (lib/) or inside
 * the bundle of `npm start` (build/emulator.cjs): data files shipped with the code are read from the
 * checkout, never from the build folder.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

function findRoot(start: string): string {
  let dir = start;
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) return start;
    dir = parent;
  }
  return dir;
}

export const projectRoot = findRoot(import.meta.dirname);
