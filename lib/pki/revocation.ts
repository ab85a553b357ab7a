/*
 * Revocation services of the test PKI: the intermediate CA's CRL (RFC 5280) and an OCSP responder
 * (RFC 6960) answering for the intermediate's certificates. Both are signed by the intermediate
 * itself (the CA is its own OCSP responder, so no delegated responder certificate is needed) and
 * both take the revocations and the instant they describe from the caller: the emulator passes the
 * run's Revocations and the run's clock (idp/pki/router.ts).
 *
 *   buildCrl(pki, revocations, at) → DER       thisUpdate = at, nextUpdate = at + 1 day
 *   answerOcsp(pki, requestDer, { at, revocations }) → DER OCSPResponse
 *       good / revoked (with time and reason) / unknown (a serial the stand never issued);
 *       unauthorized for a request about another issuer; malformedRequest for bytes that are not
 *       an OCSPRequest. The request's nonce is echoed.
 *   parseOcspResponse(der, signerPem?) → { status, certificates: [{ serial, status, revokedAt?, reason? }], signatureValid? }
 *       (for tests and for a relying party that checks a server certificate)
 *   ocspRequestFor(certPem, issuerPem) → DER (a SHA-1 CertID request, as openssl makes)
 */
import { X509Certificate, createHash, verify as cryptoVerify } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import type { TestPki } from './certificates.ts';
import {
  normaliseSerial,
  revocationReasonCodes,
  type RevocationEntry,
  type RevocationReason,
  type Revocations,
} from './revocation_state.ts';
import { engine, importPrivateKey, parseCertificate, serialHex, toDer } from './x509.ts';

const day = 86_400_000;
const hashOids: Record<string, string> = {
  '1.3.14.3.2.26': 'sha1',
  '2.16.840.1.101.3.4.2.1': 'sha256',
  '2.16.840.1.101.3.4.2.2': 'sha384',
  '2.16.840.1.101.3.4.2.3': 'sha512',
};
const nonceOid = '1.3.6.1.5.5.7.48.1.2';
const basicResponseOid = '1.3.6.1.5.5.7.48.1.1';

const keys = new WeakMap<TestPki, Promise<CryptoKey>>();
function intermediateKey(pki: TestPki): Promise<CryptoKey> {
  let key = keys.get(pki);
  if (!key) {
    key = importPrivateKey(pki.intermediate.privateKeyPem);
    keys.set(pki, key);
  }
  return key;
}

function serialInteger(serial: string): asn1js.Integer {
  let hex = normaliseSerial(serial);
  if (hex.length % 2) hex = `0${hex}`;
  if (parseInt(hex.slice(0, 2), 16) & 0x80) hex = `00${hex}`;
  return new asn1js.Integer({ valueHex: new Uint8Array(Buffer.from(hex, 'hex')).buffer });
}

function ext(extnID: string, value: asn1js.BaseBlock): pkijs.Extension {
  return new pkijs.Extension({ extnID, extnValue: value.toBER(false) });
}

function authorityKeyIdentifier(pki: TestPki): pkijs.Extension {
  const ski = pki.parsedIntermediate.extensions?.find((e) => e.extnID === '2.5.29.14');
  const id = ski
    ? (asn1js.fromBER(ski.extnValue.valueBlock.valueHexView).result as asn1js.OctetString).valueBlock.valueHexView
    : new Uint8Array();
  return ext(
    '2.5.29.35',
    new pkijs.AuthorityKeyIdentifier({
      keyIdentifier: new asn1js.OctetString({ valueHex: id.slice().buffer }),
    }).toSchema(),
  );
}

/** The intermediate's CRL at `at` (DER): the generation-time revocations and the given run's. */
export async function buildCrl(pki: TestPki, revocations: Revocations | undefined, at: number): Promise<Uint8Array> {
  const entries = pki.revokedList(revocations).filter((e) => e.revokedAt <= at + 60_000);
  const crl = new pkijs.CertificateRevocationList();
  crl.version = 1;
  crl.issuer = pki.parsedIntermediate.subject;
  crl.thisUpdate = new pkijs.Time({ type: 0, value: new Date(at) });
  crl.nextUpdate = new pkijs.Time({ type: 0, value: new Date(at + day) });
  if (entries.length) {
    crl.revokedCertificates = entries.map(
      (e) =>
        new pkijs.RevokedCertificate({
          userCertificate: serialInteger(e.serial),
          revocationDate: new pkijs.Time({ type: 0, value: new Date(Math.min(e.revokedAt, at)) }),
          crlEntryExtensions: new pkijs.Extensions({
            extensions: [ext('2.5.29.21', new asn1js.Enumerated({ value: revocationReasonCodes[e.reason] }))],
          }),
        }),
    );
  }
  crl.crlExtensions = new pkijs.Extensions({
    extensions: [authorityKeyIdentifier(pki), ext('2.5.29.20', new asn1js.Integer({ value: Math.floor(at / 1000) }))],
  });
  await crl.sign(await intermediateKey(pki), 'SHA-256', engine);
  return new Uint8Array(crl.toSchema(true).toBER(false));
}

