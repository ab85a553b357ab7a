/*
 * Cross-site request forgery on every form of both apps: the sign-in screens, the support console's
 * sign-in, /account and the relying party's buttons. Each form is refused without its token, with
 * another browser's (or session's) token and from a foreign Origin (another localhost port counts:
 * SameSite does not separate ports), and accepted with its own. A refusal is a catalogue page with a
 * reference code, and the emulator's is in the audit journal.
 */
import test, { type ExecutionContext } from 'ava';
import type { Context } from 'koa';
import type { CookieJar } from 'tough-cookie';
import { FormGuard, tokenField } from '../lib/http/form_guard.ts';
import { HttpBrowser } from '../scenarios/runner/http_browser.ts';
import { send } from '../scenarios/runner/http_client.ts';
import { type Stand, startStand } from '../scenarios/runner/stand.ts';
import { signInThrough } from './helpers/sign_in.ts';

let stand: Stand;
test.before(async () => {
  stand = await startStand();
});
test.after.always(() => stand?.close());

const tokenOf = (html: string): string => /name="csrf_token" value="([^"]+)"/.exec(html)?.[1] ?? '';

async function pageOf(url: string, jar: CookieJar) {
  const reply = await send(url, { headers: { accept: 'text/html', cookie: await jar.getCookieString(url) } });
  for (const cookie of reply.setCookies) await jar.setCookie(cookie, url);
  return reply;
}

async function post(url: string, jar: CookieJar, fields: Record<string, string>, origin?: string) {
  const headers: Record<string, string> = {
    accept: 'text/html',
    'content-type': 'application/x-www-form-urlencoded',
    cookie: await jar.getCookieString(url),
  };
  if (origin) headers.origin = origin;
  return send(url, { method: 'POST', headers, body: new URLSearchParams(fields).toString() });
}

/** The four cases of one form: no token, another browser's token, a foreign Origin (refused); its own (accepted). */
async function fourCases(
  t: ExecutionContext,
  o: {
    url: string;
    jar: CookieJar;
    own: string;
    foreign: string;
    fields: Record<string, string>;
    code: string;
    accepted: (reply: Awaited<ReturnType<typeof send>>) => void;
  },
) {
  const origin = new URL(o.url).origin;
  const refusals = [
    { what: 'without the token', fields: o.fields, origin },
    { what: "with another browser's token", fields: { ...o.fields, [tokenField]: o.foreign }, origin },
    { what: 'from another localhost port', fields: { ...o.fields, [tokenField]: o.own }, origin: 'http://localhost:1' },
    { what: 'from an opaque origin', fields: { ...o.fields, [tokenField]: o.own }, origin: 'null' },
  ];
  const refs: string[] = [];
  for (const r of refusals) {
    const reply = await post(o.url, o.jar, r.fields, r.origin);
    t.is(reply.status, 403, `${o.url} ${r.what}`);
    t.true(
      reply.text.includes(`data-error-code="${o.code}"`) || reply.headers['x-rp-error'] === o.code,
      `${o.url} ${r.what}: ${o.code}`,
    );
    refs.push(/data-ref="([^"]+)"/.exec(reply.text)?.[1] ?? '');
  }
  t.true(o.own.length > 20, 'the page carries its token');
  o.accepted(await post(o.url, o.jar, { ...o.fields, [tokenField]: o.own }, origin));
  return refs;
}

