/*
 * The signed client_secret of both generations, checked over the documented string, with a
 * diagnosis a developer can act on when it fails (see protocol.ts for the orders). Re-exported by
 * protocol.ts.
 *
 * When the signature does not verify over the documented string, every other order real clients
 * are known to use is tried, so the refusal can say "your signature is over the v1 order".
 */
import { createHash } from 'node:crypto';
import {
  decodeBase64Loose,
  streebog256,
  toHex,
  verifyCmsSignedData,
  verifyRawClientSecret,
  type CmsVerifyResult,
} from '../../lib/gost/index.ts';
import { EsiaProtocolError } from './errors.ts';
import type { Params } from './params.ts';
import type { EsiaSettings, EsiaSystem, RegisteredCertificate, SystemRegistry } from './systems.ts';

export type RequestKind = 'v1-ac' | 'v1-te' | 'v2-ac' | 'v3-te-code' | 'v3-te-refresh' | 'v3-te-client_credentials';

const p = (params: Params, ...names: string[]) => names.map((n) => params[n] ?? '').join('');

/** Signed strings: the documented one first, then variants real clients send (accepted ones flagged). */
export function candidateMessages(
  kind: RequestKind,
  params: Params,
): Array<{ name: string; fields: string; message: string; accepted: boolean }> {
  const v1 = {
    name: 'v1 order',
    fields: 'scope + timestamp + client_id + state',
    message: p(params, 'scope', 'timestamp', 'client_id', 'state'),
  };
  const v2 = {
    name: 'v2/ac order',
    fields: 'client_id + scope + scope_org + timestamp + state + redirect_uri',
    message: p(params, 'client_id', 'scope', 'scope_org', 'timestamp', 'state', 'redirect_uri'),
  };
  const v2code = {
    name: 'v3/te code order',
    fields: 'client_id + scope + scope_org + timestamp + state + redirect_uri + code',
    message: p(params, 'client_id', 'scope', 'scope_org', 'timestamp', 'state', 'redirect_uri', 'code'),
  };
  const refreshAis = {
    name: 'refresh order with refresh_token',
    fields: 'client_id + scope + timestamp + state + refresh_token',
    message: p(params, 'client_id', 'scope', 'timestamp', 'state', 'refresh_token'),
  };
  const noRedirect = {
    name: 'v2 order without redirect_uri',
    fields: 'client_id + scope + scope_org + timestamp + state',
    message: p(params, 'client_id', 'scope', 'scope_org', 'timestamp', 'state'),
  };
  const v1WithRedirect = {
    name: 'v1 order + redirect_uri',
    fields: 'scope + timestamp + client_id + state + redirect_uri',
    message: p(params, 'scope', 'timestamp', 'client_id', 'state', 'redirect_uri'),
  };
  const list = (
    accepted: Array<{ name: string; fields: string; message: string }>,
    others: Array<{ name: string; fields: string; message: string }>,
  ) => [...accepted.map((c) => ({ ...c, accepted: true })), ...others.map((c) => ({ ...c, accepted: false }))];
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
  if (settings.strict)
    throw new EsiaProtocolError(
      'ESIA-007053',
      'client_secret contains spaces: a + of base64 was sent without URL-encoding (settings.strict refuses it; encode the parameter, or use base64url)',
    );
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
      [
        toHex(streebog256(new TextEncoder().encode(pemText.trim()))),
        'Streebog-256 of the PEM text (trimmed) instead of the DER bytes',
      ],
      [createHash('sha256').update(der).digest('hex'), 'SHA-256 of the DER (a fingerprint), not Streebog-256'],
      [createHash('sha1').update(der).digest('hex'), 'SHA-1 thumbprint of the DER, not Streebog-256'],
      [toHex(streebog256(der).slice().reverse()), 'Streebog-256 of the DER with the bytes reversed'],
    ];
    for (const [value, what] of variants)
      if (value === h)
        return `client_certificate_hash is the ${what} of certificate ${c.parsed.subject}; send ${c.hash}`;
  }
  return undefined;
}

