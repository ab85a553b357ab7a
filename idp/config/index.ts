/* Merges environment variables and explicit overrides over the defaults, and says exactly what is wrong. */
import { ConfigFileError, type FieldProblem } from '../../lib/errors.ts';
import { redisUrlProblem } from '../../lib/store/redis.ts';
import { defaults, type IdpConfig } from './defaults.ts';

export type { IdpConfig } from './defaults.ts';

/** The settings come from environment variables (ESIA_*, RP_PORT) or the caller's overrides, not from a file: they are named so. */
const settings = 'emulator settings (environment variables)';
const badSetting = (problem: FieldProblem) => new ConfigFileError(settings, problem);

type Env = Record<string, string | undefined>;

function int(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw badSetting({ field: name, expected: `a whole number from ${min} to ${max}`, actual: raw });
  }
  return value;
}

function bool(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (['1', 'true', 'on', 'yes'].includes(raw)) return true;
  if (['0', 'false', 'off', 'no'].includes(raw)) return false;
  throw badSetting({ field: name, expected: 'on or off', actual: raw });
}

/** Reads ESIA_* variables. The names are listed in README.md. */
export function configFromEnv(env: Env): Partial<IdpConfig> {
  const out: Partial<IdpConfig> = {
    host: env.ESIA_HOST || defaults.host,
    port: int(env, 'ESIA_PORT', defaults.port, 0, 65535),
    https: bool(env, 'ESIA_HTTPS', defaults.https),
    issuer: env.ESIA_ISSUER || '',
    dataDir: env.ESIA_DATA_DIR || defaults.dataDir,
    store: env.ESIA_STORE || defaults.store,
    redisPrefix: env.ESIA_REDIS_PREFIX || defaults.redisPrefix,
    keysDir: env.ESIA_KEYS_DIR || defaults.keysDir,
    controlEnabled: bool(env, 'ESIA_CONTROL', defaults.controlEnabled),
    scryptN: int(env, 'ESIA_SCRYPT_N', defaults.scryptN, 2, 1 << 20),
    lockoutLimit: int(env, 'ESIA_LOCKOUT_LIMIT', defaults.lockoutLimit, 1, 1000),
    log: bool(env, 'ESIA_LOG', defaults.log),
    auditRotateBytes: int(env, 'ESIA_AUDIT_ROTATE_BYTES', defaults.auditRotateBytes, 1024, 2 ** 40),
    supportEnabled: bool(env, 'ESIA_SUPPORT', defaults.supportEnabled),
    supportLoopbackOnly: bool(env, 'ESIA_SUPPORT_LOOPBACK_ONLY', defaults.supportLoopbackOnly),
  };
  if (env.ESIA_OPERATORS) out.operatorsFile = env.ESIA_OPERATORS;
  if (env.ESIA_FMRM_REGISTER !== undefined) out.fmrmRegisterFile = env.ESIA_FMRM_REGISTER;
  // Biometrics, security keys and app codes (A2, A3, A5)
  if (env.ESIA_WEBAUTHN_RP_ID || env.ESIA_WEBAUTHN_ORIGINS || env.ESIA_WEBAUTHN_TIMEOUT) {
    out.webauthn = {
      ...defaults.webauthn,
      rpId: env.ESIA_WEBAUTHN_RP_ID || defaults.webauthn.rpId,
      origins: (env.ESIA_WEBAUTHN_ORIGINS ?? '')
        .split(',')
        .map((o) => o.trim())
        .filter(Boolean),
      timeoutSeconds: int(env, 'ESIA_WEBAUTHN_TIMEOUT', defaults.webauthn.timeoutSeconds, 5, 3600),
    };
  }
  if (env.ESIA_TOTP_TOLERANCE)
    out.totp = {
      ...defaults.totp,
      toleranceSteps: int(env, 'ESIA_TOTP_TOLERANCE', defaults.totp.toleranceSteps, 0, 10),
    };
  if (env.ESIA_SESSION_TTL || env.ESIA_REFRESH_TOKEN_TTL || env.ESIA_STORE_CAP) {
    out.memory = {
      sessionTtlSeconds: int(env, 'ESIA_SESSION_TTL', defaults.memory.sessionTtlSeconds, 60, 90 * 24 * 3600),
      refreshTokenTtlSeconds: int(
        env,
        'ESIA_REFRESH_TOKEN_TTL',
        defaults.memory.refreshTokenTtlSeconds,
        60,
        90 * 24 * 3600,
      ),
      storeCap: int(env, 'ESIA_STORE_CAP', defaults.memory.storeCap, 100, 10_000_000),
    };
  }
  if (env.ESIA_PERSONAS) out.fixturesFile = env.ESIA_PERSONAS;
  if (env.ESIA_CLIENTS) out.clientsFile = env.ESIA_CLIENTS;
  if (env.ESIA_SYSTEMS) out.systemsFile = env.ESIA_SYSTEMS;
  if (env.ESIA_ORGANISATIONS) out.organisationsFile = env.ESIA_ORGANISATIONS;
  if (env.ESIA_MTLS_PORT === 'off') out.mtlsPort = null;
  else if (env.ESIA_MTLS_PORT) out.mtlsPort = int(env, 'ESIA_MTLS_PORT', 0, 0, 65535);
  // A fixed, well-known port for a user's own application to send to; tests pass 0 (a free port).
  out.smtpPort = bool(env, 'ESIA_SMTP', true) ? int(env, 'ESIA_SMTP_PORT', 2525, 0, 65535) : null;
  return out;
}

