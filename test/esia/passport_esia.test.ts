/*
 * An independent client from the npm registry against the ESIA face: passport-esia 0.0.5
 * (node-forge PKCS#7, RSA, content attached, its own url-safe helper that strips only the first
 * `=`, timestamps from Date.toString()). Its authorization request is accepted and the user signs
 * in through the real screens. Its token request as shipped cannot succeed anywhere: passport-oauth2
 * overwrites the signed client_secret with the static `clientSecret` option and sends no scope, so
 * the emulator refuses it as ESIA would (007014 [client_secret]) and says why; with a four-line
 * shim that keeps the signature and the scope, the library receives ESIA's tokens.
 */
import test from 'ava';
import { createRequire } from 'node:module';
import { decodeJwt } from '../../relying-party/esia/protocol.ts';
import { HttpBrowser } from '../../scenarios/runner/http_browser.ts';
import { signerOf } from '../../scenarios/runner/esia_stand.ts';
import { type Stand, startStand } from '../../scenarios/runner/stand.ts';

const require = createRequire(import.meta.url);

interface OAuth2 {
  _clientSecret: string;
  getOAuthAccessToken(code: string, params: Record<string, string>, cb: (...args: unknown[]) => void): void;
}
interface Strategy {
  _scope: string;
  _oauth2: OAuth2;
  redirect(url: string): void;
  success(user: unknown, info?: unknown): void;
  fail(challenge: unknown): void;
  error(err: Error): void;
  authenticate(req: unknown, options?: Record<string, unknown>): void;
}
const EsiaStrategy = require('passport-esia') as new (
  options: Record<string, unknown>,
  verify: (...args: unknown[]) => void,
) => Strategy;

let stand: Stand;
test.before(async () => {
  stand = await startStand();
});
test.after.always(async () => {
  await stand?.close();
});

/** One passport round: resolves with where it redirects, whom it admits, or why it failed. */
function authenticate(
  strategy: Strategy,
  query: Record<string, string>,
): Promise<{ redirect?: string; user?: Record<string, unknown>; error?: Error }> {
  return new Promise((resolve) => {
    strategy.redirect = (url) => resolve({ redirect: url });
    strategy.success = (user) => resolve({ user: user as Record<string, unknown> });
    strategy.fail = (challenge) => resolve({ error: new Error(`fail: ${JSON.stringify(challenge)}`) });
    strategy.error = (error) => resolve({ error });
    strategy.authenticate(
      { query, body: {}, headers: { host: 'localhost' }, url: '/auth/esia', session: undefined },
      {},
    );
  });
}

test('passport-esia (npm) signs a user in through the ESIA face', async (t) => {
  const keys = await signerOf(stand.keysDir!, 'PROTO01', 'cms-rsa');
  const strategy = new EsiaStrategy(
    {
      clientID: 'PROTO01',
      certificate: keys.certificatePem,
      key: keys.privateKeyPem,
      callbackURL: `${stand.sink}/cb`,
      authorizationURL: `${stand.idp}/aas/oauth2/ac`,
      tokenURL: `${stand.idp}/aas/oauth2/te`,
      scope: 'openid fullname email',
    },
    (accessToken: unknown, refreshToken: unknown, params: unknown, _profile: unknown, done: unknown) =>
      (done as (e: null, u: unknown) => void)(null, { accessToken, refreshToken, params }),
  );

  // 1. The library's own authorization URL (PKCS#7 by node-forge) is accepted: the login screen opens.
  const start = await authenticate(strategy, {});
  t.truthy(start.redirect, String(start.error));
  const browser = new HttpBrowser();
  await browser.goto(start.redirect!);
  t.is(browser.current()?.screen, 'login', JSON.stringify(browser.history));
  await browser.click('submit', { identifier: '+79000000001', password: 'Test-1234' });
  const sms = await stand.control<{ messages: Array<{ code: string }> }>('GET', '/inbox/sms?to=%2B79000000001');
  await browser.click('submit', { code: sms.messages[0]!.code });
  t.is(browser.current()?.screen, 'system-callback');
  const code = (await browser.attribute('callback', 'data-code')) ?? '';
  const state = (await browser.attribute('callback', 'data-state')) ?? '';
  t.is(state, new URL(start.redirect!).searchParams.get('state') ?? '');

  // 2. Its token request as shipped: passport-oauth2 replaces the signature by options.clientSecret.
  const shipped = await authenticate(strategy, { code, state });
  t.truthy(shipped.error);
  t.regex(String((shipped.error as { message?: string }).message), /^ESIA-007014: .*\[client_secret\]/);
  const diagnostics = await stand.control<Array<{ diagnosis: string }>>('GET', '/esia/diagnostics');
  t.regex(diagnostics[0]!.diagnosis, /client_secret is missing or empty/);

  // 3. With the shim (keep the library's signed client_secret, send the signed scope), it gets ESIA's tokens.
  const original = strategy._oauth2.getOAuthAccessToken.bind(strategy._oauth2);
  strategy._oauth2.getOAuthAccessToken = (c, params, cb) => {
    strategy._oauth2._clientSecret = params.client_secret!;
    original(c, { ...params, scope: strategy._scope }, cb);
  };
  const done = await authenticate(strategy, { code, state });
  t.falsy(done.error, String(done.error && JSON.stringify(done.error)));
  const params = done.user!.params as Record<string, unknown>;
  t.is(params.token_type, 'Bearer');
  t.truthy(params.id_token);
  t.is(decodeJwt(String(done.user!.accessToken)).payload['urn:esia:sbj_id'], 1000001013);
});
