/*
 * The main scenarios through the ESIA face: the same files, with the ФМРМ relying party speaking
 * ESIA's own protocol — current (v2/ac + v3/te, raw GOST, GOST-signed tokens) and legacy (ac + te,
 * PKCS#7 RSA, RS256 tokens) — instead of OIDC. Same screens, same outcomes.
 */
import test from 'ava';
import { loadScenarios } from '../../scenarios/load.ts';
import { describeFailure, runScenario } from '../../scenarios/runner/run.ts';
import { newRun, type Stand, startStand } from '../../scenarios/runner/stand.ts';

const all = await loadScenarios();
/** Scenarios about the OIDC face itself or a second OIDC system, and step-up (acr_values, OIDC-only): not meaningful through ESIA. */
const oidcOnly = new Set(['sso-second-system', 'unregistered-redirect-uri', 'unknown-client', 'repeated-parameters', 'stale-sign-in-page', 'stepup-sign-application', 'stepup-signature-missing', 'stepup-signer-other-account']);
// TLS-fault scenarios (given.tls) need the HTTPS stand and are about the OIDC RP's back-channel.
const main = all.filter((s) => !s.id.startsWith('esia-') && !s.given.tls && !oidcOnly.has(s.id) && JSON.stringify(s.steps).includes('"rp"') && !JSON.stringify(s.steps).includes('"rp2"'));

let stand: Stand;
let run: string;
test.before(async () => {
  stand = await startStand();
  run = (await newRun(stand)).run;
});
test.after.always(async () => {
  await stand?.close();
});

for (const face of ['esia-v2', 'esia-v1'] as const) {
  for (const scenario of main) {
    test.serial(`${face} · ${scenario.id}: ${scenario.title}`, async (t) => {
      const result = await runScenario(stand, scenario, undefined, { run, face });
      t.true(result.ok, describeFailure(result));
    });
  }
}
