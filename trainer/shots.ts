/*
 * Finds the screenshot of a gallery entry among those the browser run wrote
 * (<dir>/<scenario>/<NN>-<app>-<screen>[-<error>].jpg, or .png from a scenario run with
 * --screenshots): the last page of the first scenario that showed that error code.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { GalleryEntry } from './gallery.ts';

/** Path of the screenshot relative to `dir`, or undefined when none was taken. */
export async function shotFor(dir: string, entry: GalleryEntry): Promise<string | undefined> {
  for (const scenario of entry.scenarios) {
    const files = await readdir(join(dir, scenario.id)).catch(() => [] as string[]);
    const match = files
      .filter((f) => f.endsWith(`-${entry.code}.jpg`) || f.endsWith(`-${entry.code}.png`))
      .sort()
      .at(-1);
    if (match) return `${scenario.id}/${match}`;
  }
  return undefined;
}