/** RP_PORT of the start script: ФМРМ there, the second system on +1, the ESIA-protocol ФМРМ on +2 and +3. */
export function relyingPartyPort(env: Env): number {
  return int(env, 'RP_PORT', 4000, 1, 65532);
}

/**
 * How many emulator processes `npm start` runs (`--workers N`, else ESIA_WORKERS, else 1). More than
 * one only over a shared store: the embedded lowdb file belongs to one process.
 */
export function workerCount(env: Env, flag: string | undefined, config: IdpConfig): number {
  const field = flag === undefined ? 'ESIA_WORKERS' : '--workers';
  const count = int({ [field]: flag ?? env.ESIA_WORKERS }, field, 1, 1, 64);
  if (count > 1 && config.store === 'lowdb')
    throw badSetting({
      field,
      expected: `1 unless ESIA_STORE=redis://host:port/db is set: ${count} processes cannot share the embedded data file (${config.dataDir}), they share state in Redis`,
      actual: flag ?? env.ESIA_WORKERS,
    });
  return count;
}

/** Whether the relying parties npm start runs have their control API: RP_CONTROL, else as the emulator's (ESIA_CONTROL). */
export function relyingPartyControl(env: Env, emulatorControl: boolean): boolean {
  return bool(env, 'RP_CONTROL', emulatorControl);
}

/** A redirect URI moved to another origin (scheme, host and port), its path and query kept. */
export function atOrigin(uri: string, origin: string): string {
  const url = new URL(uri);
  return `${origin}${url.pathname}${url.search}`;
}

export function loadConfig(overrides: Partial<IdpConfig> = {}): IdpConfig {
  const config: IdpConfig = {
    ...defaults,
    ...overrides,
    otp: { ...defaults.otp, ...overrides.otp },
    webauthn: { ...defaults.webauthn, ...overrides.webauthn },
    totp: { ...defaults.totp, ...overrides.totp },
    memory: { ...defaults.memory, ...overrides.memory },
  };
  if (/^[\d.]+$|^\[?[\da-f:]+\]?$/i.test(config.webauthn.rpId) || config.webauthn.rpId.includes('/')) {
    throw badSetting({
      field: 'webauthn.rpId',
      expected: 'a host name such as localhost or esia.stand.example (browsers refuse IP addresses as RP ID)',
      actual: config.webauthn.rpId,
    });
  }
  for (const origin of config.webauthn.origins) {
    if (!/^https?:\/\/[^/]+$/.test(origin))
      throw badSetting({
        field: 'webauthn.origins',
        expected: 'origins such as https://esia.stand.example, without a path',
        actual: origin,
      });
  }
  if ((config.scryptN & (config.scryptN - 1)) !== 0) {
    throw badSetting({ field: 'scryptN', expected: 'a power of two (1024, 16384, …)', actual: config.scryptN });
  }
  for (const [id, origin] of Object.entries(config.clientOrigins)) {
    if (!/^https?:\/\/[^/]+$/.test(origin))
      throw badSetting({
        field: `clientOrigins.${id}`,
        expected: 'an origin such as http://localhost:4000, without a path',
        actual: origin,
      });
  }
  const storeProblem = config.store === 'lowdb' ? undefined : redisUrlProblem(config.store);
  if (storeProblem) {
    throw badSetting({
      field: 'ESIA_STORE',
      expected: `lowdb or a Redis URL such as redis://127.0.0.1:6379/0 (${storeProblem})`,
      actual: config.store,
    });
  }
  if (!/^[\w.:{}-]{1,64}$/.test(config.redisPrefix)) {
    throw badSetting({
      field: 'ESIA_REDIS_PREFIX',
      expected: 'up to 64 letters, digits and . : _ - { } (e.g. esia: or stand-2:)',
      actual: config.redisPrefix,
    });
  }
  if (config.issuer && !/^https?:\/\/[^/]+$/.test(config.issuer)) {
    throw badSetting({
      field: 'issuer',
      expected: 'an origin such as http://localhost:3000, without a path',
      actual: config.issuer,
    });
  }
  return config;
}
