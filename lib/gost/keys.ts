/**
 * GOST R 34.10-2012 (256) key files: PKCS#8 private keys and SubjectPublicKeyInfo, in the exact
 * form OpenSSL's gost engine writes (`openssl genpkey -engine gost -algorithm gost2012_256`), so keys
 * made here can be fed to `openssl ... -engine gost` and the other way round.
 *
 * Algorithm parameters: SEQUENCE { curve OID, digest OID } for CryptoPro sets, SEQUENCE { curve OID }
 * for TC26 sets (RFC 9215 §4.3). Private key: OCTET STRING of the 32-byte little-endian scalar; on
 * import also the wrapped forms (OCTET STRING in OCTET STRING, big-endian INTEGER). CryptoPro's
 * masked container keys are not supported.
 */
import { der, expectUniversal, integerOf, oidOf, parseAsn1, TAG } from './asn1.ts';
import type { Asn1Node } from './asn1.ts';
import { pemOrDer, toPem } from './bytes.ts';
import {
  privateKeyFromBytes,
  privateKeyToBytes,
  publicKeyFromBytes,
  publicKeyFromPrivate,
  publicKeyToBytes,
} from './gost3410.ts';
import type { GostKeyPair, GostPrivateKey, GostPublicKey } from './gost3410.ts';
import { getParamSet, OID } from './params.ts';

/** DER of the AlgorithmIdentifier for a GOST 2012-256 key on `paramSet`. */
export function gostKeyAlgorithmIdentifier(paramSet: string): Uint8Array {
  const set = getParamSet(paramSet);
  const params = set.tc26 ? der.sequence(der.oid(set.oid)) : der.sequence(der.oid(set.oid), der.oid(OID.streebog256));
  return der.sequence(der.oid(OID.gost3410_2012_256), params);
}

/** Key algorithm + parameter set OID from an AlgorithmIdentifier node. */
export function readKeyAlgorithm(alg: Asn1Node): { algorithm: string; paramSet?: string; digest?: string } {
  expectUniversal(alg, TAG.SEQUENCE, 'AlgorithmIdentifier');
  const algorithm = oidOf(alg.children[0]);
  const p = alg.children[1];
  if (!p || p.tagClass !== 'universal' || p.tag !== TAG.SEQUENCE) return { algorithm };
  const paramSet = p.children[0] ? oidOf(p.children[0]) : undefined;
  const digest = p.children[1] && p.children[1].tag === TAG.OID ? oidOf(p.children[1]) : undefined;
  return { algorithm, ...(paramSet ? { paramSet } : {}), ...(digest ? { digest } : {}) };
}

export function exportPrivateKeyDer(privateKey: GostPrivateKey): Uint8Array {
  return der.sequence(
    der.integer(0),
    gostKeyAlgorithmIdentifier(privateKey.paramSet),
    der.octetString(privateKeyToBytes(privateKey)),
  );
}

/** PKCS#8 PEM ("PRIVATE KEY"), readable by `openssl pkey -engine gost`. */
export function exportPrivateKeyPem(privateKey: GostPrivateKey): string {
  return toPem(exportPrivateKeyDer(privateKey), 'PRIVATE KEY');
}

export function importPrivateKey(input: string | Uint8Array): GostPrivateKey {
  const root = parseAsn1(
    pemOrDer(input, typeof input === 'string' && input.includes('BEGIN PRIVATE KEY') ? 'PRIVATE KEY' : undefined),
  );
  expectUniversal(root, TAG.SEQUENCE, 'PrivateKeyInfo');
  const { algorithm, paramSet } = readKeyAlgorithm(root.children[1]!);
  if (algorithm !== OID.gost3410_2012_256)
    throw new Error(`not a GOST R 34.10-2012 256-bit key (algorithm ${algorithm})`);
  if (!paramSet) throw new Error('GOST key without a parameter set');
  const raw = expectUniversal(root.children[2], TAG.OCTET_STRING, 'privateKey').content;
  if (raw.length === 34 && raw[0] === 0x04 && raw[1] === 0x20) return privateKeyFromBytes(raw.subarray(2), paramSet);
  if (raw[0] === 0x02) {
    try {
      const d = integerOf(parseAsn1(raw));
      const set = getParamSet(paramSet);
      if (d <= 0n || d >= set.q) throw new Error('GOST private key out of range');
      return { paramSet: set.oid, d };
    } catch {
      // not an INTEGER: fall through to the raw form
    }
  }
  if (raw.length !== 32)
    throw new Error(
      `unsupported GOST private key encoding (${raw.length} bytes; masked CryptoPro keys are not supported)`,
    );
  return privateKeyFromBytes(raw, paramSet);
}

export function exportPublicKeyDer(publicKey: GostPublicKey): Uint8Array {
  return der.sequence(
    gostKeyAlgorithmIdentifier(publicKey.paramSet),
    der.bitString(der.octetString(publicKeyToBytes(publicKey))),
  );
}

/** SubjectPublicKeyInfo PEM ("PUBLIC KEY"), as `openssl pkey -engine gost -pubout` writes. */
export function exportPublicKeyPem(publicKey: GostPublicKey): string {
  return toPem(exportPublicKeyDer(publicKey), 'PUBLIC KEY');
}

/** Public key from a SubjectPublicKeyInfo node (certificate field or PUBLIC KEY file). */
export function publicKeyFromSpki(spki: Asn1Node): GostPublicKey {
  expectUniversal(spki, TAG.SEQUENCE, 'SubjectPublicKeyInfo');
  const { algorithm, paramSet } = readKeyAlgorithm(spki.children[0]!);
  if (algorithm !== OID.gost3410_2012_256)
    throw new Error(`not a GOST R 34.10-2012 256-bit key (algorithm ${algorithm})`);
  if (!paramSet) throw new Error('GOST key without a parameter set');
  const bits = expectUniversal(spki.children[1], TAG.BIT_STRING, 'subjectPublicKey').content;
  const inner = parseAsn1(bits);
  return publicKeyFromBytes(expectUniversal(inner, TAG.OCTET_STRING, 'GOST public key OCTET STRING').content, paramSet);
}

export function importPublicKey(input: string | Uint8Array): GostPublicKey {
  return publicKeyFromSpki(
    parseAsn1(
      pemOrDer(input, typeof input === 'string' && input.includes('BEGIN PUBLIC KEY') ? 'PUBLIC KEY' : undefined),
    ),
  );
}

/** Key pair from a private key file (the public half is recomputed). */
export function importKeyPair(privateKeyPemOrDer: string | Uint8Array): GostKeyPair {
  const privateKey = importPrivateKey(privateKeyPemOrDer);
  return { privateKey, publicKey: publicKeyFromPrivate(privateKey) };
}
