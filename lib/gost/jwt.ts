/**
 * JWTs signed with GOST R 34.10-2012 (256) + Streebog-256, as ESIA issues them when a system picks
 * `GOST3410_2012_256` on the tech portal. The signature is over the ASCII `header.payload` and is the
 * raw 64-byte OpenSSL layout (s ‖ r), base64url: what relying parties check with
 * `openssl dgst -engine gost -md_gost12_256 -verify esia.pub -signature sig`.
 */
import { decodeBase64Loose, encodeBase64Url, utf8 } from './bytes.ts';
import { gostSign, gostVerify } from './gost3410.ts';
import type { GostPrivateKey, GostPublicKey } from './gost3410.ts';

export const GOST_JWT_ALG = 'GOST3410_2012_256';

/** Compact JWS; `alg` is set to GOST3410_2012_256 unless the header already names one. */
export function signGostJwt(
  header: Record<string, unknown>,
  payload: Record<string, unknown>,
  privateKey: GostPrivateKey,
): string {
  const h = encodeBase64Url(utf8(JSON.stringify({ alg: GOST_JWT_ALG, ...header })));
  const p = encodeBase64Url(utf8(JSON.stringify(payload)));
  const signingInput = `${h}.${p}`;
  return `${signingInput}.${encodeBase64Url(gostSign(privateKey, utf8(signingInput)))}`;
}

export interface GostJwtVerifyResult {
  valid: boolean;
  header?: Record<string, unknown>;
  payload?: Record<string, unknown>;
  reason?: string;
}

/** Check the signature (OpenSSL layout only) and decode; claims such as exp are not checked here. */
export function verifyGostJwt(token: string, publicKey: GostPublicKey): GostJwtVerifyResult {
  const parts = token.split('.');
  if (parts.length !== 3) return { valid: false, reason: 'not a compact JWS' };
  const [h, p, s] = parts as [string, string, string];
  let header: Record<string, unknown>;
  let payload: Record<string, unknown>;
  let sig: Uint8Array;
  try {
    header = JSON.parse(new TextDecoder().decode(decodeBase64Loose(h))) as Record<string, unknown>;
    payload = JSON.parse(new TextDecoder().decode(decodeBase64Loose(p))) as Record<string, unknown>;
    sig = decodeBase64Loose(s);
  } catch {
    return { valid: false, reason: 'undecodable JWT' };
  }
  if (header.alg !== GOST_JWT_ALG) return { valid: false, header, payload, reason: `alg is ${String(header.alg)}` };
  if (!gostVerify(publicKey, utf8(`${h}.${p}`), sig))
    return { valid: false, header, payload, reason: 'signature does not verify' };
  return { valid: true, header, payload };
}
