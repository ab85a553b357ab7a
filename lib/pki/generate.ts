/*
 * Generation of the test PKI into a folder: the CAs, every persona certificate in every variant,
 * the GOST CA and its certificates, the server certificates, and manifest.json listing them all.
 * The validity layout is described in test_pki.ts.
 */
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type * as pkijs from 'pkijs';
import {
  createGostCertificate,
  createSelfSignedGostCertificate,
  exportPrivateKeyPem as exportGostPrivateKeyPem,
  generateGostKeyPair,
} from '../gost/index.ts';
import {
  gostVariant,
  type IssuedCertificate,
  personVariants,
  type PersonVariant,
  serverVariants,
  type ServerVariant,
} from './certificates.ts';
import { orphan, type PersonaSubject, personExtendedKeyUsage, personSignTool, personSubject } from './persons.ts';
import {
  certificatePem,
  generateEcKeys,
  issueCertificate,
  nameText,
  oid,
  parseCertificate,
  privateKeyPem,
  serialHex,
  type IssueRequest,
  type NameAttribute,
} from './x509.ts';

/** Bump when the layout or contents change: older generations are replaced. */
export const manifestVersion = 4;
const day = 86_400_000;

/**
 * The instant scenarios start at unless they say otherwise (scenarios/runner/run.ts defaultClock).
 * Persona certificates are laid out so that each variant means the same at this instant and at the
 * real time of generation, however far apart the two are.
 */
export const scenarioAnchor = Date.parse('2026-11-25T09:00:00.000Z');

export interface Manifest {
  version: number;
  generatedAt: string;
  origin: string;
  personasHash: string;
  /** Paths relative to the pki folder. */
  certificates: ManifestEntry[];
}
export type ManifestEntry = Omit<IssuedCertificate, 'certificatePem' | 'privateKeyPem'>;

interface Authority {
  cert: pkijs.Certificate;
  key: CryptoKey;
}

