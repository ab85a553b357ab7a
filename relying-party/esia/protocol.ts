/*
 * The ESIA wire protocol from a system's side: signed authorization URLs and token requests of
 * both generations, as real client libraries build them (PHP, Python and Node ESIA clients). Used by the reference
 * RP's ESIA mode, the protocol tests (which tamper with what it builds) and the benchmark.
 *
 *   v1  /aas/oauth2/ac + /te      client_secret = CMS SignedData (GOST or RSA) over scope+timestamp+client_id+state
 *   v2  /aas/oauth2/v2/ac + /v3/te  raw GOST over client_id+scope+timestamp+state+redirect_uri[+code]
 */
import { randomUUID } from 'node:crypto';
import {
  clientCertificateHash,
  encodeBase64Url,
  importPrivateKey,
  signCmsClientSecret,
  signRawClientSecret,
  type SignatureLayout,
} from '../../lib/gost/index.ts';
import { signRsaCms } from '../../lib/pki/rsa.ts';

export type EsiaVersion = 'v1' | 'v2';

export interface EsiaSigner {
  /** raw: v2/v3 64-byte GOST; cms-gost / cms-rsa: v1 PKCS#7. */
  kind: 'raw' | 'cms-gost' | 'cms-rsa';
  certificatePem: string;
  privateKeyPem: string;
  /** raw only: 'openssl' (what ESIA wants) or 'cryptopro' (byte-reversed). */
  layout?: SignatureLayout;
  /** CMS only. */
  detached?: boolean;
  signedAttributes?: boolean;
}

/** `yyyy.MM.dd HH:mm:ss +hhmm` in the given offset (minutes east of UTC), e.g. +0300. */
export function esiaTimestamp(date: Date = new Date(), offsetMinutes = 0): string {
  const local = new Date(date.getTime() + offsetMinutes * 60_000);
  const two = (n: number) => String(n).padStart(2, '0');
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  return `${local.getUTCFullYear()}.${two(local.getUTCMonth() + 1)}.${two(local.getUTCDate())} ${two(local.getUTCHours())}:${two(local.getUTCMinutes())}:${two(local.getUTCSeconds())} ${sign}${two(Math.floor(abs / 60))}${two(abs % 60)}`;
}

export async function signMessage(signer: EsiaSigner, message: string): Promise<string> {
  if (signer.kind === 'raw')
    return signRawClientSecret(importPrivateKey(signer.privateKeyPem), message, signer.layout ?? 'openssl');
  const options = { detached: signer.detached ?? true, signedAttributes: signer.signedAttributes ?? false };
  if (signer.kind === 'cms-gost')
    return signCmsClientSecret(importPrivateKey(signer.privateKeyPem), signer.certificatePem, message, options);
  return encodeBase64Url(await signRsaCms(message, signer.certificatePem, signer.privateKeyPem, options));
}

/** The string a request signs, per generation and grant (the emulator's documented orders). */
export function signedString(
  version: EsiaVersion,
  p: Record<string, string | undefined>,
  grant?: 'authorization_code' | 'refresh_token' | 'client_credentials',
): string {
  const v = (...names: string[]) => names.map((n) => p[n] ?? '').join('');
  if (version === 'v1') return v('scope', 'timestamp', 'client_id', 'state');
  if (grant === 'authorization_code')
    return v('client_id', 'scope', 'scope_org', 'timestamp', 'state', 'redirect_uri', 'code');
  return v('client_id', 'scope', 'scope_org', 'timestamp', 'state', 'redirect_uri');
}

export interface AuthorizationRequest {
  base: string;
  version: EsiaVersion;
  clientId: string;
  scope: string;
  redirectUri: string;
  signer: EsiaSigner;
  state?: string;
  timestamp?: string;
  accessType?: 'online' | 'offline';
  /** Extra parameters (person_filter, scope_org, display…), sent unsigned unless named in signedString. */
  extra?: Record<string, string>;
}

export async function authorizationParams(r: AuthorizationRequest): Promise<Record<string, string>> {
  const params: Record<string, string> = {
    client_id: r.clientId,
    scope: r.scope,
    response_type: 'code',
    redirect_uri: r.redirectUri,
    state: r.state ?? randomUUID(),
    timestamp: r.timestamp ?? esiaTimestamp(),
    access_type: r.accessType ?? 'offline',
    ...r.extra,
  };
  params.client_secret = await signMessage(r.signer, signedString(r.version, params));
  if (r.version === 'v2') params.client_certificate_hash = clientCertificateHash(r.signer.certificatePem).toUpperCase();
  return params;
}

export function authorizationPath(version: EsiaVersion): string {
  return version === 'v1' ? '/aas/oauth2/ac' : '/aas/oauth2/v2/ac';
}

export function tokenPath(version: EsiaVersion): string {
  return version === 'v1' ? '/aas/oauth2/te' : '/aas/oauth2/v3/te';
}

export async function authorizationUrl(r: AuthorizationRequest): Promise<URL> {
  const url = new URL(authorizationPath(r.version), r.base);
  url.search = new URLSearchParams(await authorizationParams(r)).toString();
  return url;
}

export interface TokenRequest {
  version: EsiaVersion;
  clientId: string;
  signer: EsiaSigner;
  grant: 'authorization_code' | 'refresh_token' | 'client_credentials';
  scope: string;
  redirectUri?: string;
  code?: string;
  refreshToken?: string;
  state?: string;
  timestamp?: string;
  extra?: Record<string, string>;
}

export async function tokenParams(r: TokenRequest): Promise<Record<string, string>> {
  const params: Record<string, string> = {
    client_id: r.clientId,
    grant_type: r.grant,
    scope: r.scope,
    state: r.state ?? randomUUID(),
    timestamp: r.timestamp ?? esiaTimestamp(),
    token_type: 'Bearer',
    ...(r.redirectUri ? { redirect_uri: r.redirectUri } : {}),
    ...(r.code ? { code: r.code } : {}),
    ...(r.refreshToken ? { refresh_token: r.refreshToken } : {}),
    ...r.extra,
  };
  params.client_secret = await signMessage(r.signer, signedString(r.version, params, r.grant));
  if (r.version === 'v2') params.client_certificate_hash = clientCertificateHash(r.signer.certificatePem);
  return params;
}

export interface TokenAnswer {
  status: number;
  body: Record<string, unknown>;
  reference?: string;
  /** Retry-After of a 503 (E3). */
  retryAfter?: string;
}

export async function postToken(
  base: string,
  version: EsiaVersion,
  params: Record<string, string>,
  send: (
    url: URL,
    init: { method: string; headers: Record<string, string>; body: string },
  ) => Promise<Response> = fetch,
): Promise<TokenAnswer> {
  const res = await send(new URL(tokenPath(version), base), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(params).toString(),
  });
  const body = (await res.json().catch(() => ({}))) as Record<string, unknown>;
  return {
    status: res.status,
    body,
    ...(res.headers.get('x-esia-reference') ? { reference: res.headers.get('x-esia-reference')! } : {}),
    ...(res.headers.get('retry-after') ? { retryAfter: res.headers.get('retry-after')! } : {}),
  };
}

/** Header and payload of a compact JWT, without checking the signature. */
export function decodeJwt(token: string): { header: Record<string, unknown>; payload: Record<string, unknown> } {
  const [h, p] = token.split('.');
  const json = (part: string | undefined) =>
    JSON.parse(Buffer.from(part ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
  return { header: json(h), payload: json(p) };
}
