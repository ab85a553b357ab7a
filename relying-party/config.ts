/*
 * Options of one relying party (ФМРМ, or a second portal such as НМО). Only main.ts reads the
 * environment; startRp() receives a finished RpConfig, so tests and the start script pass objects.
 */
import { join } from 'node:path';
import { ConfigFileError } from '../lib/errors.ts';
import { projectRoot } from '../lib/project_root.ts';
import type { EsiaSigner, EsiaVersion } from './esia/protocol.ts';
import type { BackChannelTrust } from './tls_fetch.ts';

/** ESIA account trust levels, lowest first. */
export const trustLevels = ['simplified', 'standard', 'confirmed'] as const;
export type TrustLevel = (typeof trustLevels)[number];

export interface RpConfig {
  /** Interface to listen on. Default 127.0.0.1: a test stand is not meant to be reachable from outside. */
  host: string;
  /** Port to listen on; 0 picks a free one (tests), the real port is in startRp()'s url. */
  port: number;
  /** Origin the browser uses, also the base of redirect_uri. Default http://localhost:<real port>. */
  publicUrl: string;
  /** Issuer of the emulator, e.g. http://localhost:3000 (localhost, not 127.0.0.1: cookies are host-scoped). */
  idpIssuer: string;
  clientId: string;
  clientSecret: string;
  /** Which application this is: ФМРМ's cabinet, or НМО's professional-development portal (features.ts). */
  portal: 'fmrm' | 'nmo';
  /** Short name shown in the header and titles, e.g. 'ФМРМ'. */
  title: string;
  /** The name after «из» (genitive), e.g. 'Портала НМО'; the title when absent, right for an indeclinable abbreviation such as ФМРМ. */
  titleGenitive?: string;
  /** Line under the title, e.g. 'Федеральный регистр медицинских работников'. */
  subtitle: string;
  /** Lowest ESIA trust level allowed in (B8). ФМРМ needs 'confirmed'. */
  requiredTrust: TrustLevel;
  /** Folder of the register file `register-<clientId>.json`. */
  dataDir: string;
  /** Seed records copied into the register file when it does not exist yet. */
  registerFixtures: string;
  /** One JSON line per request and per error page on stderr. */
  log: boolean;
  /** Largest document file accepted (bytes; default 10 MB, RP_UPLOAD_LIMIT_MB). */
  uploadLimitBytes?: number;
  /** Reviewers of the console (/reviewer): logins, ФИО, scrypt hashes. Default relying-party/fixtures/reviewers.json. */
  reviewersFile?: string;
  /** The reviewer console answers only this machine (default true), like the emulator's support console. */
  reviewerLoopbackOnly?: boolean;
  /** The loopback-only control API under /__control (reset, clock, reviewer and organiser actions). On by default, like the emulator's. */
  control: boolean;
  /**
   * Speak ESIA's own protocol instead of OIDC (clientId is then the system mnemonic registered in
   * the emulator's config/systems.json): v2 = /v2/ac + /v3/te with a raw GOST signature, v1 =
   * /ac + /te with PKCS#7. Absent: plain OIDC.
   */
  esia?: { version: EsiaVersion; signer: EsiaSigner; issuer?: string; scope?: string };
  /**
   * HTTPS: the CA the back-channel trusts for an https: idpIssuer (the stand's test root)
   * and whether the emulator must staple a good OCSP answer (relying-party/tls_fetch.ts).
   */
  idpTrust?: BackChannelTrust;
  /** How long a discovery document is reused (ms; default 60 s). 0 rediscovers on every login, so a TLS fault shows at once. */
  discoveryCacheMs?: number;
  /**
   * Where notifications go by e-mail: plain SMTP without authentication, e.g. smtp://127.0.0.1:2525 (the
   * emulator's SMTP listener, which files each message in the inbox of the run its X-Esia-Run names).
   * Absent: no e-mail, the cabinet's list only.
   */
  smtpUrl?: string;
  /** Serve this RP over HTTPS (TLS 1.3 only) with this key and certificate chain (PEM); publicUrl becomes https://localhost:<port>. */
  tls?: { key: string; cert: string };
  /**
   * The shared secret of НМО's list of completed events (GET /api/completed): on НМО the one it
   * requires (absent: the list is off), on ФМРМ the one it sends. Never a real secret: a test stand's.
   */
  completedApiSecret?: string;
  /** НМО: answer the list of completed events from other machines too (default: this machine only). */
  completedApiRemote?: boolean;
  /** ФМРМ: НМО's origin, where the «НМО» tab reads the person's completed events. */
  nmoUrl?: string;
}

export const rpDefaults = {
  host: '127.0.0.1',
  port: 4000,
  idpIssuer: 'http://localhost:3000',
  clientId: 'fmrm',
  clientSecret: 'fmrm-local-test-secret',
  portal: 'fmrm',
  title: 'ФМРМ',
  subtitle: 'Федеральный регистр медицинских работников',
  requiredTrust: 'confirmed',
  dataDir: 'data',
  registerFixtures: join(projectRoot, 'relying-party', 'fixtures', 'register.json'),
  log: false,
  control: true,
} as const satisfies Omit<RpConfig, 'publicUrl'>;

/**
 * The stand's second portal, Портал НМО, as npm start and the scenario stand run it: its client in
 * config/clients.json, its names, the lower trust level it admits, and the secret ФМРМ presents for
 * a person's completed events (a test stand's; RP_COMPLETED_API_SECRET replaces it under npm start).
 */
export const nmoPortal = {
  clientId: 'nmo-portal',
  portal: 'nmo',
  clientSecret: 'nmo-local-test-secret',
  title: 'Портал НМО',
  titleGenitive: 'Портала НМО',
  subtitle: 'Непрерывное медицинское образование',
  requiredTrust: 'standard',
  completedApiSecret: 'nmo-completed-local-test-secret',
} as const satisfies Partial<RpConfig>;

/** The settings come from RP_* variables (main.ts) or the caller's object, not from a file: they are named so. */
const settings = 'relying party settings (RP_* variables)';

/** Fills in defaults; publicUrl stays '' when not given so startRp() can use the real port. */
export function rpConfig(overrides: Partial<RpConfig> = {}): RpConfig {
  const config: RpConfig = { ...rpDefaults, publicUrl: '', ...overrides };
  if (!trustLevels.includes(config.requiredTrust)) {
    throw new ConfigFileError(settings, {
      field: 'requiredTrust',
      expected: `one of ${trustLevels.join(', ')}`,
      actual: config.requiredTrust,
    });
  }
  if (config.portal !== 'fmrm' && config.portal !== 'nmo') {
    throw new ConfigFileError(settings, { field: 'portal', expected: 'fmrm or nmo', actual: config.portal });
  }
  if (config.publicUrl && !/^https?:\/\/[^/]+$/.test(config.publicUrl)) {
    throw new ConfigFileError(settings, {
      field: 'publicUrl',
      expected: 'an origin such as http://localhost:4000, without a path',
      actual: config.publicUrl,
    });
  }
  if (config.smtpUrl !== undefined && !/^smtp:\/\/[^/:]+(:\d{1,5})?\/?$/.test(config.smtpUrl)) {
    throw new ConfigFileError(settings, {
      field: 'smtpUrl',
      expected: 'smtp://host:port, e.g. smtp://127.0.0.1:2525 (plain SMTP, no user or password)',
      actual: config.smtpUrl,
    });
  }
  return config;
}

export function registerPath(config: RpConfig): string {
  return join(config.dataDir, `register-${config.clientId}.json`);
}
