/*
 * The OIDC face as a third-party system uses it (step `oidcAuthorize`): a client registered at run
 * time without "first_party", so the user meets the consent screen; its redirect_uri is the stand's
 * capture page, which shows the code or the error the system received.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Driver } from './driver.ts';
import { ScenarioError } from './scenario_error.ts';
import type { Stand } from './stand.ts';

export const thirdPartyClientId = 'third-party-clinic';

type Control = <T = unknown>(method: string, path: string, body?: unknown) => Promise<T>;

export async function oidcAuthorize(
  stand: Stand,
  control: Control,
  browser: Driver,
  step: { scope?: string; prompt?: string },
): Promise<void> {
  if (!stand.sink)
    throw new ScenarioError(
      'this stand has no capture page (sink) for the third-party client; run against an in-process stand',
    );
  const redirectUri = `${stand.sink}/oidc-cb`;
  // Registering again replaces the same client: every scenario may start with it.
  await control('POST', '/clients', {
    client_id: thirdPartyClientId,
    client_name: 'Запись к врачу (сторонняя тестовая система)',
    client_secret: 'third-party-local-test-secret',
    redirect_uris: [redirectUri],
    grant_types: ['authorization_code', 'refresh_token'],
  });
  const verifier = randomBytes(32).toString('base64url');
  const url = new URL('/auth', stand.idp);
  url.search = new URLSearchParams({
    client_id: thirdPartyClientId,
    response_type: 'code',
    redirect_uri: redirectUri,
    scope: step.scope ?? 'openid profile snils',
    state: randomBytes(12).toString('base64url'),
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
    ...(step.prompt ? { prompt: step.prompt } : {}),
  }).toString();
  await browser.goto(url.href);
}
