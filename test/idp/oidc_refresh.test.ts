/*
 * Refresh tokens on the OIDC face, as openid-client sees them: offline_access with prompt=consent
 * yields one, every refresh rotates it, and a rotated-away token used again revokes the whole grant.
 */
import test from 'ava';
import * as oidc from 'openid-client';
import { ivanov, offline, registerClient, signInAndRedeem } from '../helpers/oidc_client.ts';
import { sharedStand } from '../helpers/stand.ts';

const shared = sharedStand();

test.serial('discovery lists offline_access and the refresh_token grant', async (t) => {
  const client = await registerClient(shared.stand);
  const meta = client.config.serverMetadata();
  t.true(meta.scopes_supported?.includes('offline_access'));
  t.true(meta.grant_types_supported?.includes('refresh_token'));
});

test.serial('without prompt=consent offline_access is dropped (OIDC Core 11): no refresh token', async (t) => {
  const client = await registerClient(shared.stand, { first_party: true });
  const { tokens } = await signInAndRedeem(shared.stand, client, { scope: 'openid offline_access' });
  t.is(tokens.refresh_token, undefined);
  t.false(tokens.scope?.split(' ').includes('offline_access') ?? false);
});

test.serial(
  'refreshTokenGrant gives new tokens and a new refresh token each time; reusing a rotated-away one revokes the grant',
  async (t) => {
    const client = await registerClient(shared.stand);
    const { tokens } = await signInAndRedeem(shared.stand, client, offline);
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
  },
);

test.serial('a refresh token is refused to another client', async (t) => {
  const owner = await registerClient(shared.stand);
  const other = await registerClient(shared.stand);
  const { tokens } = await signInAndRedeem(shared.stand, owner, offline);
  const error = await t.throwsAsync(oidc.refreshTokenGrant(other.config, tokens.refresh_token!));
  t.is((error as oidc.ResponseBodyError).error, 'invalid_grant');
});

test.serial(
  'offline means offline: the refresh token outlives logout, while tokens without offline_access end with the session',
  async (t) => {
    const client = await registerClient(shared.stand);
    const { browser, tokens } = await signInAndRedeem(shared.stand, client, offline);
    const online = await signInAndRedeem(shared.stand, client, { scope: 'openid profile' }, browser);
    const logout = oidc.buildEndSessionUrl(client.config, {
      id_token_hint: tokens.id_token!,
      post_logout_redirect_uri: client.postLogoutUri,
    });
    await browser.goto(logout.href);
    t.true(browser.page?.url.startsWith(client.postLogoutUri));
    t.truthy((await oidc.refreshTokenGrant(client.config, tokens.refresh_token!)).access_token);
    t.false((await oidc.tokenIntrospection(client.config, online.tokens.access_token)).active);
  },
);