test.serial(
  'the sign-in screens: refused without the token, with another browser’s, from another origin; audited; accepted with their own',
  async (t) => {
    await stand.control('POST', '/reset');
    const a = new HttpBrowser();
    const b = new HttpBrowser();
    await a.goto(`${stand.rp}/login`);
    await b.goto(`${stand.rp}/login`);
    t.is(a.screen(), 'login');
    const url = a.page!.url.replace(/\/?$/, '/login');
    const refs = await fourCases(t, {
      url,
      jar: a.jar,
      own: tokenOf(a.page!.html),
      foreign: tokenOf(b.page!.html),
      fields: { identifier: '+79000000001', password: 'Test-1234' },
      code: 'interaction.form_forged',
      accepted: (reply) => {
        t.is(reply.status, 303, 'the password step accepted the form');
        t.regex(String(reply.headers.location), /\/interaction\//);
      },
    });
    // Each refusal is in the journal under its reference code, with the reason.
    const reasons = [];
    for (const ref of refs) {
      const { record } = await stand.control<{ record: { code: string; details: { reason: string } } }>(
        'GET',
        `/audit/${ref}`,
      );
      t.is(record.code, 'interaction.form_forged');
      reasons.push(record.details.reason);
    }
    t.deepEqual(reasons, ['token_missing', 'token_wrong', 'foreign_origin', 'foreign_origin']);
  },
);

test.serial('the refusal screen says what to do, keeps the way back, and that way carries the token', async (t) => {
  const a = new HttpBrowser();
  await a.goto(`${stand.rp}/login`);
  const reply = await post(a.page!.url.replace(/\/?$/, '/login'), a.jar, {
    identifier: '+79000000001',
    password: 'Test-1234',
  });
  t.is(reply.status, 403);
  t.regex(reply.text, /Вернитесь в систему, из которой пришли, и начните вход заново/);
  t.regex(reply.text, /data-testid="ref-code"/);
  t.regex(
    reply.text,
    /action="\/interaction\/[\w-]+\/abort"[^>]*><input type="hidden" name="csrf_token" value="[\w-]+"/,
  );
});

test.serial('the support console’s sign-in form', async (t) => {
  const a = new HttpBrowser();
  const b = new HttpBrowser();
  const own = tokenOf((await pageOf(`${stand.idp}/support`, a.jar)).text);
  const foreign = tokenOf((await pageOf(`${stand.idp}/support`, b.jar)).text);
  await fourCases(t, {
    url: `${stand.idp}/support/login`,
    jar: a.jar,
    own,
    foreign,
    fields: { login: 'operator', password: 'Operator-1234' },
    code: 'support.csrf',
    accepted: (reply) => {
      t.is(reply.status, 303, 'signed in');
      t.is(reply.headers.location, '/support');
    },
  });
});

test.serial('/account forms', async (t) => {
  await stand.control('POST', '/reset');
  const { screen, browser: a } = await signInThrough(stand.rp, stand.idp);
  t.is(screen, 'cabinet');
  const b = new HttpBrowser();
  const own = tokenOf((await pageOf(`${stand.idp}/account`, a.jar)).text);
  const foreign = tokenOf((await pageOf(`${stand.idp}/support`, b.jar)).text);
  await fourCases(t, {
    url: `${stand.idp}/account/totp/new`,
    jar: a.jar,
    own,
    foreign,
    fields: {},
    code: 'request.form_forged',
    accepted: (reply) => {
      t.is(reply.status, 200);
      t.regex(reply.text, /data-screen="[\w-]*totp[\w-]*"/);
    },
  });
});

test.serial('the relying party’s buttons: a token of its session', async (t) => {
  await stand.control('POST', '/reset');
  const { browser: a } = await signInThrough(stand.rp, stand.idp);
  const { browser: b } = await signInThrough(stand.rp, stand.idp, '+79000000002');
  const own = tokenOf((await pageOf(`${stand.rp}/cabinet`, a.jar)).text);
  const foreign = tokenOf((await pageOf(`${stand.rp}/cabinet`, b.jar)).text);
  t.not(own, foreign);
  for (const path of ['/application/sign', '/logout']) {
    for (const fields of [{}, { [tokenField]: foreign }] as Array<Record<string, string>>) {
      const reply = await post(`${stand.rp}${path}`, a.jar, fields, stand.rp);
      t.is(reply.status, 403, path);
      t.is(reply.headers['x-rp-error'], 'rp.form_forged');
    }
  }
  await fourCases(t, {
    url: `${stand.rp}/logout/local`,
    jar: a.jar,
    own,
    foreign,
    fields: {},
    code: 'rp.form_forged',
    accepted: (reply) => {
      t.is(reply.status, 303);
      t.is(reply.headers.location, '/logged-out');
    },
  });
});

test('the token goes only into forms that post back to the same app', (t) => {
  const guard = new FormGuard({ key: 'k', binding: () => 'browser-1' });
  const ctx = {} as Context;
  const markup = [
    '<form method="post" action="/interaction/abc/login">',
    '<form method="post" action="http://localhost:4000/callback">',
    '<form method="post" action="//evil.example/x">',
    '<form method="get" action="/search">',
  ].join('\n');
  const lines = guard.stamp(ctx, markup).split('\n');
  t.true(lines[0]!.includes(`name="${tokenField}" value="${guard.tokenFor('browser-1')}"`));
  t.deepEqual(lines.slice(1), markup.split('\n').slice(1));
  t.not(guard.tokenFor('browser-1'), guard.tokenFor('browser-2'));
});
