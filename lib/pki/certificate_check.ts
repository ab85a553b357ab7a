/*
 * Validation against the test PKI: checkCertificate (parse, chain, validity at the run's clock,
 * revocation, key usage, СНИЛС, in this order) and verifySignature (ECDSA P-256 or GOST R 34.10-2012).
 */
import { X509Certificate, createPublicKey, verify as cryptoVerify } from 'node:crypto';
import type * as pkijs from 'pkijs';
import {
  gostVerifyAnyLayout,
  parseCertificate as parseGostCertificate,
  verifyCertificateSignature as verifyGostCertificateSignature,
} from '../gost/index.ts';
import type { TestPki } from './certificates.ts';
import type { Revocations } from './revocation_state.ts';
import { keyUsageOf, nameText, nameValue, oid, parseCertificate, serialHex } from './x509.ts';

export const certificateErrorCodes = {
  malformed: 'certificate.malformed',
  untrusted: 'certificate.untrusted',
  expired: 'certificate.expired',
  notYetValid: 'certificate.not_yet_valid',
  revoked: 'certificate.revoked',
  keyUsage: 'certificate.key_usage',
  notLinked: 'certificate.not_linked',
} as const;
export type CertificateErrorCode = (typeof certificateErrorCodes)[keyof typeof certificateErrorCodes];

const gostSignatureOid = '1.2.643.7.1.1.3.2';

export type CertificateCheck =
  | {
      ok: true;
      serial: string;
      /** Formatted as in the personas: 112-233-401 83. */
      snils: string;
      inn?: string;
      name: { lastName?: string; firstName?: string; middleName?: string; full: string };
      /** The persona the stand issued it for, when the certificate is one of ours. */
      persona?: string;
      notAfter: Date;
    }
  | { ok: false; code: CertificateErrorCode; details: string; serial?: string };