function issuerHashes(pki: TestPki, algorithm: string): { name: Buffer; key: Buffer } {
  const cert = pki.parsedIntermediate;
  return {
    name: createHash(algorithm)
      .update(new Uint8Array(cert.subject.toSchema().toBER(false)))
      .digest(),
    key: createHash(algorithm).update(cert.subjectPublicKeyInfo.subjectPublicKey.valueBlock.valueHexView).digest(),
  };
}

function statusResponse(status: number): Uint8Array {
  return new Uint8Array(
    new pkijs.OCSPResponse({ responseStatus: new asn1js.Enumerated({ value: status }) }).toSchema().toBER(false),
  );
}

/** Answers one DER OCSPRequest for the run whose revocations are given, at `at`. */
export async function answerOcsp(
  pki: TestPki,
  request: Uint8Array,
  /** alsoIssued: serials the intermediate issued at run time in this run (issuePersonCertificate), known besides the generated ones. */
  options: { at: number; revocations?: Revocations; alsoIssued?: (serial: string) => boolean },
): Promise<Uint8Array> {
  let parsed: pkijs.OCSPRequest;
  try {
    parsed = pkijs.OCSPRequest.fromBER(toDer(request));
  } catch {
    return statusResponse(1); // malformedRequest
  }
  const now = new Date(options.at);
  const responses: pkijs.SingleResponse[] = [];
  for (const { reqCert } of parsed.tbsRequest.requestList) {
    const algorithm = hashOids[reqCert.hashAlgorithm.algorithmId];
    if (!algorithm) return statusResponse(1);
    const hashes = issuerHashes(pki, algorithm);
    const sameIssuer =
      Buffer.from(reqCert.issuerNameHash.valueBlock.valueHexView).equals(hashes.name) &&
      Buffer.from(reqCert.issuerKeyHash.valueBlock.valueHexView).equals(hashes.key);
    if (!sameIssuer) return statusResponse(6); // unauthorized: we answer for our intermediate only
    const serial = normaliseSerial(Buffer.from(reqCert.serialNumber.valueBlock.valueHexView).toString('hex'));
    const issued = pki.bySerial(serial) ?? (options.alsoIssued?.(serial) ? { serial } : undefined);
    const revoked = issued ? pki.revocationOf(serial, options.revocations) : undefined;
    let certStatus: asn1js.BaseBlock;
    if (!issued) {
      certStatus = new asn1js.Primitive({ idBlock: { tagClass: 3, tagNumber: 2 }, lenBlock: { length: 0 } as never });
    } else if (revoked && revoked.revokedAt <= options.at + 60_000) {
      certStatus = new asn1js.Constructed({
        idBlock: { tagClass: 3, tagNumber: 1 },
        value: [
          new asn1js.GeneralizedTime({ valueDate: new Date(Math.min(revoked.revokedAt, options.at)) }),
          new asn1js.Constructed({
            idBlock: { tagClass: 3, tagNumber: 0 },
            value: [new asn1js.Enumerated({ value: revocationReasonCodes[revoked.reason] })],
          }),
        ],
      });
    } else {
      certStatus = new asn1js.Primitive({ idBlock: { tagClass: 3, tagNumber: 0 }, lenBlock: { length: 0 } as never });
    }
    responses.push(
      new pkijs.SingleResponse({
        certID: reqCert,
        certStatus,
        thisUpdate: now,
        nextUpdate: new Date(options.at + day),
      }),
    );
  }
  const basic = new pkijs.BasicOCSPResponse();
  basic.tbsResponseData.responderID = pki.parsedIntermediate.subject;
  basic.tbsResponseData.producedAt = now;
  basic.tbsResponseData.responses = responses;
  const nonce = parsed.tbsRequest.requestExtensions?.find((e) => e.extnID === nonceOid);
  if (nonce) basic.tbsResponseData.responseExtensions = [nonce];
  basic.certs = [pki.parsedIntermediate];
  await basic.sign(await intermediateKey(pki), 'SHA-256', engine);
  const response = new pkijs.OCSPResponse({
    responseStatus: new asn1js.Enumerated({ value: 0 }),
    responseBytes: new pkijs.ResponseBytes({
      responseType: basicResponseOid,
      response: new asn1js.OctetString({ valueHex: basic.toSchema().toBER(false) }),
    }),
  });
  return new Uint8Array(response.toSchema().toBER(false));
}

