/*
 * The test PKI of the stand (issue 6): a root CA, an intermediate CA that issues everything, and a
 * separate «untrusted» root; certificates for the personas shaped like Russian qualified
 * certificates (CN=ФИО, SN, G, C=RU, СНИЛС 1.2.643.100.3, ИНН 1.2.643.3.131.1.1, all ECDSA P-256 /
 * SHA-256), and HTTPS server certificates. Everything is generated into <keysDir>/pki/ (git ignores
 * keys/local) on first use and reused afterwards; it is regenerated when the persona list changes
 * or a «valid» certificate has less than 30 days left.
 *
 * API (stable — the certificate sign-in builds on it):
 *   loadTestPki(keysDir, { personas?, origin? }) → TestPki   creates on first call, reuses after
 *   pki.root / pki.intermediate / pki.untrustedRoot          { certificatePem, privateKeyPem, ... }
 *   pki.certificateFor(persona, variant) → IssuedCertificate  variant ∈ personVariants;
 *       persona = a `persona` key of config/personas.json, or `orphanPersona` ('nobody', valid only:
 *       a correct certificate whose СНИЛС belongs to no account)
 *   pki.server(variant) → IssuedCertificate                   variant ∈ serverVariants
 *   pki.certificates (all issued, with serial/kind/persona/variant/files), pki.bySerial(serial)
 *   pki.chainPem → intermediate + root PEMs (what a TLS server or a signer sends along)
 *   issuePersonCertificate(pki, person, { at, days? }) → IssuedCertificate: a NEW valid certificate
 *       from the intermediate at run time (in memory; the caller keeps it in its run)
 *   checkCertificate(pki, pem | base64 DER | DER bytes, { at, revocations? }) →
 *       { ok: true, serial, snils, inn, name, persona? } | { ok: false, code, details, serial? }
 *     checks in this order: parses → chains to our root via our intermediate (else
 *     certificate.untrusted) → valid at `at` (run.clock.now(); certificate.expired /
 *     certificate.not_yet_valid) → not revoked (the «revoked» variants are revoked from generation
 *     on, in every run; plus the run's own `Revocations`; certificate.revoked) → key usage has
 *     digitalSignature or nonRepudiation (certificate.key_usage) → subject has a СНИЛС
 *     (certificate.not_linked). Matching the СНИЛС to an account is the caller's job; when no
 *     account has it, raise certificate.not_linked too.
 *   new Revocations() — a run's live revocations (idp/runs.ts gives every Run one: run.revocations);
 *     revoke(serial, at, reason?), has(serial), list(), clear().
 *   verifySignature(certPem, data, signature) → boolean: ECDSA P-256 with SHA-256 over `data`;
 *     the signature may be IEEE P1363 (r‖s, 64 bytes, what WebCrypto's subtle.sign produces) or DER
 *     (what openssl/Node's crypto.sign produce by default) — both are accepted.
 *
 * Validity. G = the generation instant (manifest.generatedAt), A = scenarioAnchor (2026-11-25T09:00Z,
 * the scenarios' default clock), E = min(G, A), L = max(G, A) — so every variant means the same at
 * the scenarios' clock and at the real time:
 *   CAs: E−1 day … G+10 years (root), G+5 years (intermediate, untrusted root)
 *   valid / revoked / wrong-key-usage / untrusted / orphan: E−1 day … L+365 days
 *   expired: E−400 days … E−30 days;  not-yet-valid: L+30 days … L+395 days
 *   (the «revoked» ones are revoked at E)
 *   server valid / revoked / wrong-host / untrusted (issued by the untrusted root): G−1 day … G+397
 *   days;  server expired: G−60 … G−30 days
 * Server certificates follow real time only (TLS checks them against it; browsers refuse spans over
 * 398 days). Moving a run's clock past L+365 days makes every «valid» persona certificate expired,
 * and past L+30 days makes «not-yet-valid» valid.
 *
 * GOST: certificateFor(persona, 'gost') is a GOST R 34.10-2012 (256) certificate from a separate
 * GOST test CA (pki.gostRoot); checkCertificate and verifySignature handle it too (any signature
 * layout); the CRL and OCSP answer for the ECDSA intermediate only, live revocation works for both.
 *
 * Error codes: the certificate.* constants below (`certificateErrorCodes`) are what checkCertificate
 * returns. PATH TAKEN (for the esign helper): this module only DEFINES the codes; the entries in
 * idp/errors/catalogue.ts (Russian texts, support texts, ids A4/A5/C6) and their scenarios come with
 * the certificate sign-in that raises them. The TLS faults' codes live in relying-party/errors.ts.
 */
