/*
 * Every scenario of scenarios/catalogue, in real Chromium (Debian's, never downloaded): one stand,
 * one isolated run and one browser for the file, a fresh browser context per scenario. A PNG of every page goes to
 * out/screenshots/<scenario>/. Without Chromium the run fails and says how to install it.
 */
import test from 'ava';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { loadScenarios } from '../../scenarios/load.ts';
import { ChromiumDriver, launchChromium, standApps } from '../../scenarios/runner/chromium_driver.ts';
import { describeFailure, runScenario } from '../../scenarios/runner/run.ts';
import { newRun, StandPool, startStand } from '../../scenarios/runner/stand.ts';
import { casesLabel } from '../../scenarios/schema.ts';

const screenshotsDir = join(import.meta.dirname, '..', '..', 'out', 'screenshots');
const scenarios = await loadScenarios();
let browser: Browser;
let pool: StandPool;

test.before(async () => {
  // First, so that a missing Chromium fails at once with its install instructions.
  browser = await launchChromium();
  const stand = await startStand();
  // An isolated run, as the HTTP suite: no dependence on (or disturbance of) the main run's state.
  // Scenarios with given.tls get an HTTPS stand of their own (StandPool).
  pool = new StandPool(stand, (await newRun(stand)).run);
});
test.after.always(async () => {
  await browser?.close();
  await pool?.close();
});

for (const scenario of scenarios) {
  // Serial: scenarios share the stand and each starts with a reset to the fixtures.
  test.serial(`in Chromium: ${scenario.id}: ${scenario.title} [${casesLabel(scenario)}]`, async (t) => {
    const { stand, run } = await pool.for(scenario);
    const driver = new ChromiumDriver(browser, { screenshotsDir, name: scenario.id, apps: standApps(stand) });
    const result = await runScenario(stand, scenario, driver, run ? { run } : {}).finally(() => driver.close());
    t.true(result.ok, `${describeFailure(result)}\nscreenshots: ${join(screenshotsDir, scenario.id)}`);
  });
}
