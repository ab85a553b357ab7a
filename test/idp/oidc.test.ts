/* The OIDC face as any standard client sees it: discovery, code + PKCE, the id_token's claims, userinfo, logout. */
import test from 'ava';
import * as oidc from 'openid-client';
import { HttpBrowser } from '../../scenarios/runner/http_browser.ts';
import { type Stand, startStand } from '../../scenarios/runner/stand.ts';

let stand: Stand;
test.before(async () => {
  stand = await startStand();
});
test.after.always(() => stand?.close());

async function client(): Promise<oidc.Configuration> {
  return oidc.discovery(new URL(stand.idp), 'fmrm', 'fmrm-local-test-secret', undefined, {
    execute: [oidc.allowInsecureRequests],
  });
}

test('discovery describes a code-flow provider with PKCE and the ESIA claims', async (t) => {
  const meta = (await client()).serverMetadata();
  t.is(meta.issuer, stand.idp);
  t.deepEqual(meta.response_types_supported, ['code']);
  t.deepEqual(meta.code_challenge_methods_supported, ['S256']);
  for (const claim of ['snils', 'inn', 'trust_level', 'acr', 'amr'])
    t.true(meta.claims_supported?.includes(claim), claim);
  t.truthy(meta.end_session_endpoint);
  t.truthy(meta.jwks_uri);
});

test('a full sign-in yields an id_token with ФИО, СНИЛС, trust level and how the user signed in', async (t) => {
  await stand.control('POST', '/reset');
  const config = await client();
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  const redirect = `${stand.rp}/callback`;
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: redirect,
    scope: 'openid profile snils inn trust phone email',
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    nonce,
  });
  const browser = new HttpBrowser();
  await browser.goto(url.href);
  await browser.click('submit', { identifier: '+79000000001', password: 'Test-1234' });
  const { messages } = await stand.control<{ messages: Array<{ code: string }> }>(
    'GET',
    '/inbox/sms?to=%2B79000000001',
  );
  // Stop before the RP's callback: this test is the client.
  const res = await fetch(
    new URL(`/interaction/${/interaction\/([\w-]+)/.exec(browser.page?.url ?? '')?.[1]}/otp`, stand.idp),
    {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        cookie: await browser.jar.getCookieString(browser.page?.url ?? ''),
      },
      body: new URLSearchParams({
        code: messages[0]?.code ?? '',
        csrf_token: browser.page?.root.querySelector('input[name="csrf_token"]')?.getAttribute('value') ?? '',
      }),
      redirect: 'manual',
    },
  );
  let location = res.headers.get('location') ?? '';
  for (const c of res.headers.getSetCookie()) await browser.jar.setCookie(c, stand.idp);
  while (location && !location.startsWith(redirect)) {
    const next = await fetch(new URL(location, stand.idp), {
      headers: { cookie: await browser.jar.getCookieString(new URL(location, stand.idp).href) },
      redirect: 'manual',
    });
    for (const c of next.headers.getSetCookie()) await browser.jar.setCookie(c, stand.idp);
    location = next.headers.get('location') ?? '';
  }
  const tokens = await oidc.authorizationCodeGrant(config, new URL(location), {
    pkceCodeVerifier: verifier,
    expectedState: state,
    expectedNonce: nonce,
  });
  const claims = tokens.claims();
  t.is(claims?.sub, '1000001013');
  t.is(claims?.snils, '112-233-401 83');
  t.is(claims?.inn, '770100000142');
  t.is(claims?.trust_level, 'confirmed');
  t.is(claims?.family_name, 'Иванов');
  t.deepEqual(claims?.amr, ['pwd', 'sms', 'mfa']);
  t.is(claims?.acr, 'urn:esia:acr:mfa');
  const info = await oidc.fetchUserInfo(config, tokens.access_token, '1000001013');
  t.is(info.name, 'Иванов Иван Иванович');
  t.is(info.phone_number, '+79000000001');
  t.true(info.email_verified);
});

test('the token endpoint refuses a wrong client secret with invalid_client', async (t) => {
  const res = await fetch(`${stand.idp}/token`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `Basic ${Buffer.from('fmrm:wrong').toString('base64')}`,
    },
    body: 'grant_type=authorization_code&code=x&redirect_uri=http%3A%2F%2Flocalhost%2Fcb',
  });
  t.is(res.status, 401);
  t.is(((await res.json()) as { error: string }).error, 'invalid_client');
});
