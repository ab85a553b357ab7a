/* A certificate revoked live in a run (POST /__control/certificates/:serial/revoke) is refused at the next sign-in in that run only (A4, C6). */
import test from 'ava';
import type { Scenario } from '../../scenarios/schema.ts';
import { describeFailure, runScenario } from '../../scenarios/runner/run.ts';
import { newRun, type Stand, startStand } from '../../scenarios/runner/stand.ts';

let stand: Stand;
test.before(async () => {
  stand = await startStand();
});
test.after.always(async () => {
  await stand?.close();
});

const signIn = (revokeFirst: boolean, serial: string): Scenario => ({
  id: 'live-revocation',
  title: 'Сертификат отозван во время прогона',
  catalogue: ['A4'],
  given: { persona: 'belov', clock: 'pki' },
  steps: [
    ...(revokeFirst
      ? [
          {
            do: 'control' as const,
            method: 'POST' as const,
            path: `/certificates/${serial}/revoke`,
            body: { reason: 'keyCompromise' },
          },
        ]
      : []),
    { do: 'open', app: 'rp' },
    { do: 'click', testid: 'login-esia' },
    { do: 'click', testid: 'login-esign', expect: { screen: 'certificate' } },
    { do: 'esign', certificate: 'belov-valid' },
  ],
  expect: revokeFirst
    ? { app: 'idp', screen: 'certificate', error: 'certificate.revoked' }
    : { app: 'rp', screen: 'cabinet', error: 'none' },
});

test('revoked live in one run: refused there, still valid in another', async (t) => {
  const [serial] = (
    await stand.control<Array<{ serial: string }>>('GET', '/certificates?persona=belov&variant=valid')
  ).map((c) => c.serial);
  t.truthy(serial);
  const a = await newRun(stand);
  const b = await newRun(stand);
  try {
    const revoked = await runScenario(stand, signIn(true, serial!), undefined, { run: a.run });
    t.true(revoked.ok, describeFailure(revoked));
    const other = await runScenario(stand, signIn(false, serial!), undefined, { run: b.run });
    t.true(other.ok, describeFailure(other));
  } finally {
    await Promise.all([a.end(), b.end()]);
  }
});
