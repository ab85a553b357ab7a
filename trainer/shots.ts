/*
 * Finds the screenshot of a gallery card among those the browser run wrote
 * (<dir>/<scenario>/<NN>-<app>-<screen>[-<error>].jpg, or .png from a scenario run with
 * --screenshots): for an error, the last page of the first scenario that showed that error code;
 * for a screen, the last page of the first scenario that showed that screen without an error.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { GalleryEntry, ScreenEntry } from './gallery.ts';

async function firstMatch(dir: string, scenarios: { id: string }[], matches: (file: string) => boolean) {
  for (const scenario of scenarios) {
    const files = await readdir(join(dir, scenario.id)).catch(() => [] as string[]);
    const match = files.filter(matches).sort().at(-1);
    if (match) return `${scenario.id}/${match}`;
  }
  return undefined;
}

/** Path of the screenshot relative to `dir`, or undefined when none was taken. */
export function shotFor(dir: string, entry: GalleryEntry): Promise<string | undefined> {
  return firstMatch(dir, entry.scenarios, (f) => f.endsWith(`-${entry.code}.jpg`) || f.endsWith(`-${entry.code}.png`));
}

/** The same for a screen card: a file named exactly NN-<app>-<screen>, no error after it. */
export function shotForScreen(dir: string, entry: ScreenEntry): Promise<string | undefined> {
  const names = [`-${entry.app}-${entry.screen}.jpg`, `-${entry.app}-${entry.screen}.png`];
  return firstMatch(dir, entry.scenarios, (f) => /^\d+-/.test(f) && names.some((n) => f.replace(/^\d+/, '') === n));
}
