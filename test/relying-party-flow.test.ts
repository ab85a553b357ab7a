/*
 * The relying party through a whole OIDC round trip, against a stand-in IdP: a bare oidc-provider
 * whose interaction signs in a chosen persona at once (or cancels). It checks the RP's side only:
 * PKCE/state/nonce, claims from id_token + userinfo, the admission errors, replay and logout. The
 * real emulator's screens are covered by the end-to-end suite.
 */
import test from 'ava';
import type { ExecutionContext } from 'ava';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'node-html-parser';
import Provider from 'oidc-provider';
import { CookieJar } from 'tough-cookie';
import { rpConfig } from '../relying-party/config.ts';
import { startRp } from '../relying-party/server.ts';

interface Persona {
  persona: string;
  oid: string;
  lastName: string;
  firstName: string;
  middleName: string;
  birthDate: string;
  snils: string;
  trust: string;
}

const personas = (
  JSON.parse(await readFile(new URL('../config/personas.json', import.meta.url), 'utf8')) as { personas: Persona[] }
).personas;
const oidOf = (name: string) => personas.find((p) => p.persona === name)!.oid;

/** Who the stand-in IdP signs in next; 'cancel' returns access_denied. Tests using it are serial. */
let nextUser = 'ivanov';

let idpServer: Server;
let rpUrl = '';
let issuer = '';
let closeRp: () => Promise<void>;
let dataDir = '';

test.before(async () => {
  idpServer = createServer();
  await new Promise<void>((resolve) => idpServer.listen(0, '127.0.0.1', resolve));
  issuer = `http://localhost:${(idpServer.address() as AddressInfo).port}`;
  dataDir = await mkdtemp(join(tmpdir(), 'esia-rp-flow-'));
  const rp = await startRp(rpConfig({ port: 0, dataDir, idpIssuer: issuer, clientSecret: 'flow-secret' }));
  rpUrl = rp.url;
  closeRp = rp.close;

  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: 'fmrm',
        client_secret: 'flow-secret',
        redirect_uris: [`${rpUrl}/callback`],
        post_logout_redirect_uris: [`${rpUrl}/logged-out`],
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ],
    scopes: ['openid', 'profile', 'email', 'phone', 'snils', 'inn', 'trust'],
    claims: {
      openid: ['sub', 'acr', 'amr'],
      profile: ['name', 'family_name', 'given_name', 'middle_name', 'birthdate'],
      snils: ['snils'],
      trust: ['trust_level'],
    },
    // Default conformIdTokenClaims: scope claims come only from userinfo, which the RP must fetch.
    pkce: { required: () => true },
    cookies: { keys: ['flow-test-key'] },
    features: { devInteractions: { enabled: false } },
    ttl: { AccessToken: 600, IdToken: 600, Interaction: 600, Session: 600, Grant: 600 },
    findAccount: (_ctx, sub) => {
      const p = personas.find((x) => x.oid === sub);
      if (!p) return undefined;
      return {
        accountId: sub,
        claims: () => ({
          sub,
          family_name: p.lastName,
          given_name: p.firstName,
          middle_name: p.middleName,
          birthdate: p.birthDate,
          snils: p.snils,
          trust_level: p.trust,
        }),
      };
    },
  });
  provider.use(async (ctx, next) => {
    if (!/^\/interaction\/[^/]+$/.test(ctx.path)) return next();
    const details = await provider.interactionDetails(ctx.req, ctx.res);
    let result;
    if (nextUser === 'cancel') {
      result = { error: 'access_denied', error_description: 'Пользователь отменил вход' };
    } else {
      const accountId = oidOf(nextUser);
      const grant = new provider.Grant({ accountId, clientId: String(details.params.client_id) });
      grant.addOIDCScope(String(details.params.scope));
      result = { login: { accountId, amr: ['pwd', 'sms', 'mfa'] }, consent: { grantId: await grant.save() } };
    }
    await provider.interactionFinished(ctx.req, ctx.res, result, { mergeWithLastSubmission: false });
    ctx.respond = false;
  });
  idpServer.on('request', provider.callback());
});

test.after.always(async () => {
  await closeRp?.();
  idpServer?.closeAllConnections();
  await new Promise((resolve) => idpServer?.close(resolve));
  await rm(dataDir, { recursive: true, force: true });
});

