/**
 * X.509 certificate reading for GOST (and, for the generic fields, any) certificates: subject and
 * issuer as strings, serial, validity, the raw TBS and signature for chain checks, the GOST public
 * key with its parameter set, and the Streebog-256 fingerprint that ESIA calls
 * `client_certificate_hash`. `node:crypto` cannot read GOST keys, hence this module.
 */
import { expectUniversal, integerOf, isContext, oidOf, parseAsn1, stringOf, TAG, timeOf } from './asn1.ts';
import type { Asn1Node } from './asn1.ts';
import { pemOrDer, toHex, toPem } from './bytes.ts';
import { gostVerify } from './gost3410.ts';
import type { GostPublicKey, SignatureLayout } from './gost3410.ts';
import { publicKeyFromSpki, readKeyAlgorithm } from './keys.ts';
import { OID } from './params.ts';
import { streebog256 } from './streebog.ts';

/** Short names for attribute types, including the Russian qualified-certificate ones. */
export const NAME_ATTRIBUTES: Readonly<Record<string, string>> = {
  '2.5.4.3': 'CN',
  '2.5.4.4': 'SN',
  '2.5.4.5': 'serialNumber',
  '2.5.4.6': 'C',
  '2.5.4.7': 'L',
  '2.5.4.8': 'ST',
  '2.5.4.9': 'street',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
  '2.5.4.12': 'title',
  '2.5.4.42': 'GN',
  '1.2.840.113549.1.9.1': 'emailAddress',
  '0.9.2342.19200300.100.1.25': 'DC',
  '1.2.643.100.1': 'OGRN',
  '1.2.643.100.3': 'SNILS',
  '1.2.643.100.4': 'INNLE',
  '1.2.643.100.5': 'OGRNIP',
  '1.2.643.3.131.1.1': 'INN',
};

export interface NameAttribute {
  oid: string;
  /** Short name from NAME_ATTRIBUTES, or the dotted OID. */
  type: string;
  value: string;
}

export interface ParsedCertificate {
  der: Uint8Array;
  /** DER of TBSCertificate (what the issuer signed). */
  tbs: Uint8Array;
  /** Outer signatureAlgorithm OID, e.g. 1.2.643.7.1.1.3.2 for GOST 2012-256 with Streebog-256. */
  signatureAlgorithm: string;
  /** signatureValue bytes (64 for GOST 2012-256, in OpenSSL's s ‖ r layout). */
  signatureValue: Uint8Array;
  version: number;
  /** Serial number: upper-case hex of the INTEGER, a leading 00 sign octet dropped. */
  serialNumber: string;
  subject: string;
  issuer: string;
  subjectAttributes: NameAttribute[];
  issuerAttributes: NameAttribute[];
  /** DER of the subject and issuer Names (for CMS IssuerAndSerialNumber matching). */
  subjectDer: Uint8Array;
  issuerDer: Uint8Array;
  notBefore: Date;
  notAfter: Date;
  /** SubjectPublicKeyInfo algorithm OID (1.2.643.7.1.1.1.1 for GOST 2012-256). */
  publicKeyAlgorithm: string;
  /** Curve parameter set OID of a GOST key. */
  publicKeyParamSet?: string;
  /** The GOST public key, when the certificate carries a supported GOST 2012-256 key. */
  gostPublicKey?: GostPublicKey;
  /** DER of SubjectPublicKeyInfo (for non-GOST keys: import with node:crypto). */
  spki: Uint8Array;
  /** SubjectKeyIdentifier extension value, hex, if present. */
  subjectKeyIdentifier?: string;
  /** Hex Streebog-256 of the DER certificate: ESIA's `client_certificate_hash` (lower case). */
  streebog256Fingerprint: string;
}

function readName(name: Asn1Node): NameAttribute[] {
  expectUniversal(name, TAG.SEQUENCE, 'Name');
  const out: NameAttribute[] = [];
  for (const rdn of name.children) {
    for (const atv of rdn.children) {
      const oid = oidOf(atv.children[0]);
      out.push({ oid, type: NAME_ATTRIBUTES[oid] ?? oid, value: stringOf(atv.children[1]!) });
    }
  }
  return out;
}

/** "CN=…, O=…" in the order the certificate lists the attributes. */
export function formatName(attrs: readonly NameAttribute[]): string {
  return attrs.map((a) => `${a.type}=${a.value.replace(/([,+\\])/g, '\\$1')}`).join(', ');
}

