/**
 * Issue GOST R 34.10-2012 (256) test certificates without OpenSSL: self-signed, or signed by a
 * test CA made the same way. The result is the usual X.509 v3 DER (signature 1.2.643.7.1.1.3.2,
 * value in OpenSSL's s ‖ r layout) that `openssl x509 -engine gost` and `openssl verify` accept.
 * For the emulator's test information systems only: these are not qualified certificates.
 */
import { createHash, randomBytes } from 'node:crypto';
import { der } from './asn1.ts';
import { toPem } from './bytes.ts';
import { parseCertificate } from './certificate.ts';
import type { ParsedCertificate } from './certificate.ts';
import { gostSign } from './gost3410.ts';
import type { GostKeyPair, GostPrivateKey, GostPublicKey } from './gost3410.ts';
import { exportPublicKeyDer } from './keys.ts';
import { OID } from './params.ts';

/** Attribute type (short name from NAME_ATTRIBUTES or dotted OID) and value, in order. */
export type NameInput = ReadonlyArray<readonly [type: string, value: string]> | Readonly<Record<string, string>>;

const SHORT_TO_OID: Readonly<Record<string, string>> = {
  CN: '2.5.4.3',
  SN: '2.5.4.4',
  serialNumber: '2.5.4.5',
  C: '2.5.4.6',
  L: '2.5.4.7',
  ST: '2.5.4.8',
  street: '2.5.4.9',
  O: '2.5.4.10',
  OU: '2.5.4.11',
  title: '2.5.4.12',
  GN: '2.5.4.42',
  emailAddress: '1.2.840.113549.1.9.1',
  E: '1.2.840.113549.1.9.1',
  OGRN: '1.2.643.100.1',
  SNILS: '1.2.643.100.3',
  INNLE: '1.2.643.100.4',
  OGRNIP: '1.2.643.100.5',
  INN: '1.2.643.3.131.1.1',
};
/** Types encoded as NumericString (Russian profile) and PrintableString (X.520). */
const NUMERIC = new Set(['1.2.643.100.1', '1.2.643.100.3', '1.2.643.100.4', '1.2.643.100.5', '1.2.643.3.131.1.1']);
const PRINTABLE = new Set(['2.5.4.6', '2.5.4.5']);

/** DER of an X.501 Name, one attribute per RDN, in the given order. */
export function encodeName(name: NameInput): Uint8Array {
  const entries: ReadonlyArray<readonly [string, string]> = Array.isArray(name) ? name : Object.entries(name);
  return der.sequence(
    ...entries.map(([type, value]) => {
      const oid = SHORT_TO_OID[type] ?? (/^\d+(\.\d+)+$/.test(type) ? type : undefined);
      if (!oid) throw new Error(`unknown name attribute type ${type}`);
      const encoded = NUMERIC.has(oid)
        ? der.numeric(value)
        : PRINTABLE.has(oid)
          ? der.printable(value)
          : der.utf8(value);
      return der.set(der.sequence(der.oid(oid), encoded));
    }),
  );
}

export interface CertificateOptions {
  /** Key pair whose public half the certificate carries. */
  keyPair: { publicKey: GostPublicKey; privateKey?: GostPrivateKey };
  subject: NameInput;
  /** Positive serial; default 16 random bytes. */
  serialNumber?: bigint;
  notBefore?: Date;
  /** Default notBefore + `days`. */
  notAfter?: Date;
  /** Validity in days when notAfter is not given; default 365. */
  days?: number;
  /** Make a CA certificate (basicConstraints cA, keyCertSign|cRLSign). Default false. */
  ca?: boolean;
  /** Issuer: default self-signed with keyPair.privateKey. */
  issuer?: { certificate: ParsedCertificate; privateKey: GostPrivateKey };
  /** Add extendedKeyUsage clientAuth + emailProtection (end-entity only). Default false. */
  extendedKeyUsage?: boolean;
}

export interface IssuedCertificate {
  der: Uint8Array;
  pem: string;
  certificate: ParsedCertificate;
}

