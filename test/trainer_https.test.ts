/*
 * «Воспроизвести» on an HTTPS stand (npm start -- --https): the trainer arranges the run through the
 * emulator's own HTTPS listener, also while a replayed TLS-fault scenario has a broken certificate on it.
 */
import test from 'ava';
import { join } from 'node:path';
import { loadTestPki } from '../lib/pki/test_pki.ts';
import { backChannelFetch, type BackChannelFetch } from '../relying-party/tls_fetch.ts';
import { type Stand, startStand } from '../scenarios/runner/stand.ts';
import { trainerRoutes } from '../trainer/routes.ts';

let stand: Stand;
let browser: BackChannelFetch;
test.before(async () => {
  stand = await startStand({ https: true }, ({ rpUrl, rp2Url, dir }) => [
    trainerRoutes({ rpUrl, rp2Url, shotsDir: join(dir, 'shots') }),
  ]);
  browser = backChannelFetch({ ca: (await loadTestPki(stand.keysDir!)).root.certificatePem });
});
test.after.always(() => stand?.close());

async function replay(id: string): Promise<{ run: string; page: string }> {
  const res = await browser(`${stand.idp}/trainer/replay/${id}`, { method: 'POST' });
  const location = res.headers.get('location') ?? '';
  if (res.status !== 303) throw new Error(`replay ${id}: ${res.status} ${(await res.text()).slice(0, 300)}`);
  const page = await (await browser(new URL(location, stand.idp).href)).text();
  return { run: /run-[\w-]+/.exec(location)?.[0] ?? '', page };
}

test.serial('over HTTPS «Воспроизвести» arranges the run and shows its walk-through page', async (t) => {
  t.regex(stand.idp, /^https:/);
  const { run, page } = await replay('locked-account-unlocked-by-support');
  t.regex(run, /^run-/);
  t.true(page.includes('+79000000002'), 'the persona, read from the control API over HTTPS');
  t.regex(page, new RegExp(`/__control/runs/${run}/enter\\?[^"]*next=`));
  const inbox = await browser(`${stand.idp}/trainer/runs/${run}/inbox.json`);
  t.is(inbox.status, 200);
  const personas = await stand.control<Array<{ persona: string; state: { locked: boolean } }>>(
    'GET',
    `/personas?run=${run}`,
  );
  t.true(personas.find((p) => p.persona === 'petrova')?.state.locked, 'the scenario’s given state is in the new run');
});

test.serial(
  'replaying a TLS-fault scenario arms the broken certificate and the trainer still reaches its control API',
  async (t) => {
    try {
      const res = await browser(`${stand.idp}/trainer/replay/tls-idp-certificate-expired`, { method: 'POST' });
      t.is(res.status, 303, (await res.text()).slice(0, 300));
      t.like(await stand.control('GET', '/tls'), { certificate: 'expired' });
      // The trainer's own calls go over the listener that now serves the expired certificate.
      const run = /run-[\w-]+/.exec(res.headers.get('location') ?? '')?.[0] ?? '';
      const insecure = backChannelFetch({ ca: '', skipVerification: true });
      const page = await insecure(`${stand.idp}/trainer/runs/${run}?scenario=tls-idp-certificate-expired`);
      t.is(page.status, 200);
      t.true((await page.text()).includes('Ожидаемый итог'));
    } finally {
      await stand.control('POST', '/tls', { certificate: 'valid' });
    }
  },
);
