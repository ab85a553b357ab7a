/*
 * Reading and checking ESIA requests: parameters (one value each), the timestamp, and the signed
 * client_secret of both generations, with a diagnosis a developer can act on when it fails.
 *
 *   v1  /aas/oauth2/ac, /te     CMS SignedData over scope + timestamp + client_id + state
 *   v2  /aas/oauth2/v2/ac        raw GOST over client_id + scope [+ scope_org] + timestamp + state + redirect_uri
 *   v3  /aas/oauth2/v3/te        … + code (authorization_code); refresh_token and client_credentials see below
 *
 * When the signature does not verify over the documented string, every other order real clients
 * are known to use is tried, so the refusal can say "your signature is over the v1 order".
 */
import { createHash } from 'node:crypto';
import {
  decodeBase64Loose, streebog256, toHex, verifyCmsSignedData, verifyRawClientSecret, type CmsVerifyResult,
} from '../../lib/gost/index.ts';
import { EsiaProtocolError } from './errors.ts';
import { knownScopes, type EsiaSettings, type EsiaSystem, type RegisteredCertificate, type SystemRegistry } from './systems.ts';

export type Params = Record<string, string>;

/** One value per parameter; a repeated one is ESIA-007003. */
export function readParams(source: Record<string, unknown>): Params {
  const out: Params = {};
  for (const [key, value] of Object.entries(source)) {
    if (Array.isArray(value) && value.every((v) => typeof v === 'string')) {
      throw new EsiaProtocolError('ESIA-007003', `parameter ${key} is given ${value.length} times; ESIA accepts each parameter once`, { parameter: key });
    }
    if (typeof value === 'string') out[key] = value;
    else if (value !== undefined && value !== null) {
      throw new EsiaProtocolError('ESIA-007003', `parameter ${key} is ${Array.isArray(value) ? 'a JSON list' : typeof value === 'object' ? 'a JSON object' : `a JSON ${typeof value}`}; ESIA parameters are text`, { parameter: key });
    }
  }
  return out;
}

export function requireParams(params: Params, names: string[]): void {
  for (const name of names) {
    if (!params[name]) {
      if (name === 'scope') throw new EsiaProtocolError('ESIA-007013', 'the request has no scope', { parameter: 'scope' });
      throw new EsiaProtocolError('ESIA-007014', `mandatory parameter ${name} is missing or empty`, { parameter: name }, name);
    }
  }
}

const timestampPattern = /^(\d{4})\.(\d{2})\.(\d{2}) (\d{2}):(\d{2}):(\d{2})(?:\s*([+\- ])(\d{2}):?(\d{2})|\s*Z)?$/;

/**
 * `yyyy.MM.dd HH:mm:ss Z` as clients send it: +0300, +0000, -0500, +03:00, or a `+` that arrived as
 * a space because the client did not encode it. Returns epoch ms, or a reason.
 */
export function parseTimestamp(text: string, strict = false): { ms: number } | { reason: string } {
  const format = 'yyyy.MM.dd HH:mm:ss Z (e.g. 2026.11.25 12:00:00 +0300)';
  if (strict && !/^\d{4}\.\d{2}\.\d{2} (?:[01]\d|2[0-3]):\d{2}:\d{2} [+-]\d{4}$/.test(text)) {
    return { reason: `"${text}" is not exactly ${format}; settings.strict refuses other forms (hour 24, +03:00, a missing or unencoded +)` };
  }
  const m = timestampPattern.exec(text.trim());
  if (!m) return { reason: `"${text}" is not in the format ${format}` };
  const [, y, mo, d, hh, mi, s, sign, oh, om] = m;
  // Hour 24 is what `toLocaleString('en', { hour12: false })` prints after midnight (passport-esia's
  // timestamp): it means 00 of the same date, so it is read that way.
  const h = hh === '24' ? '00' : hh;
  let ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  if (Number.isNaN(ms) || Number(mo) > 12 || Number(d) > 31 || Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) {
    return { reason: `"${text}" is not a real date and time` };
  }
  if (sign) ms -= (sign === '-' ? -1 : 1) * (Number(oh) * 60 + Number(om)) * 60_000;
  return { ms };
}