function keyIdentifier(publicKey: GostPublicKey): Uint8Array {
  // RFC 5280 §4.2.1.2 method (1): SHA-1 of the subjectPublicKey BIT STRING value.
  const spki = exportPublicKeyDer(publicKey);
  return new Uint8Array(
    createHash('sha1')
      .update(spki.subarray(spki.length - 66))
      .digest(),
  );
}

function extension(oid: string, critical: boolean, value: Uint8Array): Uint8Array {
  return critical
    ? der.sequence(der.oid(oid), der.bool(true), der.octetString(value))
    : der.sequence(der.oid(oid), der.octetString(value));
}

/** KeyUsage BIT STRING value from bit numbers (0 = digitalSignature). */
function keyUsageBits(bits: number[]): Uint8Array {
  let v = 0;
  for (const b of bits) v |= 0x80 >> b;
  const last = Math.max(...bits);
  const unused = 7 - last;
  return Uint8Array.of(0x03, 0x02, unused, v);
}

/** Issue a GOST 2012-256 certificate (self-signed unless `issuer` is given). */
export function createGostCertificate(options: CertificateOptions): IssuedCertificate {
  const { keyPair } = options;
  const signerKey = options.issuer?.privateKey ?? keyPair.privateKey;
  if (!signerKey) throw new Error('a self-signed certificate needs keyPair.privateKey');
  const notBefore = options.notBefore ?? new Date(Math.floor(Date.now() / 1000) * 1000 - 60_000);
  const notAfter = options.notAfter ?? new Date(notBefore.getTime() + (options.days ?? 365) * 86_400_000);
  const serial = options.serialNumber ?? BigInt(`0x${randomBytes(16).toString('hex')}`) | 1n;
  if (serial <= 0n) throw new Error('serial number must be positive');
  const subject = encodeName(options.subject);
  const issuerName = options.issuer ? options.issuer.certificate.subjectDer : subject;

  const ski = keyIdentifier(keyPair.publicKey);
  const exts: Uint8Array[] = [
    extension('2.5.29.19', true, options.ca ? der.sequence(der.bool(true)) : der.sequence()),
    extension('2.5.29.15', true, options.ca ? keyUsageBits([5, 6]) : keyUsageBits([0, 1])),
    extension('2.5.29.14', false, der.octetString(ski)),
  ];
  const issuerSki = options.issuer?.certificate.subjectKeyIdentifier;
  const aki = options.issuer ? (issuerSki ? Uint8Array.from(Buffer.from(issuerSki, 'hex')) : undefined) : ski;
  if (aki) exts.push(extension('2.5.29.35', false, der.sequence(der.implicitPrimitive(0, aki))));
  if (options.extendedKeyUsage && !options.ca) {
    exts.push(extension('2.5.29.37', false, der.sequence(der.oid('1.3.6.1.5.5.7.3.2'), der.oid('1.3.6.1.5.5.7.3.4'))));
  }

  const sigAlg = der.sequence(der.oid(OID.signWithStreebog256));
  const tbs = der.sequence(
    der.explicit(0, der.integer(2)),
    der.integer(serial),
    sigAlg,
    issuerName,
    der.sequence(der.time(notBefore), der.time(notAfter)),
    subject,
    exportPublicKeyDer(keyPair.publicKey),
    der.explicit(3, der.sequence(...exts)),
  );
  const signature = gostSign(signerKey, tbs);
  const certDer = der.sequence(tbs, sigAlg, der.bitString(signature));
  return { der: certDer, pem: toPem(certDer, 'CERTIFICATE'), certificate: parseCertificate(certDer) };
}

/** Self-signed test certificate for `keyPair` (end-entity unless `ca: true`). */
export function createSelfSignedGostCertificate(
  keyPair: GostKeyPair,
  subject: NameInput,
  options: Omit<CertificateOptions, 'keyPair' | 'subject' | 'issuer'> = {},
): IssuedCertificate {
  return createGostCertificate({ ...options, keyPair, subject });
}
