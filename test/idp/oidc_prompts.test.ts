/*
 * The authorization request's controls as openid-client sends them: prompt=none (silent sign-in),
 * max_age on the run's clock, login_hint, RP-initiated logout with id_token_hint, and
 * private_key_jwt client authentication.
 */
import { webcrypto } from 'node:crypto';
import test from 'ava';
import * as oidc from 'openid-client';
import { HttpBrowser } from '../../scenarios/runner/http_browser.ts';
import {
  authorization,
  callbackOf,
  ivanov,
  redeem,
  registerClient,
  signInAndRedeem,
  signInAsIvanov,
  signInTo,
  type TestClient,
} from '../helpers/oidc_client.ts';
import { sharedStand } from '../helpers/stand.ts';

let ours: TestClient;
const shared = sharedStand(async (stand) => {
  ours = await registerClient(stand, { first_party: true });
});

test.serial('discovery names the prompt values, the client authentication methods and the scopes', (t) => {
  const meta = ours.config.serverMetadata();
  t.deepEqual(meta.prompt_values_supported, ['none', 'login', 'consent']);
  t.deepEqual(meta.token_endpoint_auth_methods_supported, [
    'client_secret_basic',
    'client_secret_jwt',
    'client_secret_post',
    'private_key_jwt',
    'none',
  ]);
  t.deepEqual(meta.scopes_supported, [
    'openid',
    'offline_access',
    'profile',
    'email',
    'phone',
    'snils',
    'inn',
    'trust',
  ]);
});

test.serial('prompt=login inside a live session asks the password and code again', async (t) => {
  const { browser } = await signInAndRedeem(shared.stand, ours);
  const auth = await authorization(ours, { prompt: 'login' });
  await browser.goto(auth.url.href);
  t.is(browser.screen(), 'login');
  await signInAsIvanov(shared.stand, browser);
  t.is((await redeem(ours, browser, auth)).claims()?.sub, ivanov.sub);
});

test.serial('prompt=none without a session: the client gets login_required at once, no screen', async (t) => {
  const auth = await authorization(ours, { prompt: 'none' });
  const browser = new HttpBrowser();
  await browser.goto(auth.url.href);
  const callback = callbackOf(ours, browser);
  t.is(callback?.searchParams.get('error'), 'login_required');
  t.is(callback?.searchParams.get('state'), auth.state);
  t.false(browser.history.some((p) => p.screen === 'login'));
});

test.serial('prompt=none with a session: a code at once, for the same person', async (t) => {
  const { browser, tokens } = await signInAndRedeem(shared.stand, ours);
  const silent = await authorization(ours, { prompt: 'none' });
  const before = browser.history.length;
  await browser.goto(silent.url.href);
  t.is(browser.history.length - before, 1, 'no screen between the request and the callback');
  const again = await redeem(ours, browser, silent);
  t.is(again.claims()?.sub, ivanov.sub);
  t.is(again.claims()?.auth_time, tokens.claims()?.auth_time, 'no new sign-in happened');
});

test.serial('prompt=none with a session, for a third-party client not yet allowed: consent_required', async (t) => {
  const { browser } = await signInAndRedeem(shared.stand, ours);
  const other = await registerClient(shared.stand);
  const silent = await authorization(other, { prompt: 'none' });
  await browser.goto(silent.url.href);
  t.is(callbackOf(other, browser)?.searchParams.get('error'), 'consent_required');
});

test.serial(
  "max_age: a session younger than max_age by the run's clock passes; once the clock moves past it, the user signs in again",
  async (t) => {
    t.teardown(() => shared.stand.control('POST', '/reset'));
    const { browser, tokens } = await signInAndRedeem(shared.stand, ours);
    const signedInAt = tokens.claims()!.auth_time!;

    const fresh = await authorization(ours, { max_age: '600' });
    await browser.goto(fresh.url.href);
    t.truthy(callbackOf(ours, browser), `a 0-minute-old session is fresh enough, got screen "${browser.screen()}"`);
    t.is((await redeem(ours, browser, fresh, { maxAge: 600 })).claims()?.auth_time, signedInAt);

    // No sleeping: the run's clock moves 11 minutes; the session is now older than max_age.
    await shared.stand.control('POST', '/clock', { advance: 'PT11M' });
    const stale = await authorization(ours, { max_age: '600' });
    await browser.goto(stale.url.href);
    t.is(browser.screen(), 'login', 'the sign-in is asked again');
    await signInAsIvanov(shared.stand, browser);
    const renewed = await redeem(ours, browser, stale, { maxAge: 600 });
    t.true(renewed.claims()!.auth_time! >= signedInAt + 660, "auth_time is the new sign-in on the run's clock");
  },
);

