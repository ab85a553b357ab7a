/*
 * Recovering access and outage mode, the user's side: recovery never reveals whether an account exists; security e-mails
 * carry no secret; outage mode answers on the protocol endpoints (503 + Retry-After + available_at),
 * per run, and ends cleanly. Scenarios (recovery-*, outage-*) cover the screens.
 */
import test from 'ava';
import * as oidc from 'openid-client';
import { notify, securityNotice, type SecurityNotice } from '../../idp/adapters/notifications.ts';
import { Faults } from '../../idp/adapters/faults.ts';
import { Outbox } from '../../idp/adapters/outbox.ts';
import type { Account } from '../../idp/domain/account.ts';
import { ControlledClock } from '../../idp/domain/clock.ts';
import { announceOutage, endOutage, isInForce, parseOutage, retryAfter } from '../../idp/domain/outage.ts';
import { InputError } from '../../lib/errors.ts';
import { expectedRecovery, recoveryFacts } from '../../relying-party/availability.ts';
import { HttpBrowser } from '../../scenarios/runner/http_browser.ts';
import { newRun, type Stand, startStand } from '../../scenarios/runner/stand.ts';

let stand: Stand;
test.before(async () => {
  stand = await startStand();
});
test.after.always(() => stand?.close());

const at = '2026-11-25T09:00:00.000Z';

test('security e-mails: each kind has a Russian subject and no secret; an unconfirmed address gets none', (t) => {
  const kinds: SecurityNotice[] = [
    'security.sign_in',
    'security.password_changed',
    'security.account_locked',
    'security.code_requested',
  ];
  const subjects = new Set<string>();
  for (const kind of kinds) {
    const { subject, text } = securityNotice(kind, {
      at,
      system: 'ФМРМ',
      amr: ['pwd', 'sms', 'mfa'],
      how: 'восстановление доступа',
      channel: 'СМС на +7 900 ***-**-01',
    });
    subjects.add(subject);
    t.regex(subject, /[а-яё]/i, kind);
    t.true(text.includes('25.11.2026, 12:00 (МСК)'), `${kind}: the time in Moscow time`);
    t.notRegex(text, /\b\d{6}\b/, `${kind}: no code-like number`);
    t.false(/Test-1234|парол[ья]:\s*\S/i.test(text), `${kind}: no password`);
  }
  t.is(subjects.size, kinds.length, 'subjects differ by kind');
  t.true(
    securityNotice('security.sign_in', { at, system: 'ФМРМ', amr: ['pwd', 'sms', 'mfa'] }).text.includes(
      'пароль + код из СМС',
    ),
  );

  const clock = new ControlledClock();
  clock.set(Date.parse(at), true);
  const outbox = new Outbox(clock, new Faults());
  const account = { email: 'a@example.test', emailConfirmed: true } as Account;
  t.true(notify(outbox, account, 'security.account_locked', { at }));
  t.false(
    notify(outbox, { ...account, email: 'b@example.test', emailConfirmed: false }, 'security.account_locked', { at }),
  );
  t.deepEqual(
    outbox.read('email').map((m) => [m.to, m.kind, m.code]),
    [['a@example.test', 'security.account_locked', undefined]],
  );
});

test('outage announcements are validated field by field; `from` in the future only announces', (t) => {
  const now = Date.parse(at);
  t.throws(() => parseOutage({ mode: 'down' }, now), {
    instanceOf: InputError,
    message: /mode must be one of maintenance, outage/,
  });
  t.throws(() => parseOutage({ mode: 'outage', until: 'tomorrow' }, now), { message: /until must be an ISO instant/ });
  t.throws(() => parseOutage({ mode: 'outage', until: '2026-11-25T08:00:00Z' }, now), {
    message: /must be after the start/,
  });
  const later = parseOutage({ mode: 'maintenance', from: '2026-11-25T10:00:00Z', until: '2026-11-25T12:00:00Z' }, now);
  t.false(isInForce(later, now));
  t.true(isInForce(later, now + 3600_000));
  t.is(retryAfter(later), 'Wed, 25 Nov 2026 12:00:00 GMT');
  const holder = { outage: null as ReturnType<typeof parseOutage> | null, clock: { now: () => now } };
  t.is(announceOutage(holder, { mode: 'outage' }, 'operator:ivanova').by, 'operator:ivanova');
  t.truthy(endOutage(holder));
  t.is(holder.outage, null);
});

