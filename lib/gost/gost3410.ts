/**
 * GOST R 34.10-2012 signatures with 256-bit keys (RFC 7091), on @noble/curves point arithmetic.
 *
 *   sign:   e = digest mod q (0 -> 1); k random in [1, q-1]; r = (kG).x mod q; s = (r·d + k·e) mod q
 *   verify: v = e^-1; z1 = s·v; z2 = -r·v; R = (z1·G + z2·Q).x mod q; accept iff R = r
 *
 * Byte conventions (the ones OpenSSL's gost engine uses, and hence ESIA's v2/v3 `client_secret`):
 * - the Streebog digest bytes are read as a LITTLE-endian integer e;
 * - the 64-byte signature is s ‖ r, each 32 bytes big-endian (layout 'openssl');
 * - CryptoPro tools emit the exact byte reverse of that (layout 'cryptopro');
 * - 'rs' is r ‖ s big-endian, as the standard prints the pair (some libraries emit it).
 * Public keys in certificates are x ‖ y, each 32 bytes little-endian, wrapped in an OCTET STRING;
 * private keys in OpenSSL's PKCS#8 are 32 bytes little-endian.
 */
import { randomBytes } from 'node:crypto';
import type { WeierstrassPoint } from '@noble/curves/abstract/weierstrass.js';
import { bigIntToBytesBE, bigIntToBytesLE, bytesToBigIntBE, bytesToBigIntLE, reversed } from './bytes.ts';
import { DEFAULT_PARAM_SET, getParamSet } from './params.ts';
import type { GostParamSet } from './params.ts';
import { streebog256 } from './streebog.ts';

export interface GostPublicKey {
  /** OID of the curve parameter set. */
  paramSet: string;
  x: bigint;
  y: bigint;
}

export interface GostPrivateKey {
  paramSet: string;
  /** Secret scalar d, 0 < d < q. */
  d: bigint;
}

export interface GostKeyPair {
  privateKey: GostPrivateKey;
  publicKey: GostPublicKey;
}

export type SignatureLayout = 'openssl' | 'cryptopro' | 'rs';

/** Order in which `gostVerifyAnyLayout` tries layouts. */
export const SIGNATURE_LAYOUTS: readonly SignatureLayout[] = ['openssl', 'cryptopro', 'rs'];

export interface DigestOptions {
  /** How digest bytes become the integer e. Default 'le' (OpenSSL gost engine, CryptoPro). */
  digestByteOrder?: 'le' | 'be';
}

export interface SignOptions extends DigestOptions {
  /** Output layout, default 'openssl' (s ‖ r big-endian). */
  layout?: SignatureLayout;
  /** Fixed nonce, for known-answer tests only. */
  k?: bigint;
}

export interface VerifyOptions extends DigestOptions {
  /** Layout of `signature`, default 'openssl'. */
  layout?: SignatureLayout;
  /** `data` is already a 32-byte Streebog-256 digest (default false: `data` is the message). */
  prehashed?: boolean;
}

function mod(a: bigint, m: bigint): bigint {
  const r = a % m;
  return r < 0n ? r + m : r;
}

function randomScalar(q: bigint): bigint {
  // 16 extra bytes make the modulo bias negligible (< 2^-128).
  return mod(bytesToBigIntBE(new Uint8Array(randomBytes(48))), q - 1n) + 1n;
}

function digestToE(digest: Uint8Array, q: bigint, order: 'le' | 'be' = 'le'): bigint {
  if (digest.length !== 32) throw new Error(`GOST R 34.10-2012 (256): digest must be 32 bytes, got ${digest.length}`);
  const e = mod(order === 'le' ? bytesToBigIntLE(digest) : bytesToBigIntBE(digest), q);
  return e === 0n ? 1n : e;
}