test.serial('login_hint pre-fills the identifier on the login screen, escaped', async (t) => {
  for (const hint of [ivanov.phone, '"><script>alert(1)</script>']) {
    const auth = await authorization(ours, { login_hint: hint });
    const browser = new HttpBrowser();
    await browser.goto(auth.url.href);
    t.is(browser.screen(), 'login');
    t.is(browser.byTestId('identifier')?.getAttribute('value'), hint);
    t.false(browser.page?.html.includes('<script>alert(1)') ?? true);
  }
  // …and the sign-in goes on from the pre-filled field.
  const auth = await authorization(ours, { login_hint: ivanov.phone });
  const browser = new HttpBrowser();
  await browser.goto(auth.url.href);
  await browser.click('submit', { password: ivanov.password });
  t.is(browser.screen(), 'otp');
});

test.serial(
  'end session with id_token_hint: back to post_logout_redirect_uri with the state, and the session is gone',
  async (t) => {
    const { browser, tokens } = await signInAndRedeem(shared.stand, ours);
    const state = oidc.randomState();
    const logout = oidc.buildEndSessionUrl(ours.config, {
      id_token_hint: tokens.id_token!,
      post_logout_redirect_uri: ours.postLogoutUri,
      state,
    });
    await browser.goto(logout.href);
    const back = new URL(browser.page!.url);
    t.is(`${back.origin}${back.pathname}`, ours.postLogoutUri);
    t.is(back.searchParams.get('state'), state);
    const silent = await authorization(ours, { prompt: 'none' });
    await browser.goto(silent.url.href);
    t.is(callbackOf(ours, browser)?.searchParams.get('error'), 'login_required');
  },
);

test.serial('end session with a tampered id_token_hint is refused on a Russian error page', async (t) => {
  const { browser, tokens } = await signInAndRedeem(shared.stand, ours);
  const [header, payload] = tokens.id_token!.split('.');
  const logout = oidc.buildEndSessionUrl(ours.config, {
    id_token_hint: `${header}.${payload}.AAAA`,
    post_logout_redirect_uri: ours.postLogoutUri,
  });
  await browser.goto(logout.href);
  t.is(browser.page?.status, 400);
  t.is(browser.screen(), 'error');
  t.regex(browser.page?.html ?? '', /id_token_hint/);
});

async function keyPair(): Promise<{ privateKey: CryptoKey; jwk: JsonWebKey & { kid: string; alg: string } }> {
  const { privateKey, publicKey } = await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, [
    'sign',
    'verify',
  ]);
  const jwk = await webcrypto.subtle.exportKey('jwk', publicKey);
  return { privateKey, jwk: { ...jwk, kid: `k-${Math.random().toString(36).slice(2)}`, alg: 'ES256' } };
}

test.serial(
  'private_key_jwt: a client registered with its public JWKS authenticates by a signed assertion (openid-client PrivateKeyJwt)',
  async (t) => {
    const { privateKey, jwk } = await keyPair();
    const client = await registerClient(
      shared.stand,
      { token_endpoint_auth_method: 'private_key_jwt', jwks: { keys: [jwk] }, first_party: true },
      oidc.PrivateKeyJwt({ key: privateKey, kid: jwk.kid }),
    );
    t.true(client.config.serverMetadata().token_endpoint_auth_methods_supported?.includes('private_key_jwt'));
    const { tokens } = await signInAndRedeem(shared.stand, client, {
      scope: 'openid offline_access',
      prompt: 'consent',
    });
    t.is(tokens.claims()?.sub, ivanov.sub);
    const refreshed = await oidc.refreshTokenGrant(client.config, tokens.refresh_token!);
    t.truthy(refreshed.access_token, 'the refresh grant authenticates the same way');
  },
);

test.serial("private_key_jwt: an assertion signed with a key not in the client's JWKS is invalid_client", async (t) => {
  const registered = await keyPair();
  const stranger = await keyPair();
  const client = await registerClient(
    shared.stand,
    { token_endpoint_auth_method: 'private_key_jwt', jwks: { keys: [registered.jwk] }, first_party: true },
    oidc.PrivateKeyJwt({ key: stranger.privateKey, kid: registered.jwk.kid }),
  );
  const { browser, auth } = await signInTo(shared.stand, client);
  const error = await t.throwsAsync(redeem(client, browser, auth));
  t.is((error as oidc.ResponseBodyError).error, 'invalid_client');
});
