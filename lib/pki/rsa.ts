/*
 * RSA certificates and RSA CMS signatures through pkijs and WebCrypto: ESIA's own RS256 signing
 * certificate (published as PEM), and the legacy (v1) PKCS#7 client_secret of RSA test systems.
 * GOST equivalents live in lib/gost. Node's crypto cannot make certificates or CMS, pkijs can.
 */
import { webcrypto } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { engine, subtle, toDer as derOf, toPem as pem } from './x509.ts';

const rsaParams = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' } as const;

export interface RsaCertificate {
  certificatePem: string;
  privateKeyPem: string;
}

/** A self-signed RSA-2048 certificate with SHA-256, CN and O as given. */
export async function createRsaCertificate(
  commonName: string,
  organisation = 'esia-emulator (test)',
  days = 3650,
): Promise<RsaCertificate> {
  const keys = (await subtle.generateKey(
    { ...rsaParams, modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]) },
    true,
    ['sign', 'verify'],
  )) as CryptoKeyPair;
  const cert = new pkijs.Certificate();
  cert.version = 2;
  cert.serialNumber = new asn1js.Integer({
    valueHex: webcrypto.getRandomValues(new Uint8Array(12)).map((b, i) => (i === 0 ? (b & 0x7f) | 1 : b)),
  });
  for (const target of [cert.subject, cert.issuer]) {
    target.typesAndValues.push(
      new pkijs.AttributeTypeAndValue({ type: '2.5.4.3', value: new asn1js.Utf8String({ value: commonName }) }),
    );
    target.typesAndValues.push(
      new pkijs.AttributeTypeAndValue({ type: '2.5.4.10', value: new asn1js.Utf8String({ value: organisation }) }),
    );
  }
  const now = Date.now();
  cert.notBefore.value = new Date(now - 60_000);
  cert.notAfter.value = new Date(now + days * 86_400_000);
  await cert.subjectPublicKeyInfo.importKey(keys.publicKey, engine);
  await cert.sign(keys.privateKey, 'SHA-256', engine);
  const pkcs8 = await subtle.exportKey('pkcs8', keys.privateKey);
  return {
    certificatePem: pem(cert.toSchema(true).toBER(false), 'CERTIFICATE'),
    privateKeyPem: pem(pkcs8, 'PRIVATE KEY'),
  };
}

/** base64url of a CMS SignedData over `content`, RSA-SHA256, detached unless told otherwise. */
export async function signRsaCms(
  content: string,
  certificatePem: string,
  privateKeyPem: string,
  options: { detached?: boolean; signedAttributes?: boolean } = {},
): Promise<Uint8Array> {
  const detached = options.detached ?? true;
  const data = new TextEncoder().encode(content);
  const cert = pkijs.Certificate.fromBER(derOf(certificatePem));
  const key = await subtle.importKey('pkcs8', derOf(privateKeyPem), rsaParams, false, ['sign']);
  const signerInfo = new pkijs.SignerInfo({
    version: 1,
    sid: new pkijs.IssuerAndSerialNumber({ issuer: cert.issuer, serialNumber: cert.serialNumber }),
  });
  if (options.signedAttributes) {
    const digest = await subtle.digest('SHA-256', data);
    signerInfo.signedAttrs = new pkijs.SignedAndUnsignedAttributes({
      type: 0,
      attributes: [
        new pkijs.Attribute({
          type: '1.2.840.113549.1.9.3',
          values: [new asn1js.ObjectIdentifier({ value: '1.2.840.113549.1.7.1' })],
        }),
        new pkijs.Attribute({ type: '1.2.840.113549.1.9.4', values: [new asn1js.OctetString({ valueHex: digest })] }),
      ],
    });
  }
  const signed = new pkijs.SignedData({
    version: 1,
    encapContentInfo: new pkijs.EncapsulatedContentInfo({
      eContentType: '1.2.840.113549.1.7.1',
      ...(detached ? {} : { eContent: new asn1js.OctetString({ valueHex: data }) }),
    }),
    signerInfos: [signerInfo],
    certificates: [cert],
  });
  await signed.sign(key, 0, 'SHA-256', detached ? data : undefined, engine);
  const info = new pkijs.ContentInfo({ contentType: '1.2.840.113549.1.7.2', content: signed.toSchema(true) });
  return new Uint8Array(info.toSchema().toBER(false));
}