export function checkTimestamp(params: Params, settings: EsiaSettings, nowMs: number): void {
  const parsed = parseTimestamp(params.timestamp ?? '', settings.strict);
  if ('reason' in parsed) throw new EsiaProtocolError('ESIA-007015', parsed.reason, { timestamp: params.timestamp });
  const skew = Math.round((parsed.ms - nowMs) / 1000);
  if (Math.abs(skew) > settings.timestampWindowSeconds) {
    throw new EsiaProtocolError(
      'ESIA-007015',
      `timestamp ${params.timestamp} is ${Math.abs(skew)} s ${skew > 0 ? 'ahead of' : 'behind'} the emulator's clock (${new Date(nowMs).toISOString()}); the window is ±${settings.timestampWindowSeconds} s. ${
        Math.abs(skew) >= 3000 && Math.abs(Math.abs(skew) - Math.round(Math.abs(skew) / 3600) * 3600) <= 120
          ? `That is about ${Math.round(Math.abs(skew) / 3600)} h: the time zone offset is probably wrong (local time sent with +0000, or UTC with +0300).`
          : "Check the client's clock."
      }`,
      { timestamp: params.timestamp, skewSeconds: skew, windowSeconds: settings.timestampWindowSeconds },
    );
  }
}

export type RequestKind = 'v1-ac' | 'v1-te' | 'v2-ac' | 'v3-te-code' | 'v3-te-refresh' | 'v3-te-client_credentials';

const p = (params: Params, ...names: string[]) => names.map((n) => params[n] ?? '').join('');

/** Signed strings: the documented one first, then variants real clients send (accepted ones flagged). */
export function candidateMessages(kind: RequestKind, params: Params): Array<{ name: string; fields: string; message: string; accepted: boolean }> {
  const v1 = { name: 'v1 order', fields: 'scope + timestamp + client_id + state', message: p(params, 'scope', 'timestamp', 'client_id', 'state') };
  const v2 = { name: 'v2/ac order', fields: 'client_id + scope + scope_org + timestamp + state + redirect_uri', message: p(params, 'client_id', 'scope', 'scope_org', 'timestamp', 'state', 'redirect_uri') };
  const v2code = { name: 'v3/te code order', fields: 'client_id + scope + scope_org + timestamp + state + redirect_uri + code', message: p(params, 'client_id', 'scope', 'scope_org', 'timestamp', 'state', 'redirect_uri', 'code') };
  const refreshAis = { name: 'refresh order with refresh_token', fields: 'client_id + scope + timestamp + state + refresh_token', message: p(params, 'client_id', 'scope', 'timestamp', 'state', 'refresh_token') };
  const noRedirect = { name: 'v2 order without redirect_uri', fields: 'client_id + scope + scope_org + timestamp + state', message: p(params, 'client_id', 'scope', 'scope_org', 'timestamp', 'state') };
  const v1WithRedirect = { name: 'v1 order + redirect_uri', fields: 'scope + timestamp + client_id + state + redirect_uri', message: p(params, 'scope', 'timestamp', 'client_id', 'state', 'redirect_uri') };
  const list = (accepted: Array<{ name: string; fields: string; message: string }>, others: Array<{ name: string; fields: string; message: string }>) => [
    ...accepted.map((c) => ({ ...c, accepted: true })),
    ...others.map((c) => ({ ...c, accepted: false })),
  ];
  switch (kind) {
    case 'v1-ac':
    case 'v1-te':
      return list([v1], [v2, v2code, v1WithRedirect, noRedirect]);
    case 'v2-ac':
      return list([v2], [v1, noRedirect, v1WithRedirect, v2code]);
    case 'v3-te-code':
      return list([v2code], [v2, v1, refreshAis]);
    case 'v3-te-refresh':
      // Client libraries disagree here: ilimurzin/esia signs in the v2/ac order, AISGorod puts refresh_token last. Both accepted.
      return list([v2, refreshAis], [v2code, v1, noRedirect]);
    case 'v3-te-client_credentials':
      return list([v2, noRedirect], [v1, v2code]);
  }
}

export interface Verified {
  system: EsiaSystem;
  certificate: RegisteredCertificate;
  /** Which signed string matched. */
  order: string;
  /** For raw GOST: 'openssl' or 'cryptopro'. For CMS: attached/detached, attributes. */
  form: string;
}

function fixSpaces(secret: string, settings: EsiaSettings): string {
  // A `+` of standard base64 arrives as a space when the client did not URL-encode it.
  if (!secret.includes(' ')) return secret;
  if (settings.strict) throw new EsiaProtocolError('ESIA-007053', 'client_secret contains spaces: a + of base64 was sent without URL-encoding (settings.strict refuses it; encode the parameter, or use base64url)');
  return secret.replace(/ /g, '+');
}

