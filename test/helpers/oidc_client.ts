/*
 * A standard OIDC client (openid-client 6) against a test stand, and a person signing in over HTTP:
 * clients are registered at run time with the stand's capture page as redirect_uri, so the browser
 * stops there with the code and the test redeems it itself. Ivanov signs in: password, then the SMS code.
 */
import { randomUUID } from 'node:crypto';
import * as oidc from 'openid-client';
import { HttpBrowser } from '../../scenarios/runner/http_browser.ts';
import type { Stand } from '../../scenarios/runner/stand.ts';

export const ivanov = { sub: '1000001013', phone: '+79000000001', password: 'Test-1234' };

/** What a client asks for a refresh token: offline_access, which oidc-provider keeps only with prompt=consent. */
export const offline = { scope: 'openid profile snils offline_access', prompt: 'consent' };

export interface TestClient {
  id: string;
  secret: string;
  redirectUri: string;
  postLogoutUri: string;
  config: oidc.Configuration;
}

/** Registers a client through POST /__control/clients (third-party unless `first_party: true`) and discovers the stand. */
export async function registerClient(
  stand: Stand,
  metadata: Record<string, unknown> = {},
  auth?: oidc.ClientAuth,
): Promise<TestClient> {
  const sink = stand.sink;
  if (!sink) throw new Error('the stand has no capture page (stand.sink)');
  const id = `test-${randomUUID().slice(0, 8)}`;
  const secret = `secret-${randomUUID()}`;
  const redirectUri = `${sink}/oidc-cb`;
  const postLogoutUri = `${sink}/logged-out`;
  await stand.control('POST', '/clients', {
    client_id: id,
    client_name: `Тестовая система ${id}`,
    ...(auth ? {} : { client_secret: secret }),
    redirect_uris: [redirectUri],
    post_logout_redirect_uris: [postLogoutUri],
    grant_types: ['authorization_code', 'refresh_token'],
    ...metadata,
  });
  const config = await oidc.discovery(new URL(stand.idp), id, auth ? {} : secret, auth, {
    execute: [oidc.allowInsecureRequests],
  });
  return { id, secret, redirectUri, postLogoutUri, config };
}

export interface Authorization {
  url: URL;
  verifier: string;
  state: string;
  nonce: string;
}

/** An authorization request with PKCE, state and nonce; `params` adds or overrides (scope, prompt, max_age, login_hint). */
export async function authorization(client: TestClient, params: Record<string, string> = {}): Promise<Authorization> {
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  const url = oidc.buildAuthorizationUrl(client.config, {
    redirect_uri: client.redirectUri,
    scope: 'openid profile snils',
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    nonce,
    ...params,
  });
  return { url, verifier, state, nonce };
}

/** On the login screen: Ivanov's password, then the SMS code the emulator "sent". */
export async function signInAsIvanov(stand: Stand, browser: HttpBrowser): Promise<void> {
  if (browser.screen() !== 'login')
    throw new Error(`expected the login screen, got "${browser.screen()}" at ${browser.page?.url}`);
  await browser.click('submit', { identifier: ivanov.phone, password: ivanov.password });
  const { messages } = await stand.control<{ messages: Array<{ code: string }> }>(
    'GET',
    `/inbox/sms?to=${encodeURIComponent(ivanov.phone)}`,
  );
  await browser.click('submit', { code: messages[0]?.code ?? '' });
}

/** The URL the browser was sent back to, if it is on the client's redirect_uri. */
export function callbackOf(client: TestClient, browser: HttpBrowser): URL | undefined {
  const url = browser.page?.url;
  return url?.startsWith(client.redirectUri) ? new URL(url) : undefined;
}

/** Redeems the code the browser came back with (authorizationCodeGrant: state, nonce, PKCE, id_token checked). */
export async function redeem(
  client: TestClient,
  browser: HttpBrowser,
  auth: Authorization,
  checks: { maxAge?: number } = {},
) {
  const callback = callbackOf(client, browser);
  if (!callback)
    throw new Error(`the browser is not back at the client: screen "${browser.screen()}" at ${browser.page?.url}`);
  return oidc.authorizationCodeGrant(client.config, callback, {
    pkceCodeVerifier: auth.verifier,
    expectedState: auth.state,
    expectedNonce: auth.nonce,
    ...checks,
  });
}

/** Ivanov starts a sign-in through `client` and, if the login screen comes, signs in; the browser is then on the next screen or back at the client. */
export async function signInTo(
  stand: Stand,
  client: TestClient,
  params: Record<string, string> = {},
  browser = new HttpBrowser(),
) {
  const auth = await authorization(client, params);
  await browser.goto(auth.url.href);
  if (browser.screen() === 'login') await signInAsIvanov(stand, browser);
  return { browser, auth };
}

/** A full sign-in of Ivanov through `client`, answering the consent screen if it comes, and the code redeemed. */
export async function signInAndRedeem(
  stand: Stand,
  client: TestClient,
  params: Record<string, string> = {},
  browser = new HttpBrowser(),
) {
  const { auth } = await signInTo(stand, client, params, browser);
  if (browser.screen() === 'consent') await browser.click('consent-allow');
  return { browser, auth, tokens: await redeem(client, browser, auth) };
}
