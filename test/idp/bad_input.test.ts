/*
 * Malformed and hostile requests: each gets the proper OAuth error or a clear page with a reference
 * code; never a 500, never a stack trace, and the emulator keeps working afterwards.
 */
import test from 'ava';
import { type Stand, startStand } from '../../scenarios/runner/stand.ts';

let stand: Stand;
test.before(async () => {
  stand = await startStand();
});
test.after.always(() => stand?.close());

const stackTrace = /\bat [\w.<>]+ \(|node_modules|\.ts:\d+/;

const cases: Array<[string, string, RequestInit?]> = [
  ['authorization without parameters', '/auth'],
  ['unknown client', '/auth?client_id=nobody&response_type=code&scope=openid&redirect_uri=http://x/cb'],
  ['repeated client_id', '/auth?client_id=fmrm&client_id=nmo-portal&response_type=code&scope=openid'],
  [
    'unsupported response_type',
    '/auth?client_id=fmrm&response_type=token&scope=openid&redirect_uri=http://localhost/cb',
  ],
  [
    'authorization over POST with garbage',
    '/auth',
    { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '\u0000\u0001' },
  ],
  ['token with no body', '/token', { method: 'POST' }],
  [
    'token with JSON instead of a form',
    '/token',
    { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"grant_type":"authorization_code"}' },
  ],
  [
    'token with an oversized body',
    '/token',
    {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `a=${'x'.repeat(2_000_000)}`,
    },
  ],
  ['userinfo without a token', '/me'],
  ['userinfo with a forged token', '/me', { headers: { authorization: 'Bearer forged' } }],
  ['logout with a forged id_token_hint', '/session/end?id_token_hint=abc.def.ghi'],
  ['interaction that does not exist', '/interaction/nope'],
  [
    'post to a step without a sign-in',
    '/interaction/nope/login',
    {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'identifier=x&password=y',
    },
  ],
  ['path traversal', '/static/../../etc/passwd'],
  ['percent-encoding garbage', '/%E0%A4%A'],
  [
    'control API with malformed JSON',
    '/__control/clock',
    { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"set":' },
  ],
  [
    'control API with a bad clock value',
    '/__control/clock',
    { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"advance":"soon"}' },
  ],
  ['control API with an unknown persona', '/__control/accounts/nobody/unlock', { method: 'POST' }],
  [
    'control API with an unknown fault',
    '/__control/faults',
    { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"kind":"meteor"}' },
  ],
];

for (const [name, path, init] of cases) {
  test(`${name}: a clear 4xx, no stack trace`, async (t) => {
    const res = await fetch(stand.idp + path, { redirect: 'manual', ...init });
    const body = await res.text();
    t.true(res.status >= 300 && res.status < 500, `status ${res.status}: ${body.slice(0, 300)}`);
    t.false(stackTrace.test(body), body.slice(0, 500));
    if (res.headers.get('content-type')?.includes('html') && res.status >= 400) {
      t.regex(body, /data-testid="ref-code"/, 'an error page shows a reference code');
    }
  });
}

test('the control API and the signing plugin answer an unreadable body in their own JSON, not with the sign-in error page', async (t) => {
  const json = { 'content-type': 'application/json' };
  for (const path of ['/__control/outage', '/__control/certificates/01/revoke', '/__control/clock']) {
    for (const body of ['{"mode":', 'null']) {
      const res = await fetch(stand.idp + path, { method: 'POST', headers: json, body });
      t.is(res.status, 400, `${path} ${body}`);
      t.like(await res.json(), { error: 'control.bad_body' }, `${path} ${body}`);
    }
  }
  const res = await fetch(`${stand.idp}/plugin/api/sign`, { method: 'POST', headers: json, body: '{"pin":' });
  t.is(res.status, 400);
  t.like(await res.json(), { message: 'Плагин не разобрал запрос: нужен JSON-объект.' });
  // A wrong key file: the page shows `message` to the person, in Russian; the reason in English is `detail`.
  const imported = await fetch(`${stand.idp}/plugin/api/import`, {
    method: 'POST',
    headers: json,
    body: JSON.stringify({ pem: 'not a key file' }),
  });
  t.is(imported.status, 400);
  const answer = (await imported.json()) as { message: string; detail: string };
  t.regex(answer.message, /^Файл не загружен: в нём нужны сертификат/);
  t.notRegex(answer.message, /[A-Za-z]{4,} [a-z]{3,}/, 'no English sentence for the person');
  t.regex(answer.detail, /CERTIFICATE/);
  const huge = await fetch(`${stand.idp}/plugin/api/import`, {
    method: 'POST',
    headers: json,
    body: JSON.stringify({ pem: 'x'.repeat(100_000) }),
  });
  t.is(huge.status, 413);
  t.regex(((await huge.json()) as { message: string }).message, /^Файл не загружен: он больше 64 КБ/);
});

test('a repeated form field is refused, not merged', async (t) => {
  const page = await fetch(`${stand.rp}/login`, { redirect: 'manual' });
  t.is(page.status, 302);
  // Walk to the interaction with cookies, then post the field twice.
  const { HttpBrowser } = await import('../../scenarios/runner/http_browser.ts');
  const b = new HttpBrowser();
  await b.goto(`${stand.rp}/login`);
  const uid = /interaction\/([\w-]+)/.exec(b.page?.url ?? '')?.[1];
  await b.send(`${stand.idp}/interaction/${uid}/login`, 'POST', 'identifier=a&identifier=b&password=x');
  t.is(b.page?.status, 400);
  t.is(b.errorCode(), 'oauth.invalid_request');
});

test('every form of the emulator (sign-in, account, support console) refuses a body that is not a form with the same catalogue page', async (t) => {
  const json = { 'content-type': 'application/json' };
  for (const path of ['/interaction/nope/login', '/account/webauthn/new', '/support/login']) {
    const res = await fetch(stand.idp + path, {
      method: 'POST',
      headers: json,
      body: '{"kind":"platform"}',
      redirect: 'manual',
    });
    const body = await res.text();
    t.is(res.status, 415, `${path}: ${body.slice(0, 200)}`);
    t.regex(body, /data-error-code="request.unsupported_type"/, path);
  }
});

test('the emulator still serves sign-ins after all of the above', async (t) => {
  const res = await fetch(`${stand.idp}/__health/ready`);
  t.is(res.status, 200);
});
