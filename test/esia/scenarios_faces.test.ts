/*
 * The main scenarios through the ESIA face: the same files, with the ФМРМ relying party speaking
 * ESIA's own protocol — current (v2/ac + v3/te, raw GOST, GOST-signed tokens) and legacy (ac + te,
 * PKCS#7 RSA, RS256 tokens) — instead of OIDC. Same screens, same outcomes.
 */
import test from 'ava';
import { loadScenarios } from '../../scenarios/load.ts';
import { describeFailure, runScenario } from '../../scenarios/runner/run.ts';
import { playsThrough } from '../../scenarios/schema.ts';
import { sharedStandAndRun } from '../helpers/stand.ts';

const all = await loadScenarios();
const env = sharedStandAndRun();

for (const face of ['esia-v2', 'esia-v1'] as const) {
  const main = all.filter((s) => playsThrough(s, face));
  for (const scenario of main) {
    test.serial(`${face} · ${scenario.id}: ${scenario.title}`, async (t) => {
      const result = await runScenario(env.stand, scenario, undefined, { run: env.run, face });
      t.true(result.ok, describeFailure(result));
    });
  }
}