/** ESIA refuses a certificate that is not active (expired or not yet valid) with 007053. */
function inactive(certificate: RegisteredCertificate): void {
  const now = Date.now();
  const { notBefore, notAfter, subject } = certificate.parsed;
  if (now < notBefore.getTime() || now > notAfter.getTime()) {
    throw new EsiaProtocolError(
      'ESIA-007053',
      `certificate ${subject} is not active: valid from ${notBefore.toISOString()} to ${notAfter.toISOString()}`,
      { notBefore, notAfter },
    );
  }
}

/** Whose key made this signature, when it is not the named certificate's (another certificate of any system). */
function otherSigner(
  message: string,
  secret: string,
  registry: SystemRegistry,
  named: RegisteredCertificate,
): string | undefined {
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
export function verifyRawRequest(
  kind: RequestKind,
  params: Params,
  registry: SystemRegistry,
  system: EsiaSystem,
): Verified {
  const hash = params.client_certificate_hash;
  if (!hash)
    throw new EsiaProtocolError(
      'ESIA-007014',
      'client_certificate_hash is missing (v2/v3 requests must name the certificate by its Streebog-256 DER hash)',
      { parameter: 'client_certificate_hash' },
      'client_certificate_hash',
    );
  const certificate = system.certificates.find((c) => c.hash === hash.trim().toLowerCase());
  if (!certificate) {
    const other = registry.byHash(hash);
    if (other) {
      throw new EsiaProtocolError(
        'ESIA-007002',
        `certificate ${other.certificate.parsed.subject} (hash ${other.certificate.hash}) is registered for system ${other.system.clientId}, not for ${system.clientId}`,
        { client_id: system.clientId, registeredFor: other.system.clientId },
      );
    }
    const mistake = hashMistake(hash, system.certificates);
    throw new EsiaProtocolError(
      'ESIA-007053',
      mistake ??
        `client_certificate_hash ${hash} matches no certificate of system ${system.clientId}; registered: ${system.certificates.map((c) => `${c.hash} (${c.parsed.subject})`).join(', ')}. It must be hex Streebog-256 of the certificate's DER (openssl x509 -outform DER | openssl dgst -md_gost12_256).`,
      { client_certificate_hash: hash, registered: system.certificates.map((c) => c.hash) },
    );
  }
  inactive(certificate);
  if (certificate.kind !== 'gost') {
    throw new EsiaProtocolError(
      'ESIA-007053',
      `certificate ${certificate.parsed.subject} has a ${certificate.kind} key; v2/v3 requests need a GOST R 34.10-2012 (256) key`,
      {},
    );
  }
  const secret = fixSpaces(params.client_secret ?? '', registry.settings);
  let raw: Uint8Array;
  try {
    raw = decodeBase64Loose(secret);
  } catch {
    throw new EsiaProtocolError('ESIA-007053', 'client_secret is not base64 or base64url', {
      client_secret: secret.slice(0, 40),
    });
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
      throw new EsiaProtocolError(
        'ESIA-007053',
        'the signature is in CryptoPro byte order (r ‖ s little-endian); ESIA expects it reversed (s ‖ r big-endian, as OpenSSL writes it). Reverse the 64 bytes before base64url.',
        { layout: 'cryptopro' },
      );
    }
    if (res.layout === 'rs') {
      throw new EsiaProtocolError(
        'ESIA-007053',
        'the signature is r ‖ s big-endian; ESIA expects s ‖ r big-endian (OpenSSL layout)',
        { layout: 'rs' },
      );
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
    const encodedParams = Object.fromEntries(
      Object.entries(params).map(([k, v]) => [k, k === 'client_secret' ? v : encode(v)]),
    );
    const message = candidateMessages(kind, encodedParams)[0]!.message;
    if (verifyRawClientSecret(message, secret, certificate.parsed).valid) {
      throw new EsiaProtocolError(
        'ESIA-007053',
        `the signature is over ${what} («${message}»); sign the decoded values: «${expected}»`,
        { signedString: message, expectedString: expected },
      );
    }
  }
  throw new EsiaProtocolError(
    'ESIA-007053',
    `the signature does not verify with certificate ${certificate.parsed.subject} over the expected string «${expected}» (${candidates[0]!.fields}), nor over any other known field order, encoding, or another registered key. Either a field differs from what was signed (compare each value with the string above: scope, timestamp, state, redirect_uri${kind === 'v3-te-code' ? ', code' : ''}) or the private key is not the certificate's.`,
    {
      expectedOrder: candidates[0]!.fields,
      expectedString: candidates[0]!.message,
      tried: candidates.map((c) => c.fields),
    },
  );
}

/** v1: CMS SignedData (detached or attached, with or without signed attributes), signer certificate registered for the system. */
export async function verifyCmsRequest(
  kind: RequestKind,
  params: Params,
  registry: SystemRegistry,
  system: EsiaSystem,
): Promise<Verified> {
  const secret = fixSpaces(params.client_secret ?? '', registry.settings);
  let der: Uint8Array;
  try {
    der = decodeBase64Loose(secret);
  } catch {
    throw new EsiaProtocolError('ESIA-007053', 'client_secret is not base64 or base64url', {});
  }
  if (der.length === 64) {
    throw new EsiaProtocolError(
      'ESIA-007053',
      'client_secret is a raw 64-byte signature (the v2/v3 form); /aas/oauth2/ac and /te need a CMS/PKCS#7 SignedData. Use /aas/oauth2/v2/ac and /v3/te for raw signatures.',
      {},
    );
  }
  const candidates = candidateMessages(kind, params);
  const certificates = system.certificates.map((c) => c.parsed.der);
  const expected = new TextEncoder().encode(candidates[0]!.message);
  const first: CmsVerifyResult = await verifyCmsSignedData(der, { content: expected, certificates });
  const signer = first.signerCertificate;
  if (signer) {
    const owner = registry.byCertificateDer(signer.der);
    if (owner && registry.settings.strict && !registry.byCertificateDer(signer.der, true)) {
      throw new EsiaProtocolError(
        'ESIA-007002',
        `the CMS embeds a re-encoding of certificate ${owner.certificate.parsed.subject} (same key, different bytes: hash ${toHex(streebog256(signer.der))}, registered ${owner.certificate.hash}); settings.strict requires the registered certificate byte for byte`,
        {},
      );
    }
    if (!owner) {
      throw new EsiaProtocolError(
        'ESIA-007002',
        `the CMS is signed with certificate ${signer.subject} (serial ${signer.serialNumber}, hash ${toHex(streebog256(signer.der))}), which is not registered for system ${system.clientId}`,
        { signer: signer.subject },
      );
    }
    if (owner.system.clientId !== system.clientId) {
      throw new EsiaProtocolError(
        'ESIA-007002',
        `the CMS signer ${signer.subject} is registered for system ${owner.system.clientId}, not for client_id ${system.clientId}`,
        { registeredFor: owner.system.clientId },
      );
    }
  }
  if (first.valid) {
    const certificate = registry.byCertificateDer(signer!.der)!.certificate;
    inactive(certificate);
    return {
      system,
      certificate,
      order: candidates[0]!.fields,
      form: `CMS ${first.attached ? 'attached' : 'detached'}${first.signedAttributes ? ' with signed attributes' : ''}`,
    };
  }
  if (!signer) {
    throw new EsiaProtocolError(
      'ESIA-007053',
      `client_secret is not a usable CMS SignedData: ${first.reason ?? 'unknown reason'}`,
      {},
    );
  }
  for (const c of candidates.slice(1)) {
    const res = await verifyCmsSignedData(der, { content: new TextEncoder().encode(c.message), certificates });
    if (res.valid) {
      throw new EsiaProtocolError(
        'ESIA-007053',
        `the CMS signature is valid over the ${c.name} (${c.fields}), but ${kind} must be signed over ${candidates[0]!.fields} = «${candidates[0]!.message}»`,
        { signedOrder: c.fields },
      );
    }
  }
  const attachedText =
    first.attached && first.content
      ? ` The CMS carries the content «${new TextDecoder().decode(first.content).slice(0, 300)}».`
      : '';
  throw new EsiaProtocolError(
    'ESIA-007053',
    `the CMS signature by ${signer.subject} does not verify over the expected string «${candidates[0]!.message}» (${candidates[0]!.fields}): ${first.reason ?? 'invalid'}.${attachedText}`,
    { expectedString: candidates[0]!.message, reason: first.reason },
  );
}
