/*
 * Low-level X.509 building blocks for the test PKI (lib/pki/test_pki.ts): ECDSA P-256 keys through
 * WebCrypto, names shaped like Russian qualified certificates, the usual extensions, and issuing a
 * certificate signed by a given CA key with pkijs. Nothing here knows personas or files.
 */
import { createHash, webcrypto } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';

export const subtle = webcrypto.subtle as unknown as SubtleCrypto;
export const engine = new pkijs.CryptoEngine({ name: 'node', crypto: webcrypto as unknown as Crypto });
pkijs.setEngine('node', engine);

export const ecParams = { name: 'ECDSA', namedCurve: 'P-256' } as const;

/** Object identifiers used in subjects and extensions. */
export const oid = {
  commonName: '2.5.4.3',
  surname: '2.5.4.4',
  givenName: '2.5.4.42',
  country: '2.5.4.6',
  organisation: '2.5.4.10',
  organisationalUnit: '2.5.4.11',
  locality: '2.5.4.7',
  /** СНИЛС (NumericString, 11 digits), as qualified certificates carry it (Приказ ФСБ № 795). */
  snils: '1.2.643.100.3',
  /** ИНН физического лица (NumericString, 12 digits). */
  inn: '1.2.643.3.131.1.1',
  /** Средство ЭП владельца (subjectSignTool), an extension of qualified certificates. */
  subjectSignTool: '1.2.643.100.111',
  basicConstraints: '2.5.29.19',
  keyUsage: '2.5.29.15',
  extKeyUsage: '2.5.29.37',
  subjectAltName: '2.5.29.17',
  subjectKeyIdentifier: '2.5.29.14',
  authorityKeyIdentifier: '2.5.29.35',
  crlDistributionPoints: '2.5.29.31',
  authorityInfoAccess: '1.3.6.1.5.5.7.1.1',
  ocsp: '1.3.6.1.5.5.7.48.1',
  caIssuers: '1.3.6.1.5.5.7.48.2',
  serverAuth: '1.3.6.1.5.5.7.3.1',
  clientAuth: '1.3.6.1.5.5.7.3.2',
  emailProtection: '1.3.6.1.5.5.7.3.4',
  ocspSigning: '1.3.6.1.5.5.7.3.9',
} as const;

/** Key usage bits (RFC 5280 4.2.1.3), in bit order. */
export const keyUsageBits = [
  'digitalSignature',
  'nonRepudiation',
  'keyEncipherment',
  'dataEncipherment',
  'keyAgreement',
  'keyCertSign',
  'cRLSign',
  'encipherOnly',
  'decipherOnly',
] as const;
export type KeyUsage = (typeof keyUsageBits)[number];

export function toPem(der: ArrayBuffer | Uint8Array, label: string): string {
  const b64 = Buffer.from(der instanceof Uint8Array ? der : new Uint8Array(der)).toString('base64');
  return `-----BEGIN ${label}-----\n${b64.replace(/.{1,64}/g, '$&\n')}-----END ${label}-----\n`;
}

/** DER bytes of a PEM (any label) or of DER given as bytes. */
export function toDer(input: string | Uint8Array | ArrayBuffer): ArrayBuffer {
  if (typeof input !== 'string') {
    const bytes = input instanceof Uint8Array ? input : new Uint8Array(input);
    return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  }
  const b64 = input.replace(/-----[^-]+-----/g, '').replace(/\s+/g, '');
  const buf = Buffer.from(b64, 'base64');
  return buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer;
}

export function parseCertificate(input: string | Uint8Array | ArrayBuffer): pkijs.Certificate {
  return pkijs.Certificate.fromBER(toDer(input));
}

/** Serial number as upper-case hex without leading zeros (as Node's X509Certificate and openssl print it). */
export function serialHex(cert: pkijs.Certificate): string {
  return Buffer.from(cert.serialNumber.valueBlock.valueHexView)
    .toString('hex')
    .toUpperCase()
    .replace(/^(00)+(?=.)/, '');
}

export type NameAttribute = [type: string, value: string, kind?: 'utf8' | 'printable' | 'numeric'];

/** A distinguished name with one attribute per RDN (pkijs alone would put them all in one multi-valued RDN). */
export function buildName(attributes: NameAttribute[]): pkijs.RelativeDistinguishedNames {
  const sets = attributes.map(([type, value, kind = 'utf8']) => {
    const encoded =
      kind === 'numeric'
        ? new asn1js.NumericString({ value })
        : kind === 'printable'
          ? new asn1js.PrintableString({ value })
          : new asn1js.Utf8String({ value });
    return new asn1js.Set({ value: [new pkijs.AttributeTypeAndValue({ type, value: encoded }).toSchema()] });
  });
  return pkijs.RelativeDistinguishedNames.fromBER(new asn1js.Sequence({ value: sets }).toBER(false));
}

