/*
 * Refresh tokens and consent on the OIDC face, as openid-client sees them: offline_access with
 * prompt=consent yields a refresh token, every refresh rotates it, and a rotated-away token used
 * again revokes the whole grant. Third-party clients meet the consent screen; first-party ones do not.
 */
import test from 'ava';
import * as oidc from 'openid-client';
import { HttpBrowser } from '../../scenarios/runner/http_browser.ts';
import { type Stand, startStand } from '../../scenarios/runner/stand.ts';
import { authorization, callbackOf, ivanov, redeem, registerClient, signInAndRedeem, signInAsIvanov } from '../helpers/oidc_client.ts';

let stand: Stand;
test.before(async () => {
  stand = await startStand();
});
test.after.always(() => stand?.close());

const offline = { scope: 'openid profile snils offline_access', prompt: 'consent' };

test.serial('discovery lists offline_access and the refresh_token grant', async (t) => {
  const client = await registerClient(stand);
  const meta = client.config.serverMetadata();
  t.true(meta.scopes_supported?.includes('offline_access'));
  t.true(meta.grant_types_supported?.includes('refresh_token'));
});

test.serial('a third-party client is shown the consent screen in Russian, with its name and the data it asks for', async (t) => {
  const client = await registerClient(stand);
  const auth = await authorization(client, offline);
  const browser = new HttpBrowser();
  await browser.goto(auth.url.href);
  await signInAsIvanov(stand, browser);
  t.is(browser.screen(), 'consent');
  const text = await browser.text();
  t.true(text.includes(`«Тестовая система ${client.id}»`), text);
  t.true(text.includes('СНИЛС'));
  t.true(text.includes('Фамилия, имя, отчество'));
  t.true(text.includes('без вашего входа'), 'offline_access is explained');
  const scopes = browser.page?.root.querySelectorAll('[data-scope]').map((li) => li.getAttribute('data-scope'));
  t.deepEqual(scopes, ['openid', 'profile', 'snils', 'offline_access']);
  t.truthy(browser.byTestId('consent-allow'));
  t.truthy(browser.byTestId('consent-deny'));
});

test.serial('«Разрешить» yields a code and a refresh token; the grant is remembered, so the next sign-in asks nothing', async (t) => {
  const client = await registerClient(stand);
  const { browser, tokens } = await signInAndRedeem(stand, client, offline);
  t.truthy(tokens.refresh_token);
  t.is(tokens.claims()?.sub, ivanov.sub);
  t.true(tokens.scope?.split(' ').includes('offline_access'));
  // Same browser, same scopes without prompt=consent: straight back with a code.
  const again = await authorization(client, { scope: 'openid profile snils' });
  await browser.goto(again.url.href);
  t.truthy(callbackOf(client, browser)?.searchParams.get('code'), `screen ${browser.screen()}`);
});

test.serial('the consent is remembered for the account: signing in anew in another browser asks for no consent', async (t) => {
  const client = await registerClient(stand);
  await signInAndRedeem(stand, client, offline);
  const auth = await authorization(client, { scope: 'openid profile snils offline_access' });
  const browser = new HttpBrowser();
  await browser.goto(auth.url.href);
  await signInAsIvanov(stand, browser);
  t.truthy(callbackOf(client, browser), `expected the client's callback, got screen "${browser.screen()}"`);
  // More than was granted: only the new scope is asked.
  const more = await authorization(client, { scope: 'openid profile snils inn' });
  await browser.goto(more.url.href);
  t.is(browser.screen(), 'consent');
  t.deepEqual(browser.page?.root.querySelectorAll('[data-scope]').map((li) => li.getAttribute('data-scope')), ['inn']);
});

test.serial('«Отказать» returns access_denied to the client', async (t) => {
  const client = await registerClient(stand);
  const auth = await authorization(client, offline);
  const browser = new HttpBrowser();
  await browser.goto(auth.url.href);
  await signInAsIvanov(stand, browser);
  await browser.click('consent-deny');
  const callback = callbackOf(client, browser);
  t.is(callback?.searchParams.get('error'), 'access_denied');
  t.is(callback?.searchParams.get('state'), auth.state);
  t.regex(callback?.searchParams.get('error_description') ?? '', /refused to grant openid profile snils offline_access/);
  await t.throwsAsync(redeem(client, browser, auth), { message: /access_denied|authorization response/ });
});

test.serial('prompt=consent for a first-party client is answered without a screen, and a password and code are asked once', async (t) => {
  const client = await registerClient(stand, { first_party: true });
  const auth = await authorization(client, offline);
  const browser = new HttpBrowser();
  await browser.goto(auth.url.href);
  await signInAsIvanov(stand, browser);
  t.truthy(callbackOf(client, browser), `expected the client's callback, got screen "${browser.screen()}"`);
  t.is(browser.history.filter((p) => p.screen === 'login').length, 1, 'the login screen is not shown again');
  const tokens = await redeem(client, browser, auth);
  t.truthy(tokens.refresh_token);
});

test.serial('without prompt=consent offline_access is dropped (OIDC Core 11): no refresh token', async (t) => {
  const client = await registerClient(stand, { first_party: true });
  const { tokens } = await signInAndRedeem(stand, client, { scope: 'openid offline_access' });
  t.is(tokens.refresh_token, undefined);
  t.false(tokens.scope?.split(' ').includes('offline_access') ?? false);
});

test.serial('refreshTokenGrant gives new tokens and a new refresh token each time; reusing a rotated-away one revokes the grant', async (t) => {
  const client = await registerClient(stand);
  const { tokens } = await signInAndRedeem(stand, client, offline);
  const first = tokens.refresh_token!;
  const refreshed = await oidc.refreshTokenGrant(client.config, first);
  t.truthy(refreshed.access_token);
  t.is(refreshed.claims()?.sub, ivanov.sub, 'a new id_token for the same person');
  const second = refreshed.refresh_token!;
  t.truthy(second);
  t.not(second, first, 'rotated');
  // The old one again: oidc-provider sees it consumed, refuses it and revokes the grant it belonged to.
  const reuse = await t.throwsAsync(oidc.refreshTokenGrant(client.config, first));
  t.is((reuse as oidc.ResponseBodyError).error, 'invalid_grant');
  const afterRevocation = await t.throwsAsync(oidc.refreshTokenGrant(client.config, second));
  t.is((afterRevocation as oidc.ResponseBodyError).error, 'invalid_grant', 'the newer token died with the grant');
  const introspection = await oidc.tokenIntrospection(client.config, refreshed.access_token);
  t.false(introspection.active, 'so did the access token');
});

test.serial('a refresh token is refused to another client', async (t) => {
  const owner = await registerClient(stand);
  const other = await registerClient(stand);
  const { tokens } = await signInAndRedeem(stand, owner, offline);
  const error = await t.throwsAsync(oidc.refreshTokenGrant(other.config, tokens.refresh_token!));
  t.is((error as oidc.ResponseBodyError).error, 'invalid_grant');
});

test.serial('a client registered with a non-boolean first_party is refused with the field named', async (t) => {
  const error = await t.throwsAsync(registerClient(stand, { first_party: 'yes' }));
  t.regex(error?.message ?? '', /first_party must be true or false/);
});
