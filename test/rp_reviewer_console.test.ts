/* The relying party's reviewer console: its own sign-in and session, lockout by the run's clock, its form token, loopback only. */
import test from 'ava';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rpConfig, type RpConfig } from '../relying-party/config.ts';
import { startRp } from '../relying-party/server.ts';
import { HttpBrowser } from '../scenarios/runner/http_browser.ts';
import { lanAddress } from './helpers/lan_address.ts';

async function startedRp(t: import('ava').ExecutionContext, overrides: Partial<RpConfig> = {}) {
  const dataDir = await mkdtemp(join(tmpdir(), 'rp-reviewer-'));
  const rp = await startRp(rpConfig({ port: 0, dataDir, ...overrides }));
  t.teardown(async () => {
    await rp.close();
    await rm(dataDir, { recursive: true, force: true });
  });
  return rp;
}

test('a reviewer signs in with the fixtures password, sees the console, and signs out', async (t) => {
  const rp = await startedRp(t);
  const b = new HttpBrowser();
  await b.goto(`${rp.url}/reviewer`);
  t.is(b.screen(), 'reviewer-login');
  await b.click('reviewer-sign-in', { login: 'reviewer', password: 'wrong' });
  t.is(b.screen(), 'reviewer-login');
  t.is(b.current()?.status, 401);
  t.regex(
    b.byTestId('reviewer-login-error')?.textContent ?? '',
    /Неверный логин или пароль\. Осталось попыток до блокировки: 4/,
  );
  await b.click('reviewer-sign-in', { login: 'reviewer', password: 'Reviewer-1234' });
  t.is(b.screen(), 'reviewer-home');
  t.regex(b.byTestId('reviewer-who')?.textContent ?? '', /Громова Ирина Павловна/);
  await b.click('reviewer-logout');
  t.is(b.screen(), 'reviewer-login');
});

test('five wrong passwords lock the login for 15 minutes by the run clock, even for the right one', async (t) => {
  const rp = await startedRp(t);
  const b = new HttpBrowser();
  await b.goto(`${rp.url}/reviewer`);
  for (let i = 0; i < 5; i++) await b.click('reviewer-sign-in', { login: 'reviewer', password: `bad-${i}` });
  t.regex(b.byTestId('reviewer-login-error')?.textContent ?? '', /заблокирован до/);
  await b.click('reviewer-sign-in', { login: 'reviewer', password: 'Reviewer-1234' });
  t.is(b.screen(), 'reviewer-login');
  t.regex(b.byTestId('reviewer-login-error')?.textContent ?? '', /Вход заблокирован до .* после 5 неверных паролей/);
  await fetch(`${rp.url}/__control/clock`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ advance: 'PT16M' }),
  });
  await b.click('reviewer-sign-in', { login: 'reviewer', password: 'Reviewer-1234' });
  t.is(b.screen(), 'reviewer-home');
});

test('a console form without its token is refused; another browser, or no session, meets the sign-in', async (t) => {
  const rp = await startedRp(t);
  const b = new HttpBrowser();
  await b.goto(`${rp.url}/reviewer`);
  await b.click('reviewer-sign-in', { login: 'reviewer', password: 'Reviewer-1234' });
  await b.send(`${rp.url}/reviewer/logout`, 'POST', 'csrf=forged');
  t.is(b.current()?.status, 403);
  t.is(b.errorCode(), 'rp.form_forged');
  const other = new HttpBrowser();
  await other.goto(`${rp.url}/reviewer/documents`);
  t.is(other.screen(), 'reviewer-login');
  t.is(new URL(other.current()!.url).pathname, '/reviewer', 'sent to the sign-in');
  // The sign-in form too: without this browser's sign-in token (a form posted from elsewhere) it is refused.
  const stranger = new HttpBrowser();
  await stranger.send(`${rp.url}/reviewer/login`, 'POST', 'login=reviewer&password=Reviewer-1234&csrf=guess');
  t.is(stranger.current()?.status, 403);
  t.is(stranger.errorCode(), 'rp.form_forged');
});

test('off loopback the console refuses with its own page (reviewerLoopbackOnly)', async (t) => {
  // Bound to every interface and reached through a non-loopback address of this machine, if it has one.
  const address = lanAddress();
  if (!address) {
    t.pass('no non-loopback address on this machine');
    return;
  }
  const rp = await startedRp(t, { host: address });
  const res = await fetch(`http://${address}:${new URL(rp.url).port}/reviewer`);
  t.is(res.status, 403);
  t.is(res.headers.get('x-rp-error'), 'rp.reviewer_forbidden');
});
