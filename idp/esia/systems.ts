/*
 * The information systems (ИС) registered on the ESIA face, as on ESIA's tech portal: mnemonic
 * (client_id), certificates, redirect URIs, allowed scopes, grant types and the algorithm of the
 * tokens it receives. Read from config/systems.json (path: ESIA_SYSTEMS) and extended at run time by
 * POST /__control/esia/systems. A certificate is a PEM file path, an inline PEM, or
 * "generated:gost" / "generated:rsa": a test key and certificate made on first start under
 * <keysDir>/esia/systems/<client_id>/ (never committed; <kind>.pem = certificate + key), which the reference RP signs with.
 *
 * Also ESIA's own token-signing keys (RSA and GOST), generated the same way and published as PEM.
 */
import { existsSync } from 'node:fs';
import { chmod, link, mkdir, readFile, unlink, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import {
  clientCertificateHash,
  createSelfSignedGostCertificate,
  exportPrivateKeyPem,
  generateGostKeyPair,
  importPrivateKey,
  parseCertificate,
  type GostPrivateKey,
  type ParsedCertificate,
} from '../../lib/gost/index.ts';
import { createRsaCertificate } from '../../lib/pki/rsa.ts';
import { readConfigFile } from '../../lib/config_file.ts';
import { absent, ConfigFileError } from '../../lib/errors.ts';
import { atOrigin } from '../config/index.ts';

export type TokenAlg = 'RS256' | 'GOST3410_2012_256';
export const grantTypes = ['authorization_code', 'refresh_token', 'client_credentials'] as const;
export type GrantType = (typeof grantTypes)[number];

/** Person scopes of ESIA that the emulator knows (openid, fullname, snils, …); a system may be allowed a subset. */
export const knownScopes = [
  'openid',
  'fullname',
  'birthdate',
  'gender',
  'snils',
  'inn',
  'id_doc',
  'birthplace',
  'medical_doc',
  'military_doc',
  'foreign_passport_doc',
  'drivers_licence_doc',
  'birth_cert_doc',
  'residence_doc',
  'temporary_residence_doc',
  'vehicles',
  'email',
  'mobile',
  'contacts',
  'addresses',
  'usr_org',
  'usr_inf',
  'prm_chg',
];

export interface SystemConfig {
  client_id: string;
  name?: string;
  /** PEM path (relative to the systems file), inline PEM, or generated:gost / generated:rsa. */
  certificates: string[];
  redirect_uris: string[];
  /** Allowed scopes; default every known scope. */
  scopes?: string[];
  grant_types?: GrantType[];
  token_alg?: TokenAlg;
  /** Show ESIA's «Предоставление прав доступа» screen before the first code (default false). */
  consent?: boolean;
}

export interface EsiaSettings {
  /** `iss` of ESIA tokens. The test stand's is http://esia-portal1.test.gosuslugi.ru/ (http, trailing slash). */
  issuer: string;
  /** |client timestamp − emulator wall clock| above this is ESIA-007015. The real window is not documented. */
  timestampWindowSeconds: number;
  /** Accept a v2/v3 signature in CryptoPro byte order (reversed). Real ESIA does not; clients forget to reverse. */
  acceptCryptoProLayout: boolean;
  /**
   * Refuse the variants real clients send that ESIA's documentation does not describe: CryptoPro
   * byte order, hour 24 and `+03:00` in timestamps, a `+` that arrived as a space in client_secret,
   * a CMS whose embedded certificate is a re-encoding of the registered one. Default false (accept).
   */
  strict: boolean;
  /** Lifetime of an authorization code, seconds (on the run's clock). */
  codeTtlSeconds: number;
  accessTokenTtlSeconds: number;
  idTokenTtlSeconds: number;
  refreshTokenTtlSeconds: number;
}

export const defaultSettings: EsiaSettings = {
  issuer: 'http://esia-portal1.test.gosuslugi.ru/',
  timestampWindowSeconds: 600,
  acceptCryptoProLayout: true,
  strict: false,
  codeTtlSeconds: 300,
  accessTokenTtlSeconds: 3600,
  idTokenTtlSeconds: 10800,
  refreshTokenTtlSeconds: 14 * 24 * 3600,
};

export interface RegisteredCertificate {
  parsed: ParsedCertificate;
  pem: string;
  /** Streebog-256 of the DER, lower-case hex (client_certificate_hash). */
  hash: string;
  kind: 'gost' | 'rsa' | 'other';
  source: string;
}

export interface EsiaSystem {
  clientId: string;
  name: string;
  certificates: RegisteredCertificate[];
  redirectUris: string[];
  scopes: string[];
  grantTypes: GrantType[];
  tokenAlg: TokenAlg;
  consent: boolean;
}

export interface TestSystemKeys {
  gost?: { certificatePem: string; privateKeyPem: string };
  rsa?: { certificatePem: string; privateKeyPem: string };
}

async function readIf(path: string): Promise<string | undefined> {
  return existsSync(path) ? readFile(path, 'utf8') : undefined;
}

function splitPair(text: string): { certificatePem: string; privateKeyPem: string } | undefined {
  const cert = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----\n?/.exec(text)?.[0];
  const key = /-----BEGIN PRIVATE KEY-----[\s\S]+?-----END PRIVATE KEY-----\n?/.exec(text)?.[0];
  return cert && key ? { certificatePem: cert, privateKeyPem: key } : undefined;
}

/**
 * A GOST or RSA test key pair and self-signed certificate in `dir/<kind>.pem` (certificate, then
 * key; owner-only), made once and reused. Made by link(2) from a temporary file, so processes that
 * start together (parallel test files) all end up with the first one's pair, never a mix.
 */
export async function loadOrCreateTestKeys(
  dir: string,
  kind: 'gost' | 'rsa',
  commonName: string,
): Promise<{ certificatePem: string; privateKeyPem: string }> {
  const path = join(dir, `${kind}.pem`);
  const existing = await readIf(path);
  const pair = existing ? splitPair(existing) : undefined;
  if (pair) return pair;
  let made: { certificatePem: string; privateKeyPem: string };
  if (kind === 'gost') {
    const keyPair = generateGostKeyPair();
    const issued = createSelfSignedGostCertificate(
      keyPair,
      { CN: commonName, O: 'esia-emulator (test)', C: 'RU' },
      { days: 3650, extendedKeyUsage: true },
    );
    made = { certificatePem: issued.pem, privateKeyPem: exportPrivateKeyPem(keyPair.privateKey) };
  } else {
    made = await createRsaCertificate(commonName);
  }
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const temp = `${path}.${process.pid}.${Date.now()}.tmp`;
  await writeFile(temp, `${made.certificatePem.trimEnd()}\n${made.privateKeyPem.trimEnd()}\n`, { mode: 0o600 });
  await chmod(temp, 0o600);
  try {
    await link(temp, path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    await unlink(temp).catch(() => undefined);
  }
  const winner = splitPair(await readFile(path, 'utf8'));
  if (!winner) throw new Error(`${path} holds no certificate and private key; delete it to make a new pair`);
  return winner;
}

/** Where the generated keys of a test system live; the reference RP reads them from here. */
export function testSystemDir(keysDir: string, clientId: string): string {
  return join(resolve(keysDir), 'esia', 'systems', clientId.replace(/[^\w.-]/g, '_'));
}

function register(pem: string, source: string): RegisteredCertificate {
  const parsed = parseCertificate(pem);
  const kind = parsed.gostPublicKey ? 'gost' : parsed.publicKeyAlgorithm === '1.2.840.113549.1.1.1' ? 'rsa' : 'other';
  return { parsed, pem, hash: clientCertificateHash(parsed.der), kind, source };
}

export class SystemRegistry {
  readonly #systems = new Map<string, EsiaSystem>();
  #version = 0;
  readonly #fromFile = new Set<string>();

  constructor(
    readonly settings: EsiaSettings,
    readonly keysDir: string,
    readonly baseDir: string,
  ) {}

  /** `origins`: systems whose redirect URIs move there (where the start script's relying parties really listen). */
  static async load(file: string, keysDir: string, origins: Record<string, string> = {}): Promise<SystemRegistry> {
    const raw = (await readConfigFile(file, {})) as { settings?: Partial<EsiaSettings>; systems?: unknown } | null;
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
      throw new ConfigFileError(file, {
        field: '',
        expected: 'an object {"settings"?: {…}, "systems": [...]}',
        actual: raw,
      });
    if (raw.systems !== undefined && !Array.isArray(raw.systems))
      throw new ConfigFileError(file, { field: 'systems', expected: 'a list of systems', actual: raw.systems });
    const registry = new SystemRegistry({ ...defaultSettings, ...raw.settings }, keysDir, dirname(resolve(file)));
    for (const [i, system] of ((raw.systems ?? []) as SystemConfig[]).entries()) {
      const origin = origins[system?.client_id];
      await registry.add(
        origin && Array.isArray(system.redirect_uris)
          ? { ...system, redirect_uris: system.redirect_uris.map((uri) => atOrigin(uri, origin)) }
          : system,
        { file, field: `systems[${i}]` },
      );
      registry.#fromFile.add(system.client_id);
    }
    return registry;
  }

  /** Grows with every system registered or replaced: what is derived from the systems can be kept until it changes. */
  get version(): number {
    return this.#version;
  }

  get(clientId: string): EsiaSystem | undefined {
    return this.#systems.get(clientId);
  }

  all(): EsiaSystem[] {
    return [...this.#systems.values()];
  }

  /** The system and certificate whose client_certificate_hash this is (any system). */
  byHash(hash: string): { system: EsiaSystem; certificate: RegisteredCertificate } | undefined {
    const h = hash.trim().toLowerCase();
    for (const system of this.#systems.values()) {
      const certificate = system.certificates.find((c) => c.hash === h);
      if (certificate) return { system, certificate };
    }
    return undefined;
  }

  /**
   * The system that registered this certificate (v1 CMS signer lookup): by its DER, else by its
   * public key — some libraries (node-forge) re-encode the certificate they embed in the CMS.
   */
  byCertificateDer(
    der: Uint8Array,
    exactOnly = false,
  ): { system: EsiaSystem; certificate: RegisteredCertificate } | undefined {
    const exact = this.byHash(clientCertificateHash(der));
    if (exact || exactOnly) return exact;
    const spki = Buffer.from(parseCertificate(der).spki).toString('hex');
    for (const system of this.#systems.values()) {
      const certificate = system.certificates.find((c) => Buffer.from(c.parsed.spki).toString('hex') === spki);
      if (certificate) return { system, certificate };
    }
    return undefined;
  }

  /** Registers a system; a bad one is a ConfigFileError naming `source` (the systems file and entry, or the control API's request). */
  async add(
    config: SystemConfig,
    source: { file: string; field: string } = { file: 'POST /__control/esia/systems', field: '' },
  ): Promise<EsiaSystem> {
    const bad = (name: string, expected: string, actual?: unknown) =>
      new ConfigFileError(source.file, { field: source.field ? `${source.field}.${name}` : name, expected, actual });
    if (typeof config !== 'object' || config === null || Array.isArray(config))
      throw new ConfigFileError(source.file, {
        field: source.field,
        expected: 'a system object {client_id, redirect_uris, certificates, …}',
        actual: config,
      });
    if (typeof config.client_id !== 'string' || !/^[\w.-]{1,64}$/.test(config.client_id)) {
      throw bad('client_id', 'the system mnemonic, e.g. "FMRM01" (letters, digits, _ . -)', config.client_id ?? absent);
    }
    if (!Array.isArray(config.redirect_uris) || config.redirect_uris.length === 0) {
      throw bad(
        'redirect_uris',
        'at least one URL, e.g. ["http://localhost:8080/esia/callback"]',
        config.redirect_uris ?? absent,
      );
    }
    if (!Array.isArray(config.certificates) || config.certificates.length === 0) {
      throw bad(
        'certificates',
        'PEM paths, inline PEM, or "generated:gost" / "generated:rsa"',
        config.certificates ?? absent,
      );
    }
    const tokenAlg = config.token_alg ?? 'RS256';
    if (tokenAlg !== 'RS256' && tokenAlg !== 'GOST3410_2012_256')
      throw bad('token_alg', 'RS256 or GOST3410_2012_256', tokenAlg);
    const scopes = config.scopes ?? knownScopes;
    if (!Array.isArray(scopes)) throw bad('scopes', `a list of scopes (${knownScopes.join(' ')})`, scopes);
    const unknown = scopes.filter((s) => !knownScopes.includes(s));
    if (unknown.length)
      throw bad('scopes', `known scopes only (${knownScopes.join(' ')}); unknown: ${unknown.join(', ')}`);
    const certificates: RegisteredCertificate[] = [];
    for (const entry of config.certificates) {
      try {
        if (entry === 'generated:gost' || entry === 'generated:rsa') {
          const kind = entry === 'generated:gost' ? 'gost' : 'rsa';
          const keys = await loadOrCreateTestKeys(
            testSystemDir(this.keysDir, config.client_id),
            kind,
            `${config.client_id} (test system)`,
          );
          certificates.push(register(keys.certificatePem, entry));
        } else if (entry.includes('-----BEGIN')) {
          certificates.push(register(entry, 'inline'));
        } else {
          const path = isAbsolute(entry) ? entry : resolve(this.baseDir, entry);
          certificates.push(register(await readFile(path, 'utf8'), path));
        }
      } catch (error) {
        throw bad(
          'certificates',
          `certificates that can be used; ${String(entry).slice(0, 60)} cannot (${(error as Error).message})`,
        );
      }
    }
    const system: EsiaSystem = {
      clientId: config.client_id,
      name: config.name ?? config.client_id,
      certificates,
      redirectUris: config.redirect_uris,
      scopes,
      grantTypes: config.grant_types ?? [...grantTypes],
      tokenAlg,
      consent: config.consent === true,
    };
    this.#systems.set(system.clientId, system);
    this.#version++;
    return system;
  }

  /** Keys of a generated test system (for the reference RP and tests). */
  async testKeys(clientId: string): Promise<TestSystemKeys> {
    return readTestSystemKeys(this.keysDir, clientId);
  }
}

export async function readTestSystemKeys(keysDir: string, clientId: string): Promise<TestSystemKeys> {
  const dir = testSystemDir(keysDir, clientId);
  const out: TestSystemKeys = {};
  for (const kind of ['gost', 'rsa'] as const) {
    const text = await readIf(join(dir, `${kind}.pem`));
    const pair = text ? splitPair(text) : undefined;
    if (pair) out[kind] = pair;
  }
  return out;
}

/** ESIA's own token-signing keys: RSA (RS256) and GOST (GOST3410_2012_256). */
export interface EsiaSigningKeys {
  rsa: { certificatePem: string; privateKeyPem: string };
  gost: { certificatePem: string; privateKeyPem: string; privateKey: GostPrivateKey };
}

export async function loadOrCreateSigningKeys(keysDir: string): Promise<EsiaSigningKeys> {
  const dir = join(resolve(keysDir), 'esia', 'signing');
  const [rsa, gost] = await Promise.all([
    loadOrCreateTestKeys(dir, 'rsa', 'ЕСИА (эмулятор, тестовый стенд) RSA'),
    loadOrCreateTestKeys(dir, 'gost', 'ЕСИА (эмулятор, тестовый стенд) ГОСТ'),
  ]);
  return { rsa, gost: { ...gost, privateKey: importPrivateKey(gost.privateKeyPem) } };
}