/** A minimal browser: one cookie jar for localhost (cookies ignore ports, as in real browsers). */
class Browser {
  readonly jar = new CookieJar();
  visited: string[] = [];

  async go(
    url: string,
    init: RequestInit = {},
  ): Promise<{ res: Response; url: string; html: ReturnType<typeof parse> }> {
    let current = url;
    for (let hop = 0; hop < 15; hop++) {
      this.visited.push(current);
      const res = await fetch(current, {
        ...init,
        redirect: 'manual',
        headers: {
          cookie: await this.jar.getCookieString(current),
          ...(init.body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
        },
      });
      for (const c of res.headers.getSetCookie()) await this.jar.setCookie(c, current);
      const location = res.headers.get('location');
      if (res.status >= 300 && res.status < 400 && location) {
        current = new URL(location, current).href;
        init = {}; // a redirect after POST is a GET
        continue;
      }
      const html = parse(await res.text());
      // oidc-provider ends the old session with a self-submitting form when another account signs in.
      const form = html.querySelector('form');
      if (form && html.querySelector('script')?.text.includes('document.forms[0].submit()')) {
        const fields = form
          .querySelectorAll('input[type="hidden"]')
          .map((i) => [i.getAttribute('name') ?? '', i.getAttribute('value') ?? '']);
        current = new URL(form.getAttribute('action') ?? '', current).href;
        init = { method: 'POST', body: new URLSearchParams(fields) };
        continue;
      }
      return { res, url: current, html };
    }
    throw new Error(`too many redirects from ${url}`);
  }
}

const screen = (page: { html: ReturnType<typeof parse> }) =>
  page.html.querySelector('body')?.getAttribute('data-screen');
const errorCode = (page: { html: ReturnType<typeof parse> }) =>
  page.html.querySelector('body')?.getAttribute('data-error-code');
/** The cabinet's form token (every RP form carries the session's). */
const formToken = (page: { html: ReturnType<typeof parse> }) =>
  page.html.querySelector('input[name="csrf_token"]')?.getAttribute('value') ?? '';
const testid = (page: { html: ReturnType<typeof parse> }, id: string) =>
  page.html.querySelector(`[data-testid="${id}"]`)?.text.trim();

async function signIn(
  t: ExecutionContext,
  persona: string,
): Promise<{ browser: Browser; page: Awaited<ReturnType<Browser['go']>> }> {
  nextUser = persona;
  const browser = new Browser();
  const page = await browser.go(`${rpUrl}/login`);
  t.true(
    browser.visited.some((u) => u.startsWith(`${issuer}/auth?`)),
    'went through the IdP',
  );
  return { browser, page };
}

test.serial('a registered, confirmed user lands in the cabinet (G1, G3)', async (t) => {
  const { browser, page } = await signIn(t, 'ivanov');
  t.is(screen(page), 'cabinet');
  t.is(testid(page, 'cabinet-name'), 'Иванов Иван Иванович');
  t.is(testid(page, 'cabinet-snils'), '112-233-401 83');
  t.is(testid(page, 'account-number'), 'ФМРМ-0000101');
  t.is(testid(page, 'registration-status'), 'Зарегистрирован');
  t.is(
    page.html.querySelectorAll('[data-testid="upcoming-check"]').length,
    3,
    'accreditation, the НМО report and the licence',
  );
  t.is(page.html.querySelector('[data-testid="sign-in-method"]')?.getAttribute('data-amr'), 'pwd sms mfa');
  t.is(page.html.querySelector('[data-testid="trust-level"]')?.getAttribute('data-trust'), 'confirmed');

  const authUrl = new URL(browser.visited.find((u) => u.startsWith(`${issuer}/auth?`))!);
  t.is(authUrl.searchParams.get('code_challenge_method'), 'S256');
  t.truthy(authUrl.searchParams.get('nonce'));
  t.truthy(authUrl.searchParams.get('state'));

  // The same callback again (reload, back button) in this browser goes to the cabinet, without
  // spending the code a second time; in another browser (a replay) it is refused.
  const callback = browser.visited.find((u) => u.startsWith(`${rpUrl}/callback?`))!;
  t.regex(callback, /[?&]iss=/);
  const reload = await browser.go(callback);
  t.is(screen(reload), 'cabinet');
  t.is(reload.url, `${rpUrl}/cabinet`);
  t.is(errorCode(await new Browser().go(callback)), 'rp.callback_invalid');
  t.is(screen(await browser.go(`${rpUrl}/cabinet`)), 'cabinet');
});

test.serial('no register record: rp.no_register_record (C5), and another account can sign in', async (t) => {
  const { browser, page } = await signIn(t, 'fedorov');
  t.is(page.res.status, 403);
  t.is(errorCode(page), 'rp.no_register_record');
  t.is(testid(page, 'esia-snils'), '•••-•••-411 85');
  // A plain retry reuses the IdP session (fedorov again); the other-account link makes the IdP ask.
  t.is(errorCode(await browser.go(`${rpUrl}/login`)), 'rp.no_register_record');
  const other = page.html.querySelector('[data-testid="login-other-account"]')?.getAttribute('href') ?? '';
  nextUser = 'ivanov';
  t.is(screen(await browser.go(new URL(other, rpUrl).href)), 'cabinet');
});

test.serial('a birth date that differs from the register: rp.register_mismatch (B6)', async (t) => {
  const { page } = await signIn(t, 'morozova');
  t.is(page.res.status, 409);
  t.is(errorCode(page), 'rp.register_mismatch');
  t.is(testid(page, 'mismatch-birthDate'), 'на Госуслугах 06.••.••••, в ФМРМ 16.••.••••');
});

test.serial('a simplified account: rp.trust_level_too_low (B8)', async (t) => {
  const { browser, page } = await signIn(t, 'mikhailov');
  t.is(errorCode(page), 'rp.trust_level_too_low');
  t.is(testid(page, 'trust-actual'), 'упрощённая');
  t.is(testid(page, 'trust-required'), 'подтверждённая');
  t.is(screen(await browser.go(`${rpUrl}/cabinet`)), 'rp-home'); // no session was created
});

test.serial('the user cancels at the IdP: rp.login_refused with the IdP description', async (t) => {
  const { page } = await signIn(t, 'cancel');
  t.is(errorCode(page), 'rp.login_refused');
  t.is(testid(page, 'idp-error'), 'Пользователь отменил вход');
});

test.serial('a callback whose state was tampered with is refused', async (t) => {
  nextUser = 'ivanov';
  const browser = new Browser();
  const start = await fetch(`${rpUrl}/login`, { redirect: 'manual' });
  for (const c of start.headers.getSetCookie()) await browser.jar.setCookie(c, rpUrl);
  const page = await browser.go(`${rpUrl}/callback?code=forged&state=forged&iss=${encodeURIComponent(issuer)}`);
  t.is(errorCode(page), 'rp.callback_invalid');
});

test.serial('«Выйти» ends the RP session and sends the browser to the IdP end_session (G8)', async (t) => {
  const { browser, page } = await signIn(t, 'ivanov');
  const res = await fetch(`${rpUrl}/logout`, {
    method: 'POST',
    redirect: 'manual',
    headers: { cookie: await browser.jar.getCookieString(rpUrl), 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ csrf_token: formToken(page) }),
  });
  for (const c of res.headers.getSetCookie()) await browser.jar.setCookie(c, rpUrl);
  t.is(res.status, 303);
  const target = new URL(res.headers.get('location') ?? '');
  t.is(target.origin + target.pathname, `${issuer}/session/end`);
  t.truthy(target.searchParams.get('id_token_hint'));
  t.is(target.searchParams.get('post_logout_redirect_uri'), `${rpUrl}/logged-out`);
  t.is(screen(await browser.go(`${rpUrl}/cabinet`)), 'rp-home');
});

test.serial('«Выйти только из ФМРМ» ends only the RP session; the next login reuses the IdP session', async (t) => {
  const { browser, page } = await signIn(t, 'ivanov');
  const out = await browser.go(`${rpUrl}/logout/local`, {
    method: 'POST',
    body: new URLSearchParams({ csrf_token: formToken(page) }),
  });
  t.is(screen(out), 'rp-logged-out');
  t.is(screen(await browser.go(`${rpUrl}/cabinet`)), 'rp-home');
  nextUser = 'fedorov'; // would fail if the IdP asked again: SSO must sign ivanov back in
  t.is(screen(await browser.go(`${rpUrl}/login`)), 'cabinet');
});
