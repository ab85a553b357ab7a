/* The trainer's gallery and «Воспроизвести»: every error screen listed, and a scenario arranged in its own run. */
import test from 'ava';
import { join } from 'node:path';
import { parse } from 'node-html-parser';
import { catalogue } from '../idp/errors/catalogue.ts';
import { rpErrors } from '../relying-party/errors.ts';
import { HttpBrowser } from '../scenarios/runner/http_browser.ts';
import { type Stand, startStand } from '../scenarios/runner/stand.ts';
import { trainerRoutes } from '../trainer/routes.ts';

let stand: Stand;
test.before(async () => {
  stand = await startStand({}, ({ rpUrl, rp2Url, dir }) => [trainerRoutes({ rpUrl, rp2Url, shotsDir: join(dir, 'shots') })]);
});
test.after.always(() => stand?.close());

test('the gallery has one card per user-visible error, with the catalogue texts and the scenarios that show it', async (t) => {
  const page = parse(await (await fetch(`${stand.idp}/trainer`)).text());
  const cards = page.querySelectorAll('[data-testid="gallery-card"]');
  const codes = cards.map((c) => c.getAttribute('data-code'));
  t.deepEqual(codes.toSorted(), [...Object.keys(catalogue), ...Object.keys(rpErrors)].toSorted());
  const locked = page.querySelector('#account\\.locked') ?? cards.find((c) => c.getAttribute('data-code') === 'account.locked');
  t.truthy(locked);
  t.true(locked?.textContent.includes(catalogue['account.locked'].support));
  t.truthy(locked?.querySelector('[data-testid="replay-lockout-after-five-wrong-passwords"]'));
  t.true(locked?.getAttribute('data-search')?.includes('заблокирована'));
  t.truthy(page.querySelector('[data-testid="test-stand-banner"]'));
  t.is(page.querySelectorAll('section h2').length >= 4, true, 'grouped by the source document sections');
});

test('«Воспроизвести» arranges the scenario in an isolated run and walks the trainer to its first screen', async (t) => {
  const b = new HttpBrowser();
  await b.goto(`${stand.idp}/trainer`);
  await b.click('replay-locked-account-unlocked-by-support');
  const runId = b.page?.root.querySelector('body')?.getAttribute('data-run') ?? '';
  t.regex(runId, /^run-/);
  t.true((await b.text()).includes('+79000000002'), 'the persona login is on the run page');
  const runPage = b.page?.url ?? '';
  await b.click('start-run');
  t.is(b.current()?.screen, 'rp-home');
  await b.click('login-esia');
  await b.click('submit', { identifier: '+79000000002', password: 'Test-1234' });
  t.is(b.current()?.error, 'account.locked');
  // The support step is a button on the run page; it unlocks the persona of this run only.
  await b.goto(runPage);
  const unlock = b.page?.root.querySelectorAll('[data-testid^="act-"]')[0]?.getAttribute('data-testid') ?? '';
  await b.click(unlock);
  const personas = (run?: string) => stand.control<Array<{ persona: string; state: { locked: boolean } }>>('GET', `/personas${run ? `?run=${run}` : ''}`);
  t.false((await personas(runId)).find((p) => p.persona === 'petrova')?.state.locked);
  t.true((await personas()).find((p) => p.persona === 'petrova')?.state.locked, 'the main run is untouched');
  await b.goto(`${stand.rp}/login`);
  await b.click('submit', { identifier: '+79000000002', password: 'Test-1234' });
  t.is(b.current()?.screen, 'otp');
  const inbox = (await (await fetch(`${stand.idp}/trainer/runs/${runId}/inbox.json`)).json()) as { messages: Array<{ to: string }> };
  t.is(inbox.messages[0]?.to, '+79000000002');
});

test('an unknown scenario is a clear 404, not a stack trace', async (t) => {
  const res = await fetch(`${stand.idp}/trainer/replay/nope`, { method: 'POST' });
  t.is(res.status, 404);
  t.notRegex(await res.text(), /\bat \w/);
});