/** The value of the first attribute of `type` in a name, as text. */
export function nameValue(name: pkijs.RelativeDistinguishedNames, type: string): string | undefined {
  const attr = name.typesAndValues.find((a) => a.type === type);
  if (!attr) return undefined;
  const value = attr.value as { valueBlock: { value?: unknown } };
  return typeof value.valueBlock.value === 'string' ? value.valueBlock.value : undefined;
}

/** One line per name, RFC 4514-like, for manifests and messages. */
export function nameText(name: pkijs.RelativeDistinguishedNames): string {
  const short: Record<string, string> = {
    [oid.commonName]: 'CN',
    [oid.surname]: 'SN',
    [oid.givenName]: 'G',
    [oid.country]: 'C',
    [oid.organisation]: 'O',
    [oid.organisationalUnit]: 'OU',
    [oid.locality]: 'L',
    [oid.snils]: 'SNILS',
    [oid.inn]: 'INN',
  };
  return name.typesAndValues.map((a) => `${short[a.type] ?? a.type}=${nameValue(name, a.type) ?? '?'}`).join(', ');
}

export function keyUsageOf(cert: pkijs.Certificate): KeyUsage[] | undefined {
  const ext = cert.extensions?.find((e) => e.extnID === oid.keyUsage);
  if (!ext) return undefined;
  const parsed = asn1js.fromBER(ext.extnValue.valueBlock.valueHexView);
  const bits = parsed.result as asn1js.BitString;
  const bytes = bits.valueBlock.valueHexView;
  return keyUsageBits.filter((_, i) => ((bytes[i >> 3] ?? 0) >> (7 - (i & 7))) & 1);
}

function keyUsageValue(usages: KeyUsage[]): asn1js.BitString {
  const indexes = usages.map((u) => keyUsageBits.indexOf(u));
  const highest = Math.max(...indexes);
  const bytes = new Uint8Array((highest >> 3) + 1);
  for (const i of indexes) bytes[i >> 3]! |= 0x80 >> (i & 7);
  return new asn1js.BitString({ valueHex: bytes.buffer, unusedBits: 7 - (highest & 7) });
}

export function randomSerial(): Uint8Array {
  const bytes = webcrypto.getRandomValues(new Uint8Array(16));
  bytes[0] = (bytes[0]! & 0x7f) | 0x10;
  return bytes;
}

export async function generateEcKeys(): Promise<CryptoKeyPair> {
  return (await subtle.generateKey(ecParams, true, ['sign', 'verify'])) as CryptoKeyPair;
}

export async function importPrivateKey(pkcs8Pem: string): Promise<CryptoKey> {
  return subtle.importKey('pkcs8', toDer(pkcs8Pem), ecParams, false, ['sign']);
}

export async function privateKeyPem(key: CryptoKey): Promise<string> {
  return toPem(await subtle.exportKey('pkcs8', key), 'PRIVATE KEY');
}

function keyIdentifier(cert: pkijs.Certificate): ArrayBuffer {
  const bits = cert.subjectPublicKeyInfo.subjectPublicKey.valueBlock.valueHexView;
  const digest = createHash('sha1').update(bits).digest();
  return digest.buffer.slice(digest.byteOffset, digest.byteOffset + digest.byteLength) as ArrayBuffer;
}

function extension(
  extnID: string,
  critical: boolean,
  value: { toSchema(): asn1js.BaseBlock } | asn1js.BaseBlock,
): pkijs.Extension {
  const schema = 'toBER' in value ? value : value.toSchema();
  return new pkijs.Extension({ extnID, critical, extnValue: schema.toBER(false) });
}

export interface IssueRequest {
  subject: NameAttribute[];
  publicKey: CryptoKey;
  notBefore: Date;
  notAfter: Date;
  /** Issuer certificate; absent for a self-signed root. */
  issuer?: pkijs.Certificate;
  issuerKey: CryptoKey;
  ca?: { pathLength?: number };
  keyUsage: KeyUsage[];
  extendedKeyUsage?: string[];
  /** DNS names and IP addresses for subjectAltName. */
  dnsNames?: string[];
  ipAddresses?: string[];
  crlUrl?: string;
  ocspUrl?: string;
  caIssuersUrl?: string;
  signTool?: string;
}