test('the RP reads the expected time from available_at or Retry-After, and shows it in Moscow time', (t) => {
  t.is(expectedRecovery('2026-11-25T12:00:00Z')?.toISOString(), '2026-11-25T12:00:00.000Z');
  t.is(expectedRecovery(undefined, 'Wed, 25 Nov 2026 12:00:00 GMT')?.toISOString(), '2026-11-25T12:00:00.000Z');
  t.is(expectedRecovery(undefined, '120', Date.parse(at))?.toISOString(), '2026-11-25T09:02:00.000Z');
  t.is(expectedRecovery('garbage', null), undefined);
  t.deepEqual(
    recoveryFacts(new Date('2026-11-25T12:00:00Z')).map((f) => f.value),
    ['25.11.2026, 15:00 (МСК)'],
  );
});

/** The recovery code screen for `identifier`, with the per-attempt parts (uid, masked number) blanked. */
async function codeScreen(run: string, identifier: string): Promise<{ status: number; screen: string; html: string }> {
  const b = new HttpBrowser();
  await b.setCookie(stand.idp, 'esia_run', run);
  await b.goto(`${stand.rp}/login`);
  await b.click('forgot-password');
  await b.click('submit', { identifier });
  const page = b.page!;
  const html = page.html
    .replace(/\/interaction\/[\w-]+/g, '/interaction/UID')
    .replace(/\+7 900 \*\*\*-\*\*-\d\d/g, 'PHONE')
    .replace(/name="csrf_token" value="[\w-]+"/g, 'name="csrf_token" value="TOKEN"');
  return { status: page.status, screen: b.screen(), html };
}

test('recovery answers an existing and an unknown login identically, and sends nothing for the unknown one', async (t) => {
  const { run, end } = await newRun(stand);
  const ctl = <T>(method: string, path: string, body?: unknown) =>
    stand.control<T>(method, `${path}${path.includes('?') ? '&' : '?'}run=${run}`, body);
  await ctl('POST', '/clock', { set: at, freeze: true });
  const known = await codeScreen(run, '+7 900 000-00-01');
  const unknown = await codeScreen(run, '+7 900 000-00-99');
  t.is(known.screen, 'recovery-code');
  t.deepEqual(unknown, known);
  const sms = async (to: string) =>
    (await ctl<{ messages: unknown[] }>('GET', `/inbox/sms?to=${encodeURIComponent(to)}`)).messages.length;
  t.is(await sms('+79000000001'), 1);
  t.is(await sms('+79000000099'), 0);
  await end();
});

test('recovery does not sign in past an organisation that allows only the signature: the new password is kept, the sign-in refused by name', async (t) => {
  const { run, end } = await newRun(stand);
  const b = new HttpBrowser();
  await b.setCookie(stand.idp, 'esia_run', run);
  await b.goto(`${stand.rp}/login`);
  await b.click('forgot-password');
  await b.click('submit', { identifier: 'egorova@example.test' });
  const { messages } = await stand.control<{ messages: Array<{ code: string }> }>(
    'GET',
    `/inbox/email?to=egorova%40example.test&run=${run}`,
  );
  await b.click('submit', { code: messages[0]!.code });
  await b.click('submit', { password: 'Recovered-5678', repeat: 'Recovered-5678' });
  t.is(b.screen(), 'login');
  t.is(b.errorCode(), 'policy.method_not_allowed');
  t.true((await b.text()).includes('Разрешённые способы входа: электронная подпись'));
  await b.click('submit', { identifier: 'egorova@example.test', password: 'Recovered-5678' });
  t.is(
    b.errorCode(),
    'policy.method_not_allowed',
    'the recovered password is hers: the same refusal as at an ordinary sign-in',
  );
  await end();
});

/** Signs ivanov in through the screens in `run` and stops at the RP's callback URL (this test is the client). */
async function codeFor(run: string, config: oidc.Configuration, verifier: string, state: string): Promise<URL> {
  const redirect = `${stand.rp}/callback`;
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: redirect,
    scope: 'openid profile snils',
    state,
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
  });
  const b = new HttpBrowser();
  await b.setCookie(stand.idp, 'esia_run', run);
  await b.goto(url.href);
  await b.click('submit', { identifier: '+79000000001', password: 'Test-1234' });
  const { messages } = await stand.control<{ messages: Array<{ code: string }> }>(
    'GET',
    `/inbox/sms?to=%2B79000000001&run=${run}`,
  );
  let location = `${b.page!.url.replace(/\/?$/, '')}/otp`;
  let init: RequestInit = {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      code: messages[0]!.code,
      csrf_token: b.page!.root.querySelector('input[name="csrf_token"]')?.getAttribute('value') ?? '',
    }),
  };
  while (!location.startsWith(redirect)) {
    const target = new URL(location, stand.idp);
    const res = await fetch(target, {
      ...init,
      headers: { ...(init.headers as Record<string, string>), cookie: await b.jar.getCookieString(target.href) },
      redirect: 'manual',
    });
    for (const c of res.headers.getSetCookie()) await b.jar.setCookie(c, target.href);
    location = res.headers.get('location') ?? '';
    if (!location) throw new Error(`no redirect from ${target.href}: ${res.status}`);
    init = {};
  }
  return new URL(location);
}