/** Hash variants developers compute by mistake, to name the mistake. */
function hashMistake(hash: string, certificates: RegisteredCertificate[]): string | undefined {
  const h = hash.trim().toLowerCase();
  for (const c of certificates) {
    const der = c.parsed.der;
    const pemText = c.pem;
    const variants: Array<[string, string]> = [
      [toHex(streebog256(new TextEncoder().encode(pemText))), 'Streebog-256 of the PEM text instead of the DER bytes'],
      [toHex(streebog256(new TextEncoder().encode(pemText.trim()))), 'Streebog-256 of the PEM text (trimmed) instead of the DER bytes'],
      [createHash('sha256').update(der).digest('hex'), 'SHA-256 of the DER (a fingerprint), not Streebog-256'],
      [createHash('sha1').update(der).digest('hex'), 'SHA-1 thumbprint of the DER, not Streebog-256'],
      [toHex(streebog256(der).slice().reverse()), 'Streebog-256 of the DER with the bytes reversed'],
    ];
    for (const [value, what] of variants) if (value === h) return `client_certificate_hash is the ${what} of certificate ${c.parsed.subject}; send ${c.hash}`;
  }
  return undefined;
}

/** ESIA refuses a certificate that is not active (expired or not yet valid) with 007053. */
function inactive(certificate: RegisteredCertificate): void {
  const now = Date.now();
  const { notBefore, notAfter, subject } = certificate.parsed;
  if (now < notBefore.getTime() || now > notAfter.getTime()) {
    throw new EsiaProtocolError('ESIA-007053', `certificate ${subject} is not active: valid from ${notBefore.toISOString()} to ${notAfter.toISOString()}`, { notBefore, notAfter });
  }
}

/** Whose key made this signature, when it is not the named certificate's (another certificate of any system). */
function otherSigner(message: string, secret: string, registry: SystemRegistry, named: RegisteredCertificate): string | undefined {
  for (const system of registry.all()) {
    for (const c of system.certificates) {
      if (c === named || c.kind !== 'gost') continue;
      if (verifyRawClientSecret(message, secret, c.parsed).valid) {
        return `the signature was made with the key of certificate ${c.parsed.subject} (system ${system.clientId}, hash ${c.hash}), but client_certificate_hash names ${named.parsed.subject} (${named.hash}): sign with the key of the certificate you name, or send that certificate's hash`;
      }
    }
  }
  return undefined;
}

