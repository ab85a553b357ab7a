/**
 * ESIA `client_secret` helpers on top of the GOST primitives.
 *
 * v2/v3 (`/aas/oauth2/v2/ac`, `/aas/oauth2/v3/te`): `client_secret` = base64url of a raw 64-byte
 * GOST R 34.10-2012 (256) signature with Streebog-256 over the concatenated UTF-8 string; OpenSSL
 * layout (s ‖ r big-endian). Clients built on CryptoPro send the byte-reversed form when they
 * forget to reverse it: `verifyRawClientSecret` reports which layout matched so the caller can
 * decide whether to accept it. The certificate is the one whose Streebog-256 DER hash equals
 * `client_certificate_hash` (see certificate.ts).
 *
 * v1 (`/aas/oauth2/ac`, `/aas/oauth2/te`): `client_secret` = base64url of a CMS SignedData (cms.ts).
 */
import { decodeBase64Loose, encodeBase64Url, utf8 } from './bytes.ts';
import { parseCertificate } from './certificate.ts';
import type { ParsedCertificate } from './certificate.ts';
import { signGostCms } from './cms.ts';
import { gostSign, gostVerifyAnyLayout } from './gost3410.ts';
import type { GostPrivateKey, GostPublicKey, SignatureLayout } from './gost3410.ts';

export interface RawClientSecretResult {
  valid: boolean;
  /** Layout that verified: 'openssl' is what ESIA specifies; 'cryptopro' is the byte-reversed form. */
  layout?: SignatureLayout;
  reason?: string;
}

/** v2/v3 `client_secret`: base64url (no padding) of the OpenSSL-layout signature over `message`. */
export function signRawClientSecret(
  privateKey: GostPrivateKey,
  message: string,
  layout: SignatureLayout = 'openssl',
): string {
  return encodeBase64Url(gostSign(privateKey, utf8(message), { layout }));
}

/**
 * Check a v2/v3 `client_secret` (base64 or base64url, padded or not) over `message` with the
 * certificate's (or a bare) GOST key. Tries every layout; `layout` in the result says which one.
 */
export function verifyRawClientSecret(
  message: string,
  clientSecret: string,
  signer: ParsedCertificate | GostPublicKey | string | Uint8Array,
): RawClientSecretResult {
  let key: GostPublicKey | undefined;
  try {
    if (typeof signer === 'string' || signer instanceof Uint8Array) key = parseCertificate(signer).gostPublicKey;
    else key = 'der' in signer ? signer.gostPublicKey : signer;
  } catch (e) {
    return { valid: false, reason: `certificate unreadable: ${(e as Error).message}` };
  }
  if (!key) return { valid: false, reason: 'certificate has no GOST R 34.10-2012 256-bit key' };
  let sig: Uint8Array;
  try {
    sig = decodeBase64Loose(clientSecret);
  } catch {
    return { valid: false, reason: 'client_secret is not base64/base64url' };
  }
  if (sig.length !== 64) return { valid: false, reason: `client_secret decodes to ${sig.length} bytes, expected 64` };
  const res = gostVerifyAnyLayout(key, utf8(message), sig);
  return res.valid ? { valid: true, layout: res.layout! } : { valid: false, reason: 'signature does not verify' };
}

/** v1 `client_secret`: base64url of a detached (default) GOST CMS SignedData over `message`. */
export function signCmsClientSecret(
  privateKey: GostPrivateKey,
  certificate: string | Uint8Array,
  message: string,
  options: { detached?: boolean; signedAttributes?: boolean } = {},
): string {
  return encodeBase64Url(signGostCms({ content: utf8(message), certificate, privateKey, ...options }));
}
