/*
 * The whole HTTP scenario suite again, on the other backend: two emulator processes (the start
 * script, nothing shared in memory) on one private redis-server, behind the round-robin proxy, so
 * consecutive requests of every sign-in land on different processes. Scenarios with given.tls run on
 * the in-process HTTPS stand, as in test/scenarios.test.ts (their fault switches one TLS listener).
 */
import test from 'ava';
import { loadScenarios } from '../scenarios/load.ts';
import { describeFailure, runScenario } from '../scenarios/runner/run.ts';
import { newRun, type Stand, StandPool, startStand } from '../scenarios/runner/stand.ts';
import { casesLabel } from '../scenarios/schema.ts';
import { type RedisServer, redisMissing, startRedis } from './helpers/redis_server.ts';

const scenarios = await loadScenarios();
const missing = redisMissing();
let redis: RedisServer | undefined;
let stand: Stand | undefined;
let pool: StandPool;

test.before(async () => {
  if (missing) return;
  redis = await startRedis({ appendfsync: 'always' });
  stand = await startStand({}, undefined, { store: redis.url, count: 2 });
  pool = new StandPool(stand, (await newRun(stand)).run);
});
test.after.always(async () => {
  await pool?.close();
  await redis?.stop();
});

const check = missing ? test.skip : test.serial;
if (missing) console.log(`scenarios on Redis skipped: ${missing}`);

for (const scenario of scenarios) {
  check(`on Redis, two processes: ${scenario.id}: ${scenario.title} [${casesLabel(scenario)}]`, async (t) => {
    const { stand, run } = await pool.for(scenario);
    const result = await runScenario(stand, scenario, undefined, run ? { run } : {});
    t.true(result.ok, describeFailure(result));
  });
}

check('on Redis, both emulator processes served the suite, every other request', (t) => {
  const served = stand!.processes!.roundRobin!.served;
  t.is(served.length, 2);
  t.true(served[0]! > 100 && served[1]! > 100, `requests per process: ${served.join(' / ')}`);
  t.true(Math.abs(served[0]! - served[1]!) <= 1, `round robin: ${served.join(' / ')}`);
});
