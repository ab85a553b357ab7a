/* Every scenario of scenarios/catalogue runs here as an ava test, over HTTP, against one in-process stand. */
import test from 'ava';
import { loadScenarios } from '../scenarios/load.ts';
import { describeFailure, runScenario } from '../scenarios/runner/run.ts';
import { newRun, StandPool, startStand } from '../scenarios/runner/stand.ts';
import { casesLabel } from '../scenarios/schema.ts';

const scenarios = await loadScenarios();
let pool: StandPool;

test.before(async () => {
  const stand = await startStand();
  // An isolated run: the suite must not depend on (or disturb) the main run's state.
  // Scenarios with given.tls get an HTTPS stand of their own (StandPool).
  pool = new StandPool(stand, (await newRun(stand)).run);
});
test.after.always(async () => {
  await pool?.close();
});

for (const scenario of scenarios) {
  // Serial: scenarios share the stand and each starts with a reset to the fixtures.
  test.serial(`${scenario.id}: ${scenario.title} [${casesLabel(scenario)}]`, async (t) => {
    const { stand, run } = await pool.for(scenario);
    const result = await runScenario(stand, scenario, undefined, run ? { run } : {});
    t.true(result.ok, describeFailure(result));
  });
}