/** Parse a certificate given as PEM text, PEM bytes, or DER bytes. */
export function parseCertificate(input: string | Uint8Array): ParsedCertificate {
  const derBytes = pemOrDer(
    input,
    typeof input === 'string' && input.includes('BEGIN CERTIFICATE') ? 'CERTIFICATE' : undefined,
  );
  const root = expectUniversal(parseAsn1(derBytes), TAG.SEQUENCE, 'Certificate');
  const [tbsNode, sigAlgNode, sigNode] = root.children;
  const tbs = expectUniversal(tbsNode, TAG.SEQUENCE, 'TBSCertificate');
  let i = 0;
  let version = 1;
  if (tbs.children[0] && isContext(tbs.children[0], 0)) {
    version = Number(integerOf(tbs.children[0].children[0])) + 1;
    i = 1;
  }
  const serialNode = expectUniversal(tbs.children[i], TAG.INTEGER, 'serialNumber');
  const issuerNode = tbs.children[i + 2]!;
  const validity = expectUniversal(tbs.children[i + 3], TAG.SEQUENCE, 'Validity');
  const subjectNode = tbs.children[i + 4]!;
  const spkiNode = expectUniversal(tbs.children[i + 5], TAG.SEQUENCE, 'SubjectPublicKeyInfo');
  const { algorithm: publicKeyAlgorithm, paramSet } = readKeyAlgorithm(spkiNode.children[0]!);
  let gostPublicKey: GostPublicKey | undefined;
  if (publicKeyAlgorithm === OID.gost3410_2012_256) gostPublicKey = publicKeyFromSpki(spkiNode);

  let subjectKeyIdentifier: string | undefined;
  const extWrapper = tbs.children.find((c) => isContext(c, 3));
  for (const ext of extWrapper?.children[0]?.children ?? []) {
    if (oidOf(ext.children[0]) === '2.5.29.14') {
      const value = ext.children[ext.children.length - 1]!.content;
      subjectKeyIdentifier = toHex(parseAsn1(value).content);
    }
  }

  let serialHex = toHex(serialNode.content).toUpperCase();
  if (serialHex.length > 2 && serialHex.startsWith('00')) serialHex = serialHex.slice(2);
  const subjectAttributes = readName(subjectNode);
  const issuerAttributes = readName(issuerNode);
  return {
    der: derBytes,
    tbs: tbs.raw,
    signatureAlgorithm: oidOf(expectUniversal(sigAlgNode, TAG.SEQUENCE, 'signatureAlgorithm').children[0]),
    signatureValue: expectUniversal(sigNode, TAG.BIT_STRING, 'signatureValue').content,
    version,
    serialNumber: serialHex,
    subject: formatName(subjectAttributes),
    issuer: formatName(issuerAttributes),
    subjectAttributes,
    issuerAttributes,
    subjectDer: subjectNode.raw,
    issuerDer: issuerNode.raw,
    notBefore: timeOf(validity.children[0]),
    notAfter: timeOf(validity.children[1]),
    publicKeyAlgorithm,
    ...(paramSet ? { publicKeyParamSet: paramSet } : {}),
    ...(gostPublicKey ? { gostPublicKey } : {}),
    spki: spkiNode.raw,
    ...(subjectKeyIdentifier ? { subjectKeyIdentifier } : {}),
    streebog256Fingerprint: toHex(streebog256(derBytes)),
  };
}

/** ESIA `client_certificate_hash`: lower-case hex Streebog-256 of the DER certificate. */
export function clientCertificateHash(certificate: string | Uint8Array): string {
  const derBytes = pemOrDer(
    certificate,
    typeof certificate === 'string' && certificate.includes('BEGIN CERTIFICATE') ? 'CERTIFICATE' : undefined,
  );
  return toHex(streebog256(derBytes));
}

/** Compare a received `client_certificate_hash` with a certificate (case-insensitive hex). */
export function certificateHashMatches(hashHex: string, certificate: string | Uint8Array): boolean {
  return hashHex.trim().toLowerCase() === clientCertificateHash(certificate);
}

/**
 * Check `certificate`'s signature with the issuer's GOST key (the issuer certificate, or a key).
 * Only GOST 2012-256/Streebog-256 signatures (OID 1.2.643.7.1.1.3.2) are handled here.
 */
export function verifyCertificateSignature(
  certificate: ParsedCertificate,
  issuer: ParsedCertificate | GostPublicKey,
  layout: SignatureLayout = 'openssl',
): boolean {
  if (certificate.signatureAlgorithm !== OID.signWithStreebog256) return false;
  const key = 'der' in issuer ? issuer.gostPublicKey : issuer;
  if (!key) return false;
  return gostVerify(key, certificate.tbs, certificate.signatureValue, { layout });
}

/** Whether `at` (default now) lies within notBefore..notAfter. */
export function isWithinValidity(certificate: ParsedCertificate, at: Date = new Date()): boolean {
  return at.getTime() >= certificate.notBefore.getTime() && at.getTime() <= certificate.notAfter.getTime();
}

export function certificateToPem(der: Uint8Array): string {
  return toPem(der, 'CERTIFICATE');
}
