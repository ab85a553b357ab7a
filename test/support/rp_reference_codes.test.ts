/*
 * Reference codes across systems (E1): a relying party's error screen shows a code of the same
 * format as the emulator's, reports it to the emulator's audit journal, and the support console
 * finds it with the system, the page and that system's own catalogue texts. With the emulator
 * unreachable the page still renders and the code goes to the relying party's local journal.
 */
import test from 'ava';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { normaliseReference, referencePattern } from '../../lib/reference_code.ts';
import { rpConfig } from '../../relying-party/config.ts';
import { rpErrors } from '../../relying-party/errors.ts';
import { localJournalPath } from '../../relying-party/reference_journal.ts';
import { startRp } from '../../relying-party/server.ts';
import { HttpBrowser } from '../../scenarios/runner/http_browser.ts';
import { freePort, type Stand, startStand } from '../../scenarios/runner/stand.ts';
import { operatorSession } from '../helpers/support_console.ts';

let stand: Stand;
test.before(async () => {
  stand = await startStand();
});
test.after.always(() => stand?.close());

/** The code on the relying party's error page, and the header that carries it. */
async function rpErrorScreen(url: string): Promise<{ ref: string; header: string | null; status: number }> {
  const res = await fetch(url, { redirect: 'manual' });
  const page = await res.text();
  return {
    ref: /data-testid="ref-code" data-ref="([^"]+)"/.exec(page)?.[1] ?? '',
    header: res.headers.get('x-ref-code'),
    status: res.status,
  };
}

test('the code on a ФМРМ error screen is found in the support console with the system, the page and its meaning', async (t) => {
  const { ref, header, status } = await rpErrorScreen(`${stand.rp}/callback?state=forged&code=x`);
  t.is(status, rpErrors['rp.callback_invalid'].status);
  t.is(header, ref);
  const c = await operatorSession(stand.idp, 'operator');
  // Typed back the way a person reads it out: lower case, a space instead of the dash.
  const res = await c.get(`/support/ref?code=${encodeURIComponent(ref.toLowerCase().replace('-', ' '))}`);
  t.is(res.status, 200);
  const body = await res.text();
  t.regex(body, new RegExp(`data-testid="support-ref-code">${ref}<`));
  t.regex(body, /data-testid="support-ref-system" data-system="fmrm">ФМРМ \(fmrm\)</);
  t.regex(body, /data-testid="support-ref-page">GET \/callback — HTTP 400</);
  const entry = rpErrors['rp.callback_invalid'];
  t.true(body.includes(`${entry.title} (rp.callback_invalid)`), 'the error is named by the system’s own catalogue');
  t.true(body.includes(entry.support), 'what support should say comes from the relying party’s catalogue');
  // The control API finds it too, as a record of the system it came from.
  const found = await stand.control<{ record: { client: string; action: string; code: string } }>(
    'GET',
    `/audit/${ref}`,
  );
  t.like(found.record, { client: 'fmrm', action: 'system.error_screen', code: 'rp.callback_invalid' });
});

test('the НМО portal’s codes are journaled under its own name', async (t) => {
  const { ref } = await rpErrorScreen(`${stand.rp2}/no-such-page`);
  const found = await stand.control<{ record: { client: string; code: string; details: { path: string } } }>(
    'GET',
    `/audit/${ref}`,
  );
  t.like(found.record, { client: 'nmo-portal', code: 'rp.not_found', details: { path: '/no-such-page' } });
});

test('the emulator and the relying party write reference codes in one format', async (t) => {
  const rp = await rpErrorScreen(`${stand.rp}/no-such-page`);
  const b = new HttpBrowser();
  await b.goto(`${stand.rp}/login`);
  await b.click('submit', { identifier: '+79000000001', password: 'Wrong-1' });
  const idp = b.byTestId('ref-code')?.getAttribute('data-ref') ?? '';
  for (const code of [rp.ref, idp]) {
    t.regex(code, referencePattern, code);
    t.is(normaliseReference(code), code);
  }
});

test('with the emulator unreachable the error page renders and the code goes to the local journal', async (t) => {
  const dataDir = await mkdtemp(join(tmpdir(), 'rp-refs-'));
  const rp = await startRp(rpConfig({ port: 0, dataDir, idpIssuer: `http://localhost:${await freePort()}` }));
  t.teardown(async () => {
    await rp.close();
    await rm(dataDir, { recursive: true, force: true });
  });
  const { ref, status } = await rpErrorScreen(`${rp.url}/no-such-page`);
  t.is(status, 404);
  t.regex(ref, referencePattern);
  const lines = (await readFile(localJournalPath({ dataDir, clientId: 'fmrm' }), 'utf8')).trim().split('\n');
  const record = JSON.parse(lines.at(-1)!) as Record<string, string>;
  t.like(record, { ref, system: 'fmrm', code: 'rp.not_found', path: '/no-such-page', run: 'main' });
  t.regex(record.notReported!, /the emulator could not be reached/);
});

test('POST /__control/references refuses what is not a reference record, precisely', async (t) => {
  const good = {
    ref: '7KQ2-M9XD',
    system: 'my-app',
    code: 'app.failed',
    status: 500,
    title: 'Ошибка',
    message: 'Что-то пошло не так.',
  };
  await t.throwsAsync(stand.control('POST', '/references', { ...good, ref: 'RP-ABC123' }), {
    message: /400 "ref" is not a reference code: expected 8 characters/,
  });
  await t.throwsAsync(stand.control('POST', '/references', { ...good, status: 'bad' }), {
    message: /400 "status" must be the HTTP status/,
  });
  await t.throwsAsync(stand.control('POST', '/references', { ...good, system: 'a b' }), {
    message: /400 "system" must be the system's client_id/,
  });
  const { journaled } = await stand.control<{ journaled: string }>('POST', '/references', good);
  t.is(journaled, '7KQ2-M9XD', 'a user’s own application may journal its codes the same way');
});