/** v2/v3: certificate by client_certificate_hash, then the raw GOST signature over the documented string. */
export function verifyRawRequest(kind: RequestKind, params: Params, registry: SystemRegistry, system: EsiaSystem): Verified {
  const hash = params.client_certificate_hash;
  if (!hash) throw new EsiaProtocolError('ESIA-007014', 'client_certificate_hash is missing (v2/v3 requests must name the certificate by its Streebog-256 DER hash)', { parameter: 'client_certificate_hash' }, 'client_certificate_hash');
  let certificate = system.certificates.find((c) => c.hash === hash.trim().toLowerCase());
  if (!certificate) {
    const other = registry.byHash(hash);
    if (other) {
      throw new EsiaProtocolError('ESIA-007002', `certificate ${other.certificate.parsed.subject} (hash ${other.certificate.hash}) is registered for system ${other.system.clientId}, not for ${system.clientId}`, { client_id: system.clientId, registeredFor: other.system.clientId });
    }
    const mistake = hashMistake(hash, system.certificates);
    throw new EsiaProtocolError(
      'ESIA-007053',
      mistake ?? `client_certificate_hash ${hash} matches no certificate of system ${system.clientId}; registered: ${system.certificates.map((c) => `${c.hash} (${c.parsed.subject})`).join(', ')}. It must be hex Streebog-256 of the certificate's DER (openssl x509 -outform DER | openssl dgst -md_gost12_256).`,
      { client_certificate_hash: hash, registered: system.certificates.map((c) => c.hash) },
    );
  }
  inactive(certificate);
  if (certificate.kind !== 'gost') {
    throw new EsiaProtocolError('ESIA-007053', `certificate ${certificate.parsed.subject} has a ${certificate.kind} key; v2/v3 requests need a GOST R 34.10-2012 (256) key`, {});
  }
  const secret = fixSpaces(params.client_secret ?? '', registry.settings);
  let raw: Uint8Array;
  try {
    raw = decodeBase64Loose(secret);
  } catch {
    throw new EsiaProtocolError('ESIA-007053', 'client_secret is not base64 or base64url', { client_secret: secret.slice(0, 40) });
  }
  if (raw.length !== 64) {
    const looksCms = raw[0] === 0x30;
    throw new EsiaProtocolError(
      'ESIA-007053',
      looksCms
        ? `client_secret is a ${raw.length}-byte DER structure (a CMS/PKCS#7 signature, as for /aas/oauth2/ac and /te); v2/ac and v3/te need the raw 64-byte GOST signature (openssl dgst -md_gost12_256 -sign)`
        : `client_secret decodes to ${raw.length} bytes; a GOST R 34.10-2012 (256) signature is 64 bytes`,
      { bytes: raw.length },
    );
  }
  const candidates = candidateMessages(kind, params);
  const settings = registry.settings;
  for (const c of candidates) {
    const res = verifyRawClientSecret(c.message, secret, certificate.parsed);
    if (!res.valid) continue;
    if (!c.accepted) {
      throw new EsiaProtocolError(
        'ESIA-007053',
        `the signature is valid over the ${c.name} (${c.fields}), but ${kind} must be signed over ${candidates[0]!.fields} = «${candidates[0]!.message}»`,
        { signedOrder: c.fields, expectedOrder: candidates[0]!.fields, expectedString: candidates[0]!.message },
      );
    }
    if (res.layout === 'cryptopro' && (!settings.acceptCryptoProLayout || settings.strict)) {
      throw new EsiaProtocolError('ESIA-007053', 'the signature is in CryptoPro byte order (r ‖ s little-endian); ESIA expects it reversed (s ‖ r big-endian, as OpenSSL writes it). Reverse the 64 bytes before base64url.', { layout: 'cryptopro' });
    }
    if (res.layout === 'rs') {
      throw new EsiaProtocolError('ESIA-007053', 'the signature is r ‖ s big-endian; ESIA expects s ‖ r big-endian (OpenSSL layout)', { layout: 'rs' });
    }
    return { system, certificate, order: c.fields, form: res.layout ?? 'openssl' };
  }
  const expected = candidates[0]!.message;
  const other = otherSigner(expected, secret, registry, certificate);
  if (other) throw new EsiaProtocolError('ESIA-007053', other, { expectedString: expected });
  // Signed over URL-encoded values (spaces as +, or %20), a frequent slip.
  const encodings: Array<[string, (v: string) => string]> = [
    ['scope and timestamp with spaces written as +', (v) => v.replace(/ /g, '+')],
    ['URL-encoded values', (v) => encodeURIComponent(v)],
  ];
  for (const [what, encode] of encodings) {
    const encodedParams = Object.fromEntries(Object.entries(params).map(([k, v]) => [k, k === 'client_secret' ? v : encode(v)]));
    const message = candidateMessages(kind, encodedParams)[0]!.message;
    if (verifyRawClientSecret(message, secret, certificate.parsed).valid) {
      throw new EsiaProtocolError('ESIA-007053', `the signature is over ${what} («${message}»); sign the decoded values: «${expected}»`, { signedString: message, expectedString: expected });
    }
  }
  throw new EsiaProtocolError(
    'ESIA-007053',
    `the signature does not verify with certificate ${certificate.parsed.subject} over the expected string «${expected}» (${candidates[0]!.fields}), nor over any other known field order, encoding, or another registered key. Either a field differs from what was signed (compare each value with the string above: scope, timestamp, state, redirect_uri${kind === 'v3-te-code' ? ', code' : ''}) or the private key is not the certificate's.`,
    { expectedOrder: candidates[0]!.fields, expectedString: candidates[0]!.message, tried: candidates.map((c) => c.fields) },
  );
}

