/*
 * The static gallery (npm run gallery): plays the scenarios that show the gallery's screens in real
 * Chromium, several at once, keeps a JPEG of each error screen only, and writes index.html + shots/
 * that open without a server and are small enough to mail. Same texts as the live /trainer page:
 * both are rendered from the catalogues and the scenario files.
 */
import { mkdir, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadScenarios } from '../scenarios/load.ts';
import { ChromiumDriver, launchChromium, standApps } from '../scenarios/runner/chromium_driver.ts';
import { runScenario } from '../scenarios/runner/run.ts';
import { expectedErrors, type Scenario } from '../scenarios/schema.ts';
import { playInLanes, StandPool, startStand } from '../scenarios/runner/stand.ts';
import { galleryEntries, galleryScreens } from './gallery.ts';
import { shotFor, shotForScreen } from './shots.ts';
import { galleryPage } from './view.ts';

export interface WriteGalleryOptions {
  /** Folder for index.html and shots/. */
  out: string;
  /** Only these scenarios (ids or catalogue IDs such as C2); every card is still listed. */
  only?: string[];
  /** Scenarios played at once, each in an isolated run. */
  lanes: number;
  /** The live emulator the «Воспроизвести» links open, e.g. http://localhost:3000. */
  liveUrl: string;
  /** JPEG quality, 1–100. */
  quality: number;
  log(line: string): void;
}

export interface GalleryReport {
  index: string;
  screens: number;
  missing: string[];
  /** Screens without an error (galleryScreens), and those of them no picture was taken of. */
  pages: number;
  missingPages: string[];
  played: number;
  failures: string[];
  /** Size of index.html and shots/ together. */
  bytes: number;
}

async function sizeOf(path: string): Promise<number> {
  const info = await stat(path);
  if (!info.isDirectory()) return info.size;
  const sizes = await Promise.all((await readdir(path)).map((name) => sizeOf(join(path, name))));
  return sizes.reduce((a, b) => a + b, 0);
}

/** Deletes the pictures no card shows (a scenario passes an error screen several times, or shows another card's). */
async function prune(shotsDir: string, used: Set<string>): Promise<void> {
  for (const scenario of await readdir(shotsDir)) {
    const files = await readdir(join(shotsDir, scenario));
    const unused = files.filter((f) => !used.has(`${scenario}/${f}`));
    if (unused.length === files.length) await rm(join(shotsDir, scenario), { recursive: true, force: true });
    else await Promise.all(unused.map((f) => rm(join(shotsDir, scenario, f))));
  }
}

/** The scenarios `only` names (ids or catalogue IDs); an error when it names none. */
export function pick(scenarios: Scenario[], only: string[] | undefined): Scenario[] {
  if (!only) return scenarios;
  const chosen = scenarios.filter((s) => only.includes(s.id) || s.catalogue.some((c) => only.includes(c)));
  if (!chosen.length)
    throw new Error(
      `--only ${only.join(',')}: no scenario has that id or catalogue ID (npm run scenarios -- --list shows them).`,
    );
  return chosen;
}

export async function writeGallery(options: WriteGalleryOptions): Promise<GalleryReport> {
  const scenarios = await loadScenarios();
  const chosen = new Set(pick(scenarios, options.only));
  const entries = galleryEntries(scenarios);
  const screens = galleryScreens(scenarios);
  const screenKeys = new Set(screens.map((e) => e.key));
  const shotsDir = join(options.out, 'shots');
  await rm(shotsDir, { recursive: true, force: true });
  await mkdir(shotsDir, { recursive: true });
  const stand = await startStand();
  const browser = await launchChromium();
  const pool = new StandPool(stand);
  const played = new Set<Scenario>();
  const failures: string[] = [];
  try {
    // Round after round, for each card still without a picture, the next scenario that shows it
    // (the one ending on it first); a scenario plays once and keeps every gallery screen it shows.
    for (;;) {
      const cards = [
        ...(await Promise.all(entries.map(async (e) => ({ e, shot: await shotFor(shotsDir, e) })))),
        ...(await Promise.all(screens.map(async (e) => ({ e, shot: await shotForScreen(shotsDir, e) })))),
      ];
      const round = new Set(
        cards.flatMap(({ e, shot }) =>
          shot ? [] : e.scenarios.filter((s) => chosen.has(s) && !played.has(s)).slice(0, 1),
        ),
      );
      if (!round.size) break;
      for (const s of round) played.add(s);
      await playInLanes(pool, [...round], options.lanes, async (scenario, target) => {
        const codes = new Set(expectedErrors(scenario));
        const apps = standApps(target.stand);
        const driver = new ChromiumDriver(browser, {
          screenshotsDir: shotsDir,
          name: scenario.id,
          apps,
          keep: (page) =>
            codes.has(page.error) ||
            (!page.error && screenKeys.has(`${apps[new URL(page.url).origin]}:${page.screen}`)),
          jpegQuality: options.quality,
        });
        const result = await runScenario(target.stand, scenario, driver, target.run ? { run: target.run } : {}).finally(
          () => driver.close(),
        );
        options.log(
          `${result.ok ? 'ok  ' : 'FAIL'} ${scenario.id.padEnd(44)} ${result.durationMs.toFixed(0).padStart(6)} ms`,
        );
        if (!result.ok) failures.push(`${scenario.id}: ${result.failure}`);
      });
    }
  } finally {
    await browser.close();
    await pool.close();
  }
  const shots = new Map(await Promise.all(entries.map(async (e) => [e.code, await shotFor(shotsDir, e)] as const)));
  const pages = new Map(
    await Promise.all(screens.map(async (e) => [e.key, await shotForScreen(shotsDir, e)] as const)),
  );
  await prune(shotsDir, new Set([...shots.values(), ...pages.values()].filter((s) => s !== undefined)));
  const generatedAt = new Date().toISOString().slice(0, 16).replace('T', ' ');
  const page = galleryPage(entries, {
    live: false,
    liveUrl: options.liveUrl.replace(/\/+$/, ''),
    generatedAt,
    shot: (e) => (shots.get(e.code) ? `shots/${shots.get(e.code)}` : undefined),
    screens: { entries: screens, shot: (e) => (pages.get(e.key) ? `shots/${pages.get(e.key)}` : undefined) },
  });
  const index = join(options.out, 'index.html');
  await writeFile(index, page.value);
  return {
    index,
    screens: entries.length,
    missing: entries.filter((e) => !shots.get(e.code)).map((e) => e.code),
    pages: screens.length,
    missingPages: screens.filter((e) => !pages.get(e.key)).map((e) => e.key),
    played: played.size,
    failures,
    bytes: (await sizeOf(shotsDir)) + (await sizeOf(index)),
  };
}
