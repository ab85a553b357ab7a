/*
 * `npm run gallery`: plays every scenario in real Chromium, keeps a screenshot of every screen,
 * and writes a static gallery (index.html + shots/) that opens without a server. Same texts as the
 * live /trainer page: both are rendered from the catalogues and the scenario files.
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { loadScenarios } from '../scenarios/load.ts';
import { ChromiumDriver, launchChromium, standApps } from '../scenarios/runner/chromium_driver.ts';
import { runScenario } from '../scenarios/runner/run.ts';
import { newRun, StandPool, startStand } from '../scenarios/runner/stand.ts';
import { galleryEntries } from './gallery.ts';
import { shotFor } from './shots.ts';
import { galleryPage } from './view.ts';

const outIndex = process.argv.indexOf('--out');
const out = resolve(outIndex > 0 ? (process.argv[outIndex + 1] ?? 'out/gallery') : 'out/gallery');
const shotsDir = join(out, 'shots');

async function main(): Promise<number> {
  const started = performance.now();
  const scenarios = await loadScenarios();
  await rm(shotsDir, { recursive: true, force: true });
  await mkdir(shotsDir, { recursive: true });
  const stand = await startStand();
  const browser = await launchChromium();
  const failures: string[] = [];
  const { run, end } = await newRun(stand);
  // Scenarios with given.tls (TLS faults) run on an HTTPS stand of their own.
  const pool = new StandPool(stand, run);
  try {
    for (const scenario of scenarios) {
      const target = await pool.for(scenario);
      const driver = new ChromiumDriver(browser, { screenshotsDir: shotsDir, name: scenario.id, apps: standApps(target.stand) });
      const result = await runScenario(target.stand, scenario, driver, target.run ? { run: target.run } : {});
      await driver.close();
      console.log(`${result.ok ? 'ok  ' : 'FAIL'} ${scenario.id}`);
      if (!result.ok) failures.push(`${scenario.id}: ${result.failure}`);
    }
    await end();
  } finally {
    await browser.close();
    await pool.close();
  }
  const entries = galleryEntries(scenarios);
  const shots = new Map(await Promise.all(entries.map(async (e) => [e.code, await shotFor(shotsDir, e)] as const)));
  const generatedAt = new Date().toISOString().slice(0, 16).replace('T', ' ');
  const page = galleryPage(entries, { live: false, generatedAt, shot: (e) => (shots.get(e.code) ? `shots/${shots.get(e.code)}` : undefined) });
  await writeFile(join(out, 'index.html'), page.value);
  const missing = entries.filter((e) => !shots.get(e.code)).map((e) => e.code);
  console.log(`\nGallery: ${join(out, 'index.html')} — ${entries.length} screens, ${entries.length - missing.length} with screenshots, in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  if (missing.length) console.log(`No screenshot (no browser scenario shows them): ${missing.join(', ')}`);
  for (const f of failures) console.error(`FAIL ${f}`);
  return failures.length ? 1 : 0;
}

main().then((code) => process.exit(code), (error: Error) => {
  console.error(error.message);
  process.exit(2);
});