/** v1: CMS SignedData (detached or attached, with or without signed attributes), signer certificate registered for the system. */
export async function verifyCmsRequest(kind: RequestKind, params: Params, registry: SystemRegistry, system: EsiaSystem): Promise<Verified> {
  const secret = fixSpaces(params.client_secret ?? '', registry.settings);
  let der: Uint8Array;
  try {
    der = decodeBase64Loose(secret);
  } catch {
    throw new EsiaProtocolError('ESIA-007053', 'client_secret is not base64 or base64url', {});
  }
  if (der.length === 64) {
    throw new EsiaProtocolError('ESIA-007053', 'client_secret is a raw 64-byte signature (the v2/v3 form); /aas/oauth2/ac and /te need a CMS/PKCS#7 SignedData. Use /aas/oauth2/v2/ac and /v3/te for raw signatures.', {});
  }
  const candidates = candidateMessages(kind, params);
  const certificates = system.certificates.map((c) => c.parsed.der);
  const expected = new TextEncoder().encode(candidates[0]!.message);
  const first: CmsVerifyResult = await verifyCmsSignedData(der, { content: expected, certificates });
  const signer = first.signerCertificate;
  if (signer) {
    const owner = registry.byCertificateDer(signer.der);
    if (owner && registry.settings.strict && !registry.byCertificateDer(signer.der, true)) {
      throw new EsiaProtocolError('ESIA-007002', `the CMS embeds a re-encoding of certificate ${owner.certificate.parsed.subject} (same key, different bytes: hash ${toHex(streebog256(signer.der))}, registered ${owner.certificate.hash}); settings.strict requires the registered certificate byte for byte`, {});
    }
    if (!owner) {
      throw new EsiaProtocolError('ESIA-007002', `the CMS is signed with certificate ${signer.subject} (serial ${signer.serialNumber}, hash ${toHex(streebog256(signer.der))}), which is not registered for system ${system.clientId}`, { signer: signer.subject });
    }
    if (owner.system.clientId !== system.clientId) {
      throw new EsiaProtocolError('ESIA-007002', `the CMS signer ${signer.subject} is registered for system ${owner.system.clientId}, not for client_id ${system.clientId}`, { registeredFor: owner.system.clientId });
    }
  }
  if (first.valid) {
    const certificate = registry.byCertificateDer(signer!.der)!.certificate;
    inactive(certificate);
    return { system, certificate, order: candidates[0]!.fields, form: `CMS ${first.attached ? 'attached' : 'detached'}${first.signedAttributes ? ' with signed attributes' : ''}` };
  }
  if (!signer) {
    throw new EsiaProtocolError('ESIA-007053', `client_secret is not a usable CMS SignedData: ${first.reason ?? 'unknown reason'}`, {});
  }
  for (const c of candidates.slice(1)) {
    const res = await verifyCmsSignedData(der, { content: new TextEncoder().encode(c.message), certificates });
    if (res.valid) {
      throw new EsiaProtocolError('ESIA-007053', `the CMS signature is valid over the ${c.name} (${c.fields}), but ${kind} must be signed over ${candidates[0]!.fields} = «${candidates[0]!.message}»`, { signedOrder: c.fields });
    }
  }
  const attachedText = first.attached && first.content ? ` The CMS carries the content «${new TextDecoder().decode(first.content).slice(0, 300)}».` : '';
  throw new EsiaProtocolError(
    'ESIA-007053',
    `the CMS signature by ${signer.subject} does not verify over the expected string «${candidates[0]!.message}» (${candidates[0]!.fields}): ${first.reason ?? 'invalid'}.${attachedText}`,
    { expectedString: candidates[0]!.message, reason: first.reason },
  );
}

/** Scopes of a request: known, allowed for the system. `?oid=`/`?org_oid=` suffixes and URI forms are kept. */
export function checkScopes(scope: string, system: EsiaSystem): string[] {
  const scopes = scope.split(/[\s+]+/).filter(Boolean);
  if (scopes.length === 0) throw new EsiaProtocolError('ESIA-007013', 'scope is empty');
  for (const s of scopes) {
    const name = scopeName(s);
    if (!knownScopes.includes(name)) {
      const near = knownScopes.find((k) => distance(k, name) <= 2);
      throw new EsiaProtocolError('ESIA-007006', `scope "${s}" is unknown${near ? ` (did you mean "${near}"?)` : ''}; scopes are separated by spaces`, { scope: s });
    }
    if (!system.scopes.includes(name)) {
      const known = (system.scopes as string[]).length;
      throw new EsiaProtocolError(
        'ESIA-007006',
        `scope "${s}" is not allowed for system ${system.clientId}${known ? ` (allowed: ${system.scopes.join(' ')})` : ''}`,
        { scope: s, allowed: system.scopes },
      );
    }
  }
  return scopes;
}

/** "http://esia.gosuslugi.ru/usr_inf?oid=1" → "usr_inf". */
export function scopeName(scope: string): string {
  return scope.replace(/^https?:\/\/[^/]+\//, '').replace(/\?.*$/, '');
}

export function checkRedirectUri(redirectUri: string, system: EsiaSystem): void {
  if (!system.redirectUris.includes(redirectUri)) {
    throw new EsiaProtocolError(
      'ESIA-007023',
      `redirect_uri ${redirectUri} is not registered for system ${system.clientId}; registered: ${system.redirectUris.join(', ')} (compared exactly, including scheme, port, path and trailing slash)`,
      { redirect_uri: redirectUri, registered: system.redirectUris },
    );
  }
}

/** Levenshtein distance, for "did you mean". */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length]!;
}