import { X509Certificate, createPublicKey, verify as cryptoVerify } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { chmod, mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type * as pkijs from 'pkijs';
import {
  createGostCertificate,
  createSelfSignedGostCertificate,
  exportPrivateKeyPem as exportGostPrivateKeyPem,
  generateGostKeyPair,
  gostVerifyAnyLayout,
  parseCertificate as parseGostCertificate,
  verifyCertificateSignature as verifyGostCertificateSignature,
} from '../gost/index.ts';
import { projectRoot } from '../project_root.ts';
import {
  certificatePem,
  generateEcKeys,
  importPrivateKey,
  issueCertificate,
  keyUsageOf,
  nameText,
  nameValue,
  oid,
  parseCertificate,
  privateKeyPem,
  serialHex,
  type IssueRequest,
  type NameAttribute,
} from './x509.ts';

export const personVariants = ['valid', 'expired', 'not-yet-valid', 'revoked', 'untrusted', 'wrong-key-usage'] as const;
export type PersonVariant = (typeof personVariants)[number];
/**
 * A GOST R 34.10-2012 (256) / Streebog certificate per persona, valid, from a separate GOST test CA
 * (pki.gostRoot; lib/gost builds it): certificateFor(persona, 'gost'). Not in personVariants, so
 * loops over the ECDSA variants stay as they are. The CRL and OCSP cover the ECDSA intermediate only.
 */
export const gostVariant = 'gost';
export type PersonCertificateVariant = PersonVariant | typeof gostVariant;
export const serverVariants = ['valid', 'expired', 'revoked', 'wrong-host', 'untrusted'] as const;
export type ServerVariant = (typeof serverVariants)[number];
/** The persona key of the certificate whose СНИЛС belongs to no account. */
export const orphanPersona = 'nobody';

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

/** Bump when the layout or contents change: older generations are replaced. */
const manifestVersion = 4;
const day = 86_400_000;

/**
 * The instant scenarios start at unless they say otherwise (scenarios/runner/run.ts defaultClock).
 * Persona certificates are laid out so that each variant means the same at this instant and at the
 * real time of generation, however far apart the two are.
 */
export const scenarioAnchor = Date.parse('2026-11-25T09:00:00.000Z');

export interface PersonaSubject {
  persona: string;
  lastName: string;
  firstName: string;
  middleName?: string;
  snils: string;
  inn?: string;
}

export interface IssuedCertificate {
  /** Upper-case hex, as openssl and Node print it. */
  serial: string;
  kind: 'root' | 'intermediate' | 'untrusted-root' | 'gost-root' | 'person' | 'server';
  persona?: string;
  variant?: string;
  subject: string;
  issuer: string;
  notBefore: string;
  notAfter: string;
  /** Absolute paths; empty for a certificate issued at run time (issuePersonCertificate). */
  certificateFile: string;
  keyFile: string;
  certificatePem: string;
  /** PKCS#8 PEM, unencrypted (test keys). */
  privateKeyPem: string;
  /** Set for certificates revoked from generation on (the «revoked» variants). */
  revokedAt?: string;
}

interface Manifest {
  version: number;
  generatedAt: string;
  origin: string;
  personasHash: string;
  /** Paths relative to the pki folder. */
  certificates: ManifestEntry[];
}
type ManifestEntry = Omit<IssuedCertificate, 'certificatePem' | 'privateKeyPem'>;

export interface RevocationEntry {
  serial: string;
  /** Epoch ms. */
  revokedAt: number;
  reason: RevocationReason;
}
/** RFC 5280 CRLReason names we use. */
export type RevocationReason = 'unspecified' | 'keyCompromise' | 'affiliationChanged' | 'superseded' | 'cessationOfOperation';
export const revocationReasonCodes: Record<RevocationReason, number> = { unspecified: 0, keyCompromise: 1, affiliationChanged: 3, superseded: 4, cessationOfOperation: 5 };

/** Live revocations of one run (the main run's are what the CRL and OCSP publish). */
export class Revocations {
  readonly #entries = new Map<string, RevocationEntry>();
  revoke(serial: string, at: number, reason: RevocationReason = 'unspecified'): RevocationEntry {
    const key = normaliseSerial(serial);
    const existing = this.#entries.get(key);
    if (existing) return existing;
    const entry = { serial: key, revokedAt: at, reason };
    this.#entries.set(key, entry);
    return entry;
  }
  has(serial: string): boolean {
    return this.#entries.has(normaliseSerial(serial));
  }
  get(serial: string): RevocationEntry | undefined {
    return this.#entries.get(normaliseSerial(serial));
  }
  list(): RevocationEntry[] {
    return [...this.#entries.values()];
  }
  clear(): void {
    this.#entries.clear();
  }
}

const gostSignatureOid = '1.2.643.7.1.1.3.2';

export function normaliseSerial(serial: string): string {
  return serial.replace(/[:\s]/g, '').toUpperCase().replace(/^(00)+(?=.)/, '');
}

export class TestPki {
  readonly #bySerial = new Map<string, IssuedCertificate>();
  #parsedIntermediate: pkijs.Certificate | undefined;
  readonly #x509Intermediate: X509Certificate;
  readonly #x509Root: X509Certificate;

  constructor(
    readonly dir: string,
    readonly generatedAt: Date,
    /** Origin written into CDP/AIA at generation (http://localhost:3000 unless told). */
    readonly origin: string,
    readonly certificates: IssuedCertificate[],
  ) {
    for (const c of certificates) this.#bySerial.set(c.serial, c);
    this.#x509Intermediate = new X509Certificate(this.intermediate.certificatePem);
    this.#x509Root = new X509Certificate(this.root.certificatePem);
  }

  #only(kind: IssuedCertificate['kind']): IssuedCertificate {
    const found = this.certificates.find((c) => c.kind === kind);
    if (!found) throw new Error(`The test PKI in ${this.dir} has no ${kind} certificate; delete the folder to regenerate it.`);
    return found;
  }
  get root(): IssuedCertificate {
    return this.#only('root');
  }
  get intermediate(): IssuedCertificate {
    return this.#only('intermediate');
  }
  get untrustedRoot(): IssuedCertificate {
    return this.#only('untrusted-root');
  }
  /** The GOST test CA that issues the `gost` persona certificates. */
  get gostRoot(): IssuedCertificate {
    return this.#only('gost-root');
  }
  /** What a TLS server sends: its certificate and the issuing chain (none for the untrusted variant, whose root nobody has). */
  serverCertificateChain(variant: ServerVariant): string {
    const server = this.server(variant);
    return variant === 'untrusted' ? server.certificatePem : server.certificatePem + this.intermediate.certificatePem;
  }

  /** Intermediate then root, PEM: the chain a server or signer sends with its certificate. */
  get chainPem(): string {
    return this.intermediate.certificatePem + this.root.certificatePem;
  }
  get x509Root(): X509Certificate {
    return this.#x509Root;
  }
  get x509Intermediate(): X509Certificate {
    return this.#x509Intermediate;
  }
  /** Parsed when first needed (CRL, OCSP, issuing at run time), not at start-up: pkijs takes a while the first time. */
  get parsedIntermediate(): pkijs.Certificate {
    return (this.#parsedIntermediate ??= parseCertificate(this.intermediate.certificatePem));
  }

  certificateFor(persona: string, variant: PersonCertificateVariant = 'valid'): IssuedCertificate {
    const found = this.certificates.find((c) => c.kind === 'person' && c.persona === persona && c.variant === variant);
    if (!found) throw new Error(`No test certificate for persona "${persona}", variant "${variant}". Personas: ${[...new Set(this.certificates.filter((c) => c.kind === 'person').map((c) => c.persona))].join(', ')}; variants: ${personVariants.join(', ')}, ${gostVariant} (${orphanPersona}: valid only).`);
    return found;
  }

  server(variant: ServerVariant = 'valid'): IssuedCertificate {
    const found = this.certificates.find((c) => c.kind === 'server' && c.variant === variant);
    if (!found) throw new Error(`No server certificate "${variant}"; expected one of ${serverVariants.join(', ')}.`);
    return found;
  }

  bySerial(serial: string): IssuedCertificate | undefined {
    return this.#bySerial.get(normaliseSerial(serial));
  }

  /** Revocation of a serial issued by our intermediate: revoked from generation, or live in `revocations`. */
  revocationOf(serial: string, revocations?: Revocations): RevocationEntry | undefined {
    const live = revocations?.get(serial);
    if (live) return live;
    const issued = this.bySerial(serial);
    if (issued?.revokedAt) return { serial: issued.serial, revokedAt: Date.parse(issued.revokedAt), reason: 'keyCompromise' };
    return undefined;
  }

  /** Every revoked certificate of the intermediate for one run: generation-time ones and the run's. */
  revokedList(revocations?: Revocations): RevocationEntry[] {
    const live = revocations?.list() ?? [];
    const seen = new Set(live.map((e) => e.serial));
    const baseline = this.certificates
      .filter((c) => c.revokedAt && !seen.has(c.serial))
      .map((c) => ({ serial: c.serial, revokedAt: Date.parse(c.revokedAt!), reason: 'keyCompromise' as const }));
    return [...baseline, ...live];
  }
}

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
export function checkCertificate(pki: TestPki, certificate: string | Uint8Array | ArrayBuffer, options: { at: number | Date; revocations?: Revocations }): CertificateCheck {
  const at = typeof options.at === 'number' ? options.at : options.at.getTime();
  let x509: X509Certificate;
  let parsed: pkijs.Certificate;
  try {
    // PEM text, base64 of the DER (what a signing plugin usually hands over), or DER bytes
    const der =
      typeof certificate === 'string'
        ? certificate.includes('-----BEGIN') ? certificate : Buffer.from(certificate.replace(/\s+/g, ''), 'base64')
        : Buffer.from(certificate instanceof ArrayBuffer ? new Uint8Array(certificate) : certificate);
    x509 = new X509Certificate(der);
    parsed = parseCertificate(typeof der === 'string' ? der : new Uint8Array(der));
  } catch (error) {
    return { ok: false, code: certificateErrorCodes.malformed, details: `The certificate is not X.509 in PEM or DER (${(error as Error).message}).` };
  }
  const serial = serialHex(parsed);
  let chain: Array<readonly [string, X509Certificate]>;
  if (parsed.signatureAlgorithm.algorithmId === gostSignatureOid) {
    // GOST R 34.10-2012: issued directly by the GOST test CA, checked with lib/gost
    const gostCa = new X509Certificate(pki.gostRoot.certificatePem);
    // (Node's checkIssued cannot read a GOST issuer key without OpenSSL's gost engine: compare names, check the signature with lib/gost)
    const signed = x509.issuer === gostCa.subject && verifyGostCertificateSignature(parseGostCertificate(new Uint8Array(x509.raw)), parseGostCertificate(pki.gostRoot.certificatePem));
    if (!signed) {
      return { ok: false, code: certificateErrorCodes.untrusted, serial, details: `GOST certificate ${serial} (${x509.issuer.replace(/\n/g, ', ')}) is not signed by the stand's GOST CA (${gostCa.subject.replace(/\n/g, ', ')}).` };
    }
    chain = [['certificate', x509], ['GOST CA', gostCa]];
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
      return { ok: false, code: certificateErrorCodes.untrusted, serial, details: 'The intermediate CA is not signed by the test root (the PKI folder is inconsistent: delete it to regenerate).' };
    }
    chain = [['certificate', x509], ['intermediate CA', intermediate], ['root CA', pki.x509Root]];
  }
  for (const [who, cert] of chain) {
    const from = Date.parse(cert.validFrom);
    const to = Date.parse(cert.validTo);
    if (at > to) return { ok: false, code: certificateErrorCodes.expired, serial, details: `The ${who} expired at ${new Date(to).toISOString()}; the stand's clock says ${new Date(at).toISOString()}.` };
    if (at < from) return { ok: false, code: certificateErrorCodes.notYetValid, serial, details: `The ${who} is valid from ${new Date(from).toISOString()}; the stand's clock says ${new Date(at).toISOString()}.` };
  }
  const revoked = pki.revocationOf(serial, options.revocations);
  if (revoked) {
    return { ok: false, code: certificateErrorCodes.revoked, serial, details: `Certificate ${serial} was revoked at ${new Date(revoked.revokedAt).toISOString()} (reason: ${revoked.reason}); the CRL and OCSP of the stand say so.` };
  }
  const usage = keyUsageOf(parsed);
  if (!usage || !(usage.includes('digitalSignature') || usage.includes('nonRepudiation'))) {
    return { ok: false, code: certificateErrorCodes.keyUsage, serial, details: `Key usage is ${usage ? usage.join(', ') : 'absent'}; signing in needs digitalSignature or nonRepudiation.` };
  }
  const snilsDigits = nameValue(parsed.subject, oid.snils);
  if (!snilsDigits || !/^\d{11}$/.test(snilsDigits)) {
    return { ok: false, code: certificateErrorCodes.notLinked, serial, details: `The subject (${nameText(parsed.subject)}) has no СНИЛС (OID ${oid.snils}, 11 digits), so it cannot name a person.` };
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
    name: { ...(lastName ? { lastName } : {}), ...(firstName ? { firstName } : {}), ...(rest.length ? { middleName: rest.join(' ') } : {}), full },
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

// ---------------------------------------------------------------- generation and loading

export function readPersonaSubjects(file = join(projectRoot, 'config/personas.json')): Promise<PersonaSubject[]> {
  return readFile(file, 'utf8').then((text) => (JSON.parse(text) as { personas: PersonaSubject[] }).personas);
}

const orphan: PersonaSubject = { persona: orphanPersona, lastName: 'Никтошин', firstName: 'Никита', middleName: 'Олегович', snils: '112-233-499 08', inn: '770100000921' };

function personasHash(personas: PersonaSubject[]): string {
  return JSON.stringify(personas.map((p) => [p.persona, p.lastName, p.firstName, p.middleName ?? '', p.snils, p.inn ?? '']));
}

const loaded = new Map<string, Promise<TestPki>>();

/**
 * The test PKI in <keysDir>/pki, generated when missing, outdated or about to expire. Safe when
 * several processes start at once: one generates (under <keysDir>/pki.lock, into a temporary folder
 * renamed into place), the others wait and reuse it.
 */
export function loadTestPki(keysDir: string, options: { personas?: PersonaSubject[]; origin?: string; force?: boolean } = {}): Promise<TestPki> {
  const dir = join(keysDir, 'pki');
  const cached = options.force ? undefined : loaded.get(dir);
  if (cached) return cached;
  const pending = loadOrCreate(dir, options).catch((error: unknown) => {
    loaded.delete(dir);
    throw error;
  });
  loaded.set(dir, pending);
  return pending;
}

async function loadOrCreate(dir: string, options: { personas?: PersonaSubject[]; origin?: string; force?: boolean }): Promise<TestPki> {
  const personas = options.personas ?? (await readPersonaSubjects());
  const hash = personasHash(personas);
  if (!options.force) {
    const existing = await readPki(dir).catch(() => undefined);
    if (existing && fresh(existing.manifest, hash)) return existing.pki;
  }
  // One generator at a time (test files run in parallel processes): the others wait, then reuse its result.
  const release = await lock(`${dir}.lock`);
  try {
    if (!options.force) {
      const existing = await readPki(dir).catch(() => undefined);
      if (existing && fresh(existing.manifest, hash)) return existing.pki;
    }
    const temp = `${dir}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`;
    await generate(temp, personas, options.origin ?? 'http://localhost:3000', hash);
    const old = `${dir}.old-${process.pid}-${Math.random().toString(36).slice(2)}`;
    await rename(dir, old).catch(() => undefined);
    await rename(temp, dir);
    await rm(old, { recursive: true, force: true });
    return (await readPki(dir)).pki;
  } finally {
    await release();
  }
}

/** A lock folder (mkdir is atomic); a lock older than a minute is a crashed generator's and is taken over. */
async function lock(path: string): Promise<() => Promise<void>> {
  await mkdir(join(path, '..'), { recursive: true, mode: 0o700 });
  for (let attempt = 0; ; attempt++) {
    try {
      await mkdir(path);
      return () => rm(path, { recursive: true, force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const age = await stat(path).then((st) => Date.now() - st.mtimeMs, () => 0);
      if (age > 60_000) await rm(path, { recursive: true, force: true });
      else if (attempt > 1200) throw new Error(`The test PKI in ${path.replace(/\.lock$/, '')} stays locked by another process; delete ${path} if none is generating it.`);
      else await new Promise((ok) => setTimeout(ok, 100));
    }
  }
}

function fresh(manifest: Manifest, hash: string): boolean {
  if (manifest.version !== manifestVersion || manifest.personasHash !== hash) return false;
  const validTo = manifest.certificates.filter((c) => c.variant === 'valid').map((c) => Date.parse(c.notAfter));
  return validTo.length > 0 && Math.min(...validTo) - Date.now() > 30 * day;
}

async function readPki(dir: string): Promise<{ pki: TestPki; manifest: Manifest }> {
  const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as Manifest;
  // About 300 small files, read once per process at start-up: synchronous reads take a few ms,
  // whereas as many asynchronous ones queue four file-system calls each on libuv's thread pool.
  const certificates = manifest.certificates.map((entry) => {
    const certificateFile = join(dir, entry.certificateFile);
    const keyFile = join(dir, entry.keyFile);
    return { ...entry, certificateFile, keyFile, certificatePem: readFileSync(certificateFile, 'utf8'), privateKeyPem: readFileSync(keyFile, 'utf8') };
  });
  return { pki: new TestPki(dir, new Date(manifest.generatedAt), manifest.origin, certificates), manifest };
}

/** Subject of a person's certificate, shaped like a qualified one (generation and runtime issuing share it). */
function personSubject(p: Omit<PersonaSubject, 'persona'>): NameAttribute[] {
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
const personExtendedKeyUsage = [oid.clientAuth, oid.emailProtection];
const personSignTool = 'Плагин подписи тестового стенда esia-emulator';

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
  if (notAfter <= notBefore) throw new Error(`The intermediate CA ends at ${pki.intermediate.notAfter}: it cannot issue at ${new Date(options.at).toISOString()}.`);
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

interface Authority {
  cert: pkijs.Certificate;
  key: CryptoKey;
}

async function generate(dir: string, personas: PersonaSubject[], origin: string, hash: string): Promise<void> {
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

  async function savePem(kind: IssuedCertificate['kind'], path: string, certPem: string, keyPem: string, extra: Partial<ManifestEntry> = {}): Promise<void> {
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
  async function save(kind: IssuedCertificate['kind'], path: string, cert: pkijs.Certificate, key: CryptoKey, extra: Partial<ManifestEntry> = {}): Promise<void> {
    await savePem(kind, path, certificatePem(cert), await privateKeyPem(key), extra);
  }

  async function authority(kind: 'root' | 'intermediate' | 'untrusted-root', subject: NameAttribute[], years: number, parent?: Authority): Promise<Authority> {
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
  const personVariantsSpec: Record<PersonVariant, { from: Date; to: Date; issuer: Authority; usage: IssueRequest['keyUsage']; revoked?: boolean }> = {
    valid: { ...validSpan, issuer: intermediate, usage: ['digitalSignature', 'nonRepudiation'] },
    expired: { from: fromEarly(-400), to: fromEarly(-30), issuer: intermediate, usage: ['digitalSignature', 'nonRepudiation'] },
    'not-yet-valid': { from: fromLate(30), to: fromLate(395), issuer: intermediate, usage: ['digitalSignature', 'nonRepudiation'] },
    revoked: { ...validSpan, issuer: intermediate, usage: ['digitalSignature', 'nonRepudiation'], revoked: true },
    untrusted: { ...validSpan, issuer: untrusted, usage: ['digitalSignature', 'nonRepudiation'] },
    'wrong-key-usage': { ...validSpan, issuer: intermediate, usage: ['keyEncipherment'] },
  };

  const subjects = [...personas.map((p) => ({ p, variants: personVariants as readonly PersonVariant[] })), { p: orphan, variants: ['valid'] as PersonVariant[] }];
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
  const gostCa = createSelfSignedGostCertificate(gostKeys, [['C', 'RU'], ['O', 'esia-emulator (тестовый стенд)'], ['CN', 'Тестовый УЦ ГОСТ esia-emulator']], {
    ca: true,
    notBefore: fromEarly(-1),
    notAfter: at(5 * 365),
  });
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
    await savePem('person', `persons/${p.persona}/${gostVariant}`, cert.pem, exportGostPrivateKeyPem(keys.privateKey), { persona: p.persona, variant: gostVariant });
  }

  const serverSpec: Record<ServerVariant, { from: number; to: number; hosts: string[]; ips: string[]; revoked?: boolean; issuer?: Authority }> = {
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
      subject: [[oid.country, 'RU', 'printable'], [oid.organisation, 'esia-emulator (тестовый стенд)'], [oid.commonName, spec.hosts[0]!]],
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
    await save('server', `server/${variant}`, cert, keys.privateKey, { variant, ...(spec.revoked ? { revokedAt: new Date(early).toISOString() } : {}) });
  }

  const manifest: Manifest = { version: manifestVersion, generatedAt: new Date(g).toISOString(), origin, personasHash: hash, certificates: entries };
  await writeFile(join(dir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  await writeFile(
    join(dir, 'README.txt'),
    'Test PKI of esia-emulator: TEST keys of a TEST stand, generated on this machine (lib/pki/test_pki.ts).\n' +
      'ca/root.crt is the root to trust; ca/intermediate.crt issues everything; persons/<persona>/<variant>.{crt,key}; server/<variant>.{crt,key}.\n' +
      'manifest.json lists every certificate with its serial. Never use any of this for anything real.\n',
  );
}

/** The private key of an issued certificate, for WebCrypto (ECDSA P-256, sign). */
export function signingKeyOf(issued: IssuedCertificate): Promise<CryptoKey> {
  return importPrivateKey(issued.privateKeyPem);
}
