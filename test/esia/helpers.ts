/* Shared by the ESIA protocol tests: a stand, signers of its test systems, and a login through the real screens. */
import { HttpBrowser } from '../../scenarios/runner/http_browser.ts';
import { esiaSystemIds, signerOf } from '../../scenarios/runner/esia_stand.ts';
import type { Stand } from '../../scenarios/runner/stand.ts';
import {
  authorizationParams,
  authorizationPath,
  type AuthorizationRequest,
  type EsiaSigner,
} from '../../relying-party/esia/protocol.ts';

export const ids = esiaSystemIds;
export const scope = 'openid fullname birthdate gender snils inn id_doc email mobile contacts';

export async function signers(stand: Stand) {
  const dir = stand.keysDir!;
  return {
    raw: await signerOf(dir, ids.proto, 'raw'),
    cmsGost: await signerOf(dir, ids.proto, 'cms-gost'),
    cmsRsa: await signerOf(dir, ids.proto, 'cms-rsa'),
    limited: await signerOf(dir, ids.limited, 'raw'),
  };
}

export function authRequest(
  stand: Stand,
  signer: EsiaSigner,
  over: Partial<AuthorizationRequest> = {},
): AuthorizationRequest {
  return {
    base: stand.idp,
    version: signer.kind === 'raw' ? 'v2' : 'v1',
    clientId: ids.proto,
    scope,
    redirectUri: `${stand.sink}/cb`,
    signer,
    ...over,
  };
}

export function urlOf(stand: Stand, version: 'v1' | 'v2', params: Record<string, string>): string {
  const url = new URL(authorizationPath(version), stand.idp);
  url.search = new URLSearchParams(params).toString();
  return url.href;
}

/** GET without following: where the emulator sends the browser, and the refusal's reference. */
export async function peek(
  url: string,
): Promise<{ status: number; location: URL | null; reference: string | null; html: string }> {
  const res = await fetch(url, { redirect: 'manual' });
  const location = res.headers.get('location');
  return {
    status: res.status,
    location: location ? new URL(location, url) : null,
    reference: res.headers.get('x-esia-reference'),
    html: await res.text(),
  };
}

export interface Callback {
  code: string;
  state: string;
  error: string;
  errorCode: string;
  browser: HttpBrowser;
}

/** Opens an authorization URL and signs in as a persona through the real screens (password + SMS). */
export async function login(
  stand: Stand,
  url: string,
  phone = '+79000000001',
  browser = new HttpBrowser(),
): Promise<Callback> {
  await browser.goto(url);
  if (browser.current()?.screen === 'login') {
    await browser.click('submit', { identifier: phone, password: 'Test-1234' });
    const sms = await stand.control<{ messages: Array<{ code: string }> }>(
      'GET',
      `/inbox/sms?to=${encodeURIComponent(phone)}`,
    );
    await browser.click('submit', { code: sms.messages[0]!.code });
  }
  if (browser.current()?.screen !== 'system-callback') throw new Error(`ended on ${JSON.stringify(browser.current())}`);
  return {
    code: (await browser.attribute('callback', 'data-code')) ?? '',
    state: (await browser.attribute('callback', 'data-state')) ?? '',
    error: (await browser.attribute('callback', 'data-error')) ?? '',
    errorCode: browser.current()?.error ?? '',
    browser,
  };
}

export async function params(r: AuthorizationRequest) {
  return authorizationParams(r);
}