export function encodeSignature(r: bigint, s: bigint, layout: SignatureLayout = 'openssl'): Uint8Array {
  const R = bigIntToBytesBE(r, 32);
  const S = bigIntToBytesBE(s, 32);
  const out = new Uint8Array(64);
  if (layout === 'rs') {
    out.set(R, 0);
    out.set(S, 32);
    return out;
  }
  out.set(S, 0);
  out.set(R, 32);
  return layout === 'cryptopro' ? out.reverse() : out;
}

export function decodeSignature(signature: Uint8Array, layout: SignatureLayout = 'openssl'): { r: bigint; s: bigint } {
  if (signature.length !== 64)
    throw new Error(`GOST R 34.10-2012 (256): signature must be 64 bytes, got ${signature.length}`);
  const sig = layout === 'cryptopro' ? reversed(signature) : signature;
  const first = bytesToBigIntBE(sig.subarray(0, 32));
  const second = bytesToBigIntBE(sig.subarray(32));
  return layout === 'rs' ? { r: first, s: second } : { r: second, s: first };
}

/**
 * Validated public points, most recent last. The subgroup check of the cofactor-4 TC26-A curve
 * costs a full scalar multiplication, and the emulator checks the same few client keys over and
 * over; keys are small, so a bounded cache of validated points is cheap.
 */
const validatedPoints = new Map<string, WeierstrassPoint<bigint>>();
const VALIDATED_MAX = 256;

function pointOf(set: GostParamSet, key: GostPublicKey): WeierstrassPoint<bigint> {
  const id = `${set.oid}:${key.x.toString(16)}:${key.y.toString(16)}`;
  const cached = validatedPoints.get(id);
  if (cached) return cached;
  const p = set.curve.fromAffine({ x: key.x, y: key.y });
  p.assertValidity(); // on the curve and, for cofactor 4, in the prime-order subgroup
  // Windows for this key's point: ~13 ms once, then each verify takes ~2 ms instead of ~5 ms (a test
  // system signs every client_secret with the same key).
  p.precompute(4);
  if (validatedPoints.size >= VALIDATED_MAX) validatedPoints.delete(validatedPoints.keys().next().value!);
  validatedPoints.set(id, p);
  return p;
}

export function publicKeyFromPrivate(privateKey: GostPrivateKey): GostPublicKey {
  const set = getParamSet(privateKey.paramSet);
  if (privateKey.d <= 0n || privateKey.d >= set.q) throw new Error('GOST private key out of range');
  const P = set.curve.BASE.multiply(privateKey.d).toAffine();
  return { paramSet: set.oid, x: P.x, y: P.y };
}

/** New random key pair on `paramSet` (OID, OpenSSL long name, or alias such as 'A', 'TCA', 'XA'). */
export function generateGostKeyPair(paramSet: string = DEFAULT_PARAM_SET): GostKeyPair {
  const set = getParamSet(paramSet);
  const privateKey: GostPrivateKey = { paramSet: set.oid, d: randomScalar(set.q) };
  return { privateKey, publicKey: publicKeyFromPrivate(privateKey) };
}

/** Sign a 32-byte Streebog-256 digest. */
export function gostSignDigest(privateKey: GostPrivateKey, digest: Uint8Array, options: SignOptions = {}): Uint8Array {
  const set = getParamSet(privateKey.paramSet);
  const { q } = set;
  const d = privateKey.d;
  if (d <= 0n || d >= q) throw new Error('GOST private key out of range');
  const e = digestToE(digest, q, options.digestByteOrder);
  for (let attempt = 0; attempt < 64; attempt++) {
    const k = options.k ?? randomScalar(q);
    if (k <= 0n || k >= q) throw new Error('nonce out of range');
    const r = mod(set.curve.BASE.multiply(k).toAffine().x, q);
    const s = mod(r * d + k * e, q);
    if (r !== 0n && s !== 0n) return encodeSignature(r, s, options.layout);
    if (options.k !== undefined) throw new Error('fixed nonce gives r = 0 or s = 0');
  }
  throw new Error('could not produce a signature');
}