/** A DER OCSPRequest for one certificate (SHA-1 CertID, with a nonce). */
export function ocspRequestFor(certificatePem: string, issuerPem: string): Uint8Array {
  const cert = parseCertificate(certificatePem);
  const issuer = parseCertificate(issuerPem);
  const sha1 = (data: Uint8Array) => new Uint8Array(createHash('sha1').update(data).digest()).buffer;
  const request = new pkijs.OCSPRequest();
  request.tbsRequest.requestList = [
    new pkijs.Request({
      reqCert: new pkijs.CertID({
        hashAlgorithm: new pkijs.AlgorithmIdentifier({
          algorithmId: '1.3.14.3.2.26',
          algorithmParams: new asn1js.Null(),
        }),
        issuerNameHash: new asn1js.OctetString({
          valueHex: sha1(new Uint8Array(issuer.subject.toSchema().toBER(false))),
        }),
        issuerKeyHash: new asn1js.OctetString({
          valueHex: sha1(issuer.subjectPublicKeyInfo.subjectPublicKey.valueBlock.valueHexView),
        }),
        serialNumber: cert.serialNumber,
      }),
    }),
  ];
  request.tbsRequest.requestExtensions = [
    new pkijs.Extension({
      extnID: nonceOid,
      extnValue: new asn1js.OctetString({ valueHex: crypto.getRandomValues(new Uint8Array(16)).buffer }).toBER(false),
    }),
  ];
  return new Uint8Array(request.toSchema(true).toBER(false));
}

export interface OcspAnswer {
  /** 0 successful, 1 malformedRequest, 2 internalError, 3 tryLater, 5 sigRequired, 6 unauthorized. */
  status: number;
  certificates: Array<{
    serial: string;
    status: 'good' | 'revoked' | 'unknown';
    revokedAt?: Date;
    reason?: RevocationReason | number;
    thisUpdate: Date;
    nextUpdate?: Date;
  }>;
  /** The response is signed by `signer` (checked when given). */
  signatureValid?: boolean;
  producedAt?: Date;
}

/** Reads an OCSPResponse; checks its (ECDSA-SHA256) signature when the expected signer's certificate is given. */
export function parseOcspResponse(der: Uint8Array, signerPem?: string): OcspAnswer {
  const response = pkijs.OCSPResponse.fromBER(toDer(der));
  const status = response.responseStatus.valueBlock.valueDec;
  if (status !== 0 || !response.responseBytes) return { status, certificates: [] };
  const basic = pkijs.BasicOCSPResponse.fromBER(response.responseBytes.response.valueBlock.valueHexView.slice().buffer);
  const names = Object.entries(revocationReasonCodes);
  const certificates = basic.tbsResponseData.responses.map((r) => {
    const serial = serialHex({ serialNumber: r.certID.serialNumber } as pkijs.Certificate);
    const tag = (r.certStatus as asn1js.BaseBlock).idBlock.tagNumber;
    const base = { serial, thisUpdate: r.thisUpdate, ...(r.nextUpdate ? { nextUpdate: r.nextUpdate } : {}) };
    if (tag === 0) return { ...base, status: 'good' as const };
    if (tag === 2) return { ...base, status: 'unknown' as const };
    const inner = (r.certStatus as asn1js.Constructed).valueBlock.value;
    const revokedAt = (inner[0] as asn1js.GeneralizedTime).toDate();
    const code = (inner[1] as asn1js.Constructed | undefined)?.valueBlock.value[0] as asn1js.Enumerated | undefined;
    const reasonCode = code?.valueBlock.valueDec;
    const reason =
      reasonCode === undefined
        ? undefined
        : ((names.find(([, c]) => c === reasonCode)?.[0] as RevocationReason | undefined) ?? reasonCode);
    return { ...base, status: 'revoked' as const, revokedAt, ...(reason !== undefined ? { reason } : {}) };
  });
  const signatureValid = signerPem
    ? cryptoVerify(
        'sha256',
        basic.tbsResponseData.tbsView,
        new X509Certificate(signerPem).publicKey,
        basic.signature.valueBlock.valueHexView,
      )
    : undefined;
  return {
    status,
    certificates,
    producedAt: basic.tbsResponseData.producedAt,
    ...(signatureValid !== undefined ? { signatureValid } : {}),
  };
}

export type { RevocationEntry };
