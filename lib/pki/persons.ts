/*
 * What the test PKI knows of persons: the subject of a person's certificate, shaped like a Russian
 * qualified one (CN=ФИО, SN, G, C=RU, СНИЛС 1.2.643.100.3, ИНН 1.2.643.3.131.1.1), the persona list it
 * is generated for (config/personas.json unless given), the «orphan» whose СНИЛС belongs to no
 * account, and issuing a new person certificate at run time.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { projectRoot } from '../project_root.ts';
import { type IssuedCertificate, orphanPersona, type TestPki } from './certificates.ts';
import {
  certificatePem,
  generateEcKeys,
  importPrivateKey,
  issueCertificate,
  nameText,
  oid,
  privateKeyPem,
  serialHex,
  type NameAttribute,
} from './x509.ts';

const day = 86_400_000;

export interface PersonaSubject {
  persona: string;
  lastName: string;
  firstName: string;
  middleName?: string;
  snils: string;
  inn?: string;
}

export function readPersonaSubjects(file = join(projectRoot, 'config/personas.json')): Promise<PersonaSubject[]> {
  return readFile(file, 'utf8').then((text) => (JSON.parse(text) as { personas: PersonaSubject[] }).personas);
}

/** The persona of `orphanPersona`: a correct certificate whose СНИЛС belongs to no account. */
export const orphan: PersonaSubject = {
  persona: orphanPersona,
  lastName: 'Никтошин',
  firstName: 'Никита',
  middleName: 'Олегович',
  snils: '112-233-499 08',
  inn: '770100000921',
};

/** Changes when a persona's certificate subject would: the PKI is regenerated then. */
export function personasHash(personas: PersonaSubject[]): string {
  return JSON.stringify(
    personas.map((p) => [p.persona, p.lastName, p.firstName, p.middleName ?? '', p.snils, p.inn ?? '']),
  );
}

/** Subject of a person's certificate, shaped like a qualified one (generation and runtime issuing share it). */
export function personSubject(p: Omit<PersonaSubject, 'persona'>): NameAttribute[] {
  const given = [p.firstName, p.middleName].filter(Boolean).join(' ');
  return [
    [oid.commonName, `${p.lastName} ${given}`],
    [oid.surname, p.lastName],
    [oid.givenName, given],
    [oid.country, 'RU', 'printable'],
    [oid.snils, p.snils.replace(/\D/g, ''), 'numeric'],
    ...(p.inn ? [[oid.inn, p.inn, 'numeric'] as NameAttribute] : []),
  ];
}
export const personExtendedKeyUsage = [oid.clientAuth, oid.emailProtection];
export const personSignTool = 'Плагин подписи тестового стенда esia-emulator';

/**
 * Issues a NEW certificate for a person at run time from the test intermediate CA (the support
 * console's re-issue, E2): ECDSA P-256 / SHA-256, the subject and extensions of the generated
 * «valid» certificates (CN/SN/G/C, СНИЛС, ИНН, clientAuth + emailProtection, CDP/AIA of the stand),
 * valid from `at` (the run's clock; five minutes back, for clocks a little behind) for `days` (365
 * by default, never past the intermediate's own end). The result lives in memory only: it is not
 * written into the PKI folder (`certificateFile`/`keyFile` are empty) and `pki.bySerial` does not
 * know it — the caller keeps it in its run (idp/runs.ts Run.issuedCertificates).
 */
export async function issuePersonCertificate(
  pki: TestPki,
  person: PersonaSubject,
  options: { at: number; days?: number; variant?: string },
): Promise<IssuedCertificate> {
  const keys = await generateEcKeys();
  const notBefore = new Date(options.at - 5 * 60_000);
  const notAfter = new Date(Math.min(options.at + (options.days ?? 365) * day, Date.parse(pki.intermediate.notAfter)));
  if (notAfter <= notBefore)
    throw new Error(
      `The intermediate CA ends at ${pki.intermediate.notAfter}: it cannot issue at ${new Date(options.at).toISOString()}.`,
    );
  const cert = await issueCertificate({
    subject: personSubject(person),
    publicKey: keys.publicKey,
    notBefore,
    notAfter,
    issuer: pki.parsedIntermediate,
    issuerKey: await importPrivateKey(pki.intermediate.privateKeyPem),
    keyUsage: ['digitalSignature', 'nonRepudiation'],
    extendedKeyUsage: personExtendedKeyUsage,
    signTool: personSignTool,
    crlUrl: `${pki.origin}/pki/intermediate.crl`,
    ocspUrl: `${pki.origin}/pki/ocsp`,
    caIssuersUrl: `${pki.origin}/pki/intermediate.crt`,
  });
  return {
    serial: serialHex(cert),
    kind: 'person',
    persona: person.persona,
    variant: options.variant ?? 'reissued',
    subject: nameText(cert.subject),
    issuer: nameText(cert.issuer),
    notBefore: cert.notBefore.value.toISOString(),
    notAfter: cert.notAfter.value.toISOString(),
    certificateFile: '',
    keyFile: '',
    certificatePem: certificatePem(cert),
    privateKeyPem: await privateKeyPem(keys.privateKey),
  };
}

/** The private key of an issued certificate, for WebCrypto (ECDSA P-256, sign). */
export function signingKeyOf(issued: IssuedCertificate): Promise<CryptoKey> {
  return importPrivateKey(issued.privateKeyPem);
}