/** Sign a message: Streebog-256 of `message`, then GOST R 34.10-2012. Default layout 'openssl'. */
export function gostSign(privateKey: GostPrivateKey, message: Uint8Array, options: SignOptions = {}): Uint8Array {
  return gostSignDigest(privateKey, streebog256(message), options);
}

/** Verify against a digest (the core check). Never throws on bad input: returns false. */
export function gostVerifyDigest(
  publicKey: GostPublicKey,
  digest: Uint8Array,
  signature: Uint8Array,
  options: VerifyOptions = {},
): boolean {
  try {
    const set = getParamSet(publicKey.paramSet);
    const { q } = set;
    const { r, s } = decodeSignature(signature, options.layout);
    if (r <= 0n || r >= q || s <= 0n || s >= q) return false;
    const e = digestToE(digest, q, options.digestByteOrder);
    const Fn = set.curve.Fn;
    const v = Fn.inv(e);
    const z1 = mod(s * v, q);
    const z2 = mod(-r * v, q);
    // z1·G uses the base point's precomputed windows; both scalars are public here.
    const C = set.curve.BASE.multiplyUnsafe(z1).add(pointOf(set, publicKey).multiplyUnsafe(z2));
    if (C.is0()) return false;
    return mod(C.toAffine().x, q) === r;
  } catch {
    return false;
  }
}

/** Verify a signature over `data` (the message, or its digest with `prehashed: true`). */
export function gostVerify(
  publicKey: GostPublicKey,
  data: Uint8Array,
  signature: Uint8Array,
  options: VerifyOptions = {},
): boolean {
  const digest = options.prehashed ? data : streebog256(data);
  return gostVerifyDigest(publicKey, digest, signature, options);
}

/** Try every layout ('openssl', then 'cryptopro', then 'rs'); report the first that verifies. */
export function gostVerifyAnyLayout(
  publicKey: GostPublicKey,
  data: Uint8Array,
  signature: Uint8Array,
  options: Omit<VerifyOptions, 'layout'> = {},
): { valid: boolean; layout?: SignatureLayout } {
  const digest = options.prehashed ? data : streebog256(data);
  for (const layout of SIGNATURE_LAYOUTS) {
    if (gostVerifyDigest(publicKey, digest, signature, { ...options, layout, prehashed: true }))
      return { valid: true, layout };
  }
  return { valid: false };
}

/** Public key as in certificates: x ‖ y, 32 bytes each, little-endian (64 bytes). */
export function publicKeyToBytes(publicKey: GostPublicKey): Uint8Array {
  const out = new Uint8Array(64);
  out.set(bigIntToBytesLE(publicKey.x, 32), 0);
  out.set(bigIntToBytesLE(publicKey.y, 32), 32);
  return out;
}

/** Inverse of `publicKeyToBytes`; checks the point is on the curve and in the prime subgroup. */
export function publicKeyFromBytes(bytes: Uint8Array, paramSet: string): GostPublicKey {
  if (bytes.length !== 64) throw new Error(`GOST 256-bit public key must be 64 bytes, got ${bytes.length}`);
  const set = getParamSet(paramSet);
  const key: GostPublicKey = {
    paramSet: set.oid,
    x: bytesToBigIntLE(bytes.subarray(0, 32)),
    y: bytesToBigIntLE(bytes.subarray(32)),
  };
  pointOf(set, key);
  return key;
}

/** Private scalar as OpenSSL's gost engine stores it (32 bytes, little-endian). */
export function privateKeyToBytes(privateKey: GostPrivateKey): Uint8Array {
  return bigIntToBytesLE(privateKey.d, 32);
}

export function privateKeyFromBytes(bytes: Uint8Array, paramSet: string): GostPrivateKey {
  const set = getParamSet(paramSet);
  const d = bytesToBigIntLE(bytes);
  if (d <= 0n || d >= set.q) throw new Error('GOST private key out of range');
  return { paramSet: set.oid, d };
}