test('during an outage the token and userinfo endpoints answer 503 temporarily_unavailable with the time, for that run only', async (t) => {
  const one = await newRun(stand);
  const two = await newRun(stand);
  const ctl =
    (run: string) =>
    <T>(method: string, path: string, body?: unknown) =>
      stand.control<T>(method, `${path}?run=${run}`, body);
  const config = await oidc.discovery(new URL(stand.idp), 'fmrm', 'fmrm-local-test-secret', undefined, {
    execute: [oidc.allowInsecureRequests],
  });
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const callback = await codeFor(one.run, config, verifier, state);

  await ctl(one.run)('POST', '/outage', { mode: 'outage', until: '2030-01-01T12:00:00Z', notice: 'Сбой.' });
  // openid-client (as the RP uses it) sees a 5xx: a ClientError carrying the Response.
  const refused = await oidc
    .authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: state })
    .catch((e: unknown) => e);
  t.true(refused instanceof oidc.ClientError, String(refused));
  const response = (refused as oidc.ClientError).cause as Response;
  t.is(response.status, 503);
  t.is(response.headers.get('retry-after'), 'Tue, 01 Jan 2030 12:00:00 GMT');
  // On the wire: RFC 6749's temporarily_unavailable, the notice, and available_at.
  const raw = await fetch(`${stand.idp}/token`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `Basic ${Buffer.from('fmrm:fmrm-local-test-secret').toString('base64')}`,
    },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code: callback.searchParams.get('code')!,
      redirect_uri: `${stand.rp}/callback`,
      code_verifier: verifier,
    }),
  });
  t.is(raw.status, 503);
  const body = (await raw.json()) as Record<string, string>;
  t.is(body.error, 'temporarily_unavailable');
  t.is(body.available_at, '2030-01-01T12:00:00.000Z');
  t.regex(
    body.error_description ?? '',
    /Госуслуги временно недоступны\. Сбой\. Ожидаемое время восстановления: 01\.01\.2030, 15:00 \(МСК\)/,
  );

  // Another run is untouched: its sign-in page opens.
  const other = new HttpBrowser();
  await other.setCookie(stand.idp, 'esia_run', two.run);
  await other.goto(`${stand.rp}/login`);
  t.is(other.screen(), 'login');

  // The outage ends: the same code (never consumed) is exchanged; userinfo is refused while a new outage is on.
  await ctl(one.run)('DELETE', '/outage');
  const tokens = await oidc.authorizationCodeGrant(config, callback, {
    pkceCodeVerifier: verifier,
    expectedState: state,
  });
  t.truthy(tokens.access_token);
  await ctl(one.run)('POST', '/outage', { mode: 'maintenance' });
  const info = await fetch(`${stand.idp}/me`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
  t.is(info.status, 503);
  t.is(info.headers.get('retry-after'), null, 'no invented time when the recovery time is unknown');
  t.is(((await info.json()) as { error: string }).error, 'temporarily_unavailable');
  await ctl(one.run)('DELETE', '/outage');
  t.is((await fetch(`${stand.idp}/me`, { headers: { authorization: `Bearer ${tokens.access_token}` } })).status, 200);
  await one.end();
  await two.end();
});

test('the control API names a malformed outage and reports the state', async (t) => {
  const { run, end } = await newRun(stand);
  const res = await fetch(`${stand.idp}/__control/outage?run=${run}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ mode: 'broken' }),
  });
  t.is(res.status, 400);
  t.deepEqual(await res.json(), {
    error: 'control.bad_outage',
    message: 'mode must be one of maintenance, outage; got "broken".',
  });
  const set = await stand.control<{ outage: { mode: string; by: string }; inForce: boolean }>(
    'POST',
    `/outage?run=${run}`,
    { mode: 'maintenance', from: '2099-01-01T00:00:00Z' },
  );
  t.is(set.outage.mode, 'maintenance');
  t.false(set.inForce);
  await stand.control('POST', `/reset?run=${run}`);
  t.deepEqual(await stand.control('GET', `/outage?run=${run}`), { outage: null, inForce: false });
  await end();
});