/** Checks a person's certificate (PEM, base64 DER or DER bytes) against the test PKI at `at` (epoch ms or Date: the run's clock). */
export function checkCertificate(
  pki: TestPki,
  certificate: string | Uint8Array | ArrayBuffer,
  options: { at: number | Date; revocations?: Revocations },
): CertificateCheck {
  const at = typeof options.at === 'number' ? options.at : options.at.getTime();
  let x509: X509Certificate;
  let parsed: pkijs.Certificate;
  try {
    // PEM text, base64 of the DER (what a signing plugin usually hands over), or DER bytes
    const der =
      typeof certificate === 'string'
        ? certificate.includes('-----BEGIN')
          ? certificate
          : Buffer.from(certificate.replace(/\s+/g, ''), 'base64')
        : Buffer.from(certificate instanceof ArrayBuffer ? new Uint8Array(certificate) : certificate);
    x509 = new X509Certificate(der);
    parsed = parseCertificate(typeof der === 'string' ? der : new Uint8Array(der));
  } catch (error) {
    return {
      ok: false,
      code: certificateErrorCodes.malformed,
      details: `The certificate is not X.509 in PEM or DER (${(error as Error).message}).`,
    };
  }
  const serial = serialHex(parsed);
  let chain: Array<readonly [string, X509Certificate]>;
  if (parsed.signatureAlgorithm.algorithmId === gostSignatureOid) {
    // GOST R 34.10-2012: issued directly by the GOST test CA, checked with lib/gost
    const gostCa = new X509Certificate(pki.gostRoot.certificatePem);
    // (Node's checkIssued cannot read a GOST issuer key without OpenSSL's gost engine: compare names, check the signature with lib/gost)
    const signed =
      x509.issuer === gostCa.subject &&
      verifyGostCertificateSignature(
        parseGostCertificate(new Uint8Array(x509.raw)),
        parseGostCertificate(pki.gostRoot.certificatePem),
      );
    if (!signed) {
      return {
        ok: false,
        code: certificateErrorCodes.untrusted,
        serial,
        details: `GOST certificate ${serial} (${x509.issuer.replace(/\n/g, ', ')}) is not signed by the stand's GOST CA (${gostCa.subject.replace(/\n/g, ', ')}).`,
      };
    }
    chain = [
      ['certificate', x509],
      ['GOST CA', gostCa],
    ];
  } else {
    const intermediate = pki.x509Intermediate;
    if (!x509.checkIssued(intermediate) || !x509.verify(intermediate.publicKey)) {
      return {
        ok: false,
        code: certificateErrorCodes.untrusted,
        serial,
        details: `Certificate ${serial} (${x509.issuer.replace(/\n/g, ', ')}) is not signed by the stand's intermediate CA (${intermediate.subject.replace(/\n/g, ', ')}); only certificates chaining to the test root are trusted.`,
      };
    }
    if (!intermediate.verify(pki.x509Root.publicKey)) {
      return {
        ok: false,
        code: certificateErrorCodes.untrusted,
        serial,
        details:
          'The intermediate CA is not signed by the test root (the PKI folder is inconsistent: delete it to regenerate).',
      };
    }
    chain = [
      ['certificate', x509],
      ['intermediate CA', intermediate],
      ['root CA', pki.x509Root],
    ];
  }
  for (const [who, cert] of chain) {
    const from = Date.parse(cert.validFrom);
    const to = Date.parse(cert.validTo);
    if (at > to)
      return {
        ok: false,
        code: certificateErrorCodes.expired,
        serial,
        details: `The ${who} expired at ${new Date(to).toISOString()}; the stand's clock says ${new Date(at).toISOString()}.`,
      };
    if (at < from)
      return {
        ok: false,
        code: certificateErrorCodes.notYetValid,
        serial,
        details: `The ${who} is valid from ${new Date(from).toISOString()}; the stand's clock says ${new Date(at).toISOString()}.`,
      };
  }
  const revoked = pki.revocationOf(serial, options.revocations);
  if (revoked) {
    return {
      ok: false,
      code: certificateErrorCodes.revoked,
      serial,
      details: `Certificate ${serial} was revoked at ${new Date(revoked.revokedAt).toISOString()} (reason: ${revoked.reason}); the CRL and OCSP of the stand say so.`,
    };
  }
  const usage = keyUsageOf(parsed);
  if (!usage || !(usage.includes('digitalSignature') || usage.includes('nonRepudiation'))) {
    return {
      ok: false,
      code: certificateErrorCodes.keyUsage,
      serial,
      details: `Key usage is ${usage ? usage.join(', ') : 'absent'}; signing in needs digitalSignature or nonRepudiation.`,
    };
  }
  const snilsDigits = nameValue(parsed.subject, oid.snils);
  if (!snilsDigits || !/^\d{11}$/.test(snilsDigits)) {
    return {
      ok: false,
      code: certificateErrorCodes.notLinked,
      serial,
      details: `The subject (${nameText(parsed.subject)}) has no СНИЛС (OID ${oid.snils}, 11 digits), so it cannot name a person.`,
    };
  }
  const issued = pki.bySerial(serial);
  const full = nameValue(parsed.subject, oid.commonName) ?? '';
  const given = nameValue(parsed.subject, oid.givenName) ?? '';
  const [firstName, ...rest] = given.split(' ');
  const inn = nameValue(parsed.subject, oid.inn);
  const lastName = nameValue(parsed.subject, oid.surname);
  return {
    ok: true,
    serial,
    snils: formatSnils(snilsDigits),
    ...(inn ? { inn } : {}),
    name: {
      ...(lastName ? { lastName } : {}),
      ...(firstName ? { firstName } : {}),
      ...(rest.length ? { middleName: rest.join(' ') } : {}),
      full,
    },
    ...(issued?.persona ? { persona: issued.persona } : {}),
    notAfter: new Date(Date.parse(x509.validTo)),
  };
}

export function formatSnils(digits: string): string {
  return `${digits.slice(0, 3)}-${digits.slice(3, 6)}-${digits.slice(6, 9)} ${digits.slice(9)}`;
}

/** ECDSA P-256 / SHA-256 over `data`, `signature` in IEEE P1363 (64 bytes, WebCrypto) or DER; or GOST R 34.10-2012 for a `gost` certificate. */
export function verifySignature(certificatePem: string, data: Uint8Array | string, signature: Uint8Array): boolean {
  if (parseCertificate(certificatePem).subjectPublicKeyInfo.algorithm.algorithmId.startsWith('1.2.643.7.1.1.1.')) {
    // GOST R 34.10-2012 (256) over Streebog-256, any of the layouts signers use (OpenSSL s‖r, CryptoPro, r‖s)
    const publicKey = parseGostCertificate(certificatePem).gostPublicKey;
    const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
    return !!publicKey && gostVerifyAnyLayout(publicKey, bytes, signature).valid;
  }
  const key = createPublicKey(new X509Certificate(certificatePem).publicKey.export({ format: 'pem', type: 'spki' }));
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  const encoding = signature.length === 64 && signature[0] !== 0x30 ? 'ieee-p1363' : 'der';
  try {
    if (cryptoVerify('sha256', bytes, { key, dsaEncoding: encoding }, signature)) return true;
    // a 64-byte P1363 signature can start with 0x30; try the other encoding before refusing
    return cryptoVerify('sha256', bytes, { key, dsaEncoding: encoding === 'der' ? 'ieee-p1363' : 'der' }, signature);
  } catch {
    return false;
  }
}