/** Issues (signs) one certificate with ECDSA-SHA256. */
export async function issueCertificate(request: IssueRequest): Promise<pkijs.Certificate> {
  const cert = new pkijs.Certificate();
  cert.version = 2;
  cert.serialNumber = new asn1js.Integer({ valueHex: randomSerial().buffer as ArrayBuffer });
  const subject = buildName(request.subject);
  cert.subject = subject;
  cert.issuer = request.issuer ? request.issuer.subject : buildName(request.subject);
  cert.notBefore.value = request.notBefore;
  cert.notAfter.value = request.notAfter;
  await cert.subjectPublicKeyInfo.importKey(request.publicKey, engine);
  const extensions: pkijs.Extension[] = [];
  extensions.push(
    extension(
      oid.basicConstraints,
      true,
      new pkijs.BasicConstraints(
        request.ca
          ? { cA: true, ...(request.ca.pathLength !== undefined ? { pathLenConstraint: request.ca.pathLength } : {}) }
          : {},
      ),
    ),
  );
  extensions.push(extension(oid.keyUsage, true, keyUsageValue(request.keyUsage)));
  if (request.extendedKeyUsage?.length)
    extensions.push(
      extension(oid.extKeyUsage, false, new pkijs.ExtKeyUsage({ keyPurposes: request.extendedKeyUsage })),
    );
  const altNames = [
    ...(request.dnsNames ?? []).map((value) => new pkijs.GeneralName({ type: 2, value })),
    ...(request.ipAddresses ?? []).map(
      (ip) =>
        new pkijs.GeneralName({
          type: 7,
          value: new asn1js.OctetString({ valueHex: ipBytes(ip).buffer as ArrayBuffer }),
        }),
    ),
  ];
  if (altNames.length) extensions.push(extension(oid.subjectAltName, false, new pkijs.AltName({ altNames })));
  extensions.push(
    extension(oid.subjectKeyIdentifier, false, new asn1js.OctetString({ valueHex: keyIdentifier(cert) })),
  );
  const authorityKey = keyIdentifier(request.issuer ?? cert);
  extensions.push(
    extension(
      oid.authorityKeyIdentifier,
      false,
      new pkijs.AuthorityKeyIdentifier({ keyIdentifier: new asn1js.OctetString({ valueHex: authorityKey }) }),
    ),
  );
  if (request.crlUrl) {
    extensions.push(
      extension(
        oid.crlDistributionPoints,
        false,
        new pkijs.CRLDistributionPoints({
          distributionPoints: [
            new pkijs.DistributionPoint({
              distributionPoint: [new pkijs.GeneralName({ type: 6, value: request.crlUrl })],
            }),
          ],
        }),
      ),
    );
  }
  const access = [
    ...(request.ocspUrl
      ? [
          new pkijs.AccessDescription({
            accessMethod: oid.ocsp,
            accessLocation: new pkijs.GeneralName({ type: 6, value: request.ocspUrl }),
          }),
        ]
      : []),
    ...(request.caIssuersUrl
      ? [
          new pkijs.AccessDescription({
            accessMethod: oid.caIssuers,
            accessLocation: new pkijs.GeneralName({ type: 6, value: request.caIssuersUrl }),
          }),
        ]
      : []),
  ];
  if (access.length)
    extensions.push(extension(oid.authorityInfoAccess, false, new pkijs.InfoAccess({ accessDescriptions: access })));
  if (request.signTool)
    extensions.push(extension(oid.subjectSignTool, false, new asn1js.Utf8String({ value: request.signTool })));
  cert.extensions = extensions;
  await cert.sign(request.issuerKey, 'SHA-256', engine);
  return cert;
}

function ipBytes(ip: string): Uint8Array {
  if (ip.includes(':')) {
    const [head = '', tail = ''] = ip.split('::');
    const part = (s: string) => (s ? s.split(':').map((h) => parseInt(h, 16)) : []);
    const h = part(head);
    const t = part(tail);
    const groups = [...h, ...new Array(8 - h.length - t.length).fill(0), ...t];
    return new Uint8Array(groups.flatMap((g) => [g >> 8, g & 0xff]));
  }
  return new Uint8Array(ip.split('.').map(Number));
}

export function certificatePem(cert: pkijs.Certificate): string {
  return toPem(cert.toSchema(true).toBER(false), 'CERTIFICATE');
}