export async function generate(dir: string, personas: PersonaSubject[], origin: string, hash: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const g = Date.now();
  const at = (days: number) => new Date(g + days * day);
  // persona certificates: valid both at the scenario anchor and at generation (see the header)
  const early = Math.min(g, scenarioAnchor);
  const late = Math.max(g, scenarioAnchor);
  const fromEarly = (days: number) => new Date(early + days * day);
  const fromLate = (days: number) => new Date(late + days * day);
  const entries: ManifestEntry[] = [];
  const urls = {
    crlUrl: `${origin}/pki/intermediate.crl`,
    ocspUrl: `${origin}/pki/ocsp`,
    caIssuersUrl: `${origin}/pki/intermediate.crt`,
  };

  async function savePem(
    kind: IssuedCertificate['kind'],
    path: string,
    certPem: string,
    keyPem: string,
    extra: Partial<ManifestEntry> = {},
  ): Promise<void> {
    const cert = parseCertificate(certPem);
    const certificateFile = `${path}.crt`;
    const keyFile = `${path}.key`;
    await mkdir(join(dir, path, '..'), { recursive: true, mode: 0o700 });
    await writeFile(join(dir, certificateFile), certPem);
    await writeFile(join(dir, keyFile), keyPem, { mode: 0o600 });
    await chmod(join(dir, keyFile), 0o600);
    entries.push({
      serial: serialHex(cert),
      kind,
      subject: nameText(cert.subject),
      issuer: nameText(cert.issuer),
      notBefore: cert.notBefore.value.toISOString(),
      notAfter: cert.notAfter.value.toISOString(),
      certificateFile,
      keyFile,
      ...extra,
    });
  }
  async function save(
    kind: IssuedCertificate['kind'],
    path: string,
    cert: pkijs.Certificate,
    key: CryptoKey,
    extra: Partial<ManifestEntry> = {},
  ): Promise<void> {
    await savePem(kind, path, certificatePem(cert), await privateKeyPem(key), extra);
  }

  async function authority(
    kind: 'root' | 'intermediate' | 'untrusted-root',
    subject: NameAttribute[],
    years: number,
    parent?: Authority,
  ): Promise<Authority> {
    const keys = await generateEcKeys();
    const request: IssueRequest = {
      subject,
      publicKey: keys.publicKey,
      notBefore: fromEarly(-1),
      notAfter: at(years * 365),
      issuerKey: parent?.key ?? keys.privateKey,
      ca: kind === 'intermediate' ? { pathLength: 0 } : {},
      keyUsage: ['digitalSignature', 'keyCertSign', 'cRLSign'],
      ...(parent ? { issuer: parent.cert, caIssuersUrl: `${origin}/pki/root.crt` } : {}),
    };
    const cert = await issueCertificate(request);
    await save(kind, `ca/${kind}`, cert, keys.privateKey);
    return { cert, key: keys.privateKey };
  }

  const org = (cn: string): NameAttribute[] => [
    [oid.country, 'RU', 'printable'],
    [oid.locality, 'г. Москва'],
    [oid.organisation, 'esia-emulator (тестовый стенд)'],
    [oid.commonName, cn],
  ];
  const root = await authority('root', org('Тестовый корневой УЦ esia-emulator'), 10);
  const intermediate = await authority('intermediate', org('Тестовый УЦ esia-emulator (выдающий)'), 5, root);
  const untrusted = await authority('untrusted-root', org('Недоверенный УЦ (не из списка стенда)'), 5);

  const validSpan = { from: fromEarly(-1), to: fromLate(365) };
  const personVariantsSpec: Record<
    PersonVariant,
    { from: Date; to: Date; issuer: Authority; usage: IssueRequest['keyUsage']; revoked?: boolean }
  > = {
    valid: { ...validSpan, issuer: intermediate, usage: ['digitalSignature', 'nonRepudiation'] },
    expired: {
      from: fromEarly(-400),
      to: fromEarly(-30),
      issuer: intermediate,
      usage: ['digitalSignature', 'nonRepudiation'],
    },
    'not-yet-valid': {
      from: fromLate(30),
      to: fromLate(395),
      issuer: intermediate,
      usage: ['digitalSignature', 'nonRepudiation'],
    },
    revoked: { ...validSpan, issuer: intermediate, usage: ['digitalSignature', 'nonRepudiation'], revoked: true },
    untrusted: { ...validSpan, issuer: untrusted, usage: ['digitalSignature', 'nonRepudiation'] },
    'wrong-key-usage': { ...validSpan, issuer: intermediate, usage: ['keyEncipherment'] },
  };

  const subjects = [
    ...personas.map((p) => ({ p, variants: personVariants as readonly PersonVariant[] })),
    { p: orphan, variants: ['valid'] as PersonVariant[] },
  ];
  for (const { p, variants } of subjects) {
    for (const variant of variants) {
      const spec = personVariantsSpec[variant];
      const keys = await generateEcKeys();
      const cert = await issueCertificate({
        subject: personSubject(p),
        publicKey: keys.publicKey,
        notBefore: spec.from,
        notAfter: spec.to,
        issuer: spec.issuer.cert,
        issuerKey: spec.issuer.key,
        keyUsage: spec.usage,
        extendedKeyUsage: personExtendedKeyUsage,
        signTool: personSignTool,
        ...(spec.issuer === intermediate ? urls : {}),
      });
      await save('person', `persons/${p.persona}/${variant}`, cert, keys.privateKey, {
        persona: p.persona,
        variant,
        ...(spec.revoked ? { revokedAt: new Date(early).toISOString() } : {}),
      });
    }
  }

  // GOST R 34.10-2012 (256): a CA of its own and one valid certificate per persona (lib/gost)
  const gostKeys = generateGostKeyPair();
  const gostCa = createSelfSignedGostCertificate(
    gostKeys,
    [
      ['C', 'RU'],
      ['O', 'esia-emulator (тестовый стенд)'],
      ['CN', 'Тестовый УЦ ГОСТ esia-emulator'],
    ],
    {
      ca: true,
      notBefore: fromEarly(-1),
      notAfter: at(5 * 365),
    },
  );
  await savePem('gost-root', 'ca/gost-root', gostCa.pem, exportGostPrivateKeyPem(gostKeys.privateKey));
  for (const p of personas) {
    const keys = generateGostKeyPair();
    const given = [p.firstName, p.middleName].filter(Boolean).join(' ');
    const cert = createGostCertificate({
      keyPair: keys,
      subject: [
        ['CN', `${p.lastName} ${given}`],
        ['SN', p.lastName],
        ['GN', given],
        ['C', 'RU'],
        ['SNILS', p.snils.replace(/\D/g, '')],
        ...(p.inn ? [['INN', p.inn] as const] : []),
      ],
      notBefore: validSpan.from,
      notAfter: validSpan.to,
      issuer: { certificate: gostCa.certificate, privateKey: gostKeys.privateKey },
      extendedKeyUsage: true,
    });
    await savePem('person', `persons/${p.persona}/${gostVariant}`, cert.pem, exportGostPrivateKeyPem(keys.privateKey), {
      persona: p.persona,
      variant: gostVariant,
    });
  }

  const serverSpec: Record<
    ServerVariant,
    { from: number; to: number; hosts: string[]; ips: string[]; revoked?: boolean; issuer?: Authority }
  > = {
    valid: { from: -1, to: 397, hosts: ['localhost'], ips: ['127.0.0.1', '::1'] },
    expired: { from: -60, to: -30, hosts: ['localhost'], ips: ['127.0.0.1', '::1'] },
    revoked: { from: -1, to: 397, hosts: ['localhost'], ips: ['127.0.0.1', '::1'], revoked: true },
    'wrong-host': { from: -1, to: 397, hosts: ['wrong-host.esia-emulator.test'], ips: [] },
    untrusted: { from: -1, to: 397, hosts: ['localhost'], ips: ['127.0.0.1', '::1'], issuer: untrusted },
  };
  for (const variant of serverVariants) {
    const spec = serverSpec[variant];
    const keys = await generateEcKeys();
    const cert = await issueCertificate({
      subject: [
        [oid.country, 'RU', 'printable'],
        [oid.organisation, 'esia-emulator (тестовый стенд)'],
        [oid.commonName, spec.hosts[0]!],
      ],
      publicKey: keys.publicKey,
      notBefore: at(spec.from),
      notAfter: at(spec.to),
      issuer: (spec.issuer ?? intermediate).cert,
      issuerKey: (spec.issuer ?? intermediate).key,
      keyUsage: ['digitalSignature'],
      extendedKeyUsage: [oid.serverAuth],
      dnsNames: spec.hosts,
      ipAddresses: spec.ips,
      ...(spec.issuer ? {} : urls),
    });
    await save('server', `server/${variant}`, cert, keys.privateKey, {
      variant,
      ...(spec.revoked ? { revokedAt: new Date(early).toISOString() } : {}),
    });
  }

  const manifest: Manifest = {
    version: manifestVersion,
    generatedAt: new Date(g).toISOString(),
    origin,
    personasHash: hash,
    certificates: entries,
  };
  await writeFile(join(dir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  await writeFile(
    join(dir, 'README.txt'),
    'Test PKI of esia-emulator: TEST keys of a TEST stand, generated on this machine (lib/pki/test_pki.ts).\n' +
      'ca/root.crt is the root to trust; ca/intermediate.crt issues everything; persons/<persona>/<variant>.{crt,key}; server/<variant>.{crt,key}.\n' +
      'manifest.json lists every certificate with its serial. Never use any of this for anything real.\n',
  );
}
