/*
 * Every option of the emulator, with its default and when to change it. idp/config/index.ts merges
 * the environment over these; nothing else reads process.env.
 */
export interface IdpConfig {
  /** Address to bind. Loopback by default: this is a test stand and must not face a network. */
  host: string;
  /** Port of the emulator. 0 picks a free one (tests). */
  port: number;
  /**
   * HTTPS (TLS 1.3 only) with the server certificate of the test PKI (keys/local/pki/server/valid.crt,
   * issued by keys/local/pki/ca/root.crt — trust that root; README «HTTPS»). The issuer becomes
   * https://localhost:<port>. Env ESIA_HTTPS=1 or `npm start -- --https`.
   */
  https: boolean;
  /** Public origin used in URLs and as the OIDC issuer. Defaults to http(s)://localhost:<port>. */
  issuer: string;
  /** Folder for the data file, the audit journal and the lock file. */
  dataDir: string;
  /**
   * Where shared state lives. `lowdb`: the embedded data file in dataDir, the rest in this process's
   * memory (one process). `redis://host:port/db`: in that Redis, so several emulator processes (or
   * hosts) serve as one and a restart signs nobody out. Env ESIA_STORE.
   */
  store: string;
  /** Prefix of every Redis key of this emulator (several stands may share one Redis). Env ESIA_REDIS_PREFIX. */
  redisPrefix: string;
  /** Folder for generated signing keys and cookie secrets (created on first run, never in git). */
  keysDir: string;
  /** Personas loaded on first run and on reset. */
  fixturesFile: string;
  /** OIDC clients (relying parties) the emulator knows. */
  clientsFile: string;
  /**
   * Where the start script's own relying parties really listen, by client_id (OIDC clients and ESIA
   * systems): their redirect URIs in the clients and systems files are moved to these origins, so
   * RP_PORT and ESIA_PORT can change without editing the files. Not an environment variable; empty = the files as written.
   */
  clientOrigins: Record<string, string>;
  /** Information systems of the ESIA face (/aas/oauth2/…): certificates, redirect URIs, scopes, settings. */
  systemsFile: string;
  /** Port of the HTTPS listener for sign-in by TLS client certificate (A4); 0 = any free port, null = off. */
  mtlsPort: number | null;
  /**
   * Port of the SMTP listener (adapters/smtp_listener.ts) that puts received e-mail into the run's inbox;
   * 0 = any free port, null = off. `npm start` listens on 2525 (ESIA_SMTP_PORT; ESIA_SMTP=off disables it).
   */
  smtpPort: number | null;
  /** Organisations and their sign-in policies (A9). A missing file means none. */
  organisationsFile: string;
  /** The control API (/__control) for tests, CI and trainers. Always loopback-only. */
  controlEnabled: boolean;
  /** scrypt cost. 1024 ≈ 1 ms per check (a test tool); 16384 ≈ 37 ms, as a production system would use. */
  scryptN: number;
  /** Wrong passwords in a row that lock an account (C2, F4). */
  lockoutLimit: number;
  /**
   * A wrong-password refusal warns «Осталось N попытки…» once this many or fewer attempts remain
   * before the lock (unknown logins get the same countdown). 0 = never warn.
   */
  lockoutWarnRemaining: number;
  /** A password older than this many days is expired (B4). */
  passwordMaxAgeDays: number;
  /** How many previous passwords a new one must differ from (C3). */
  passwordHistory: number;
  otp: {
    /** Digits in an SMS code. */
    length: number;
    /** Lifetime of a code, seconds. */
    ttlSeconds: number;
    /** Wrong entries allowed for one code before it is void. */
    maxAttempts: number;
    /** Seconds before another code may be requested. */
    resendCooldownSeconds: number;
    /** Codes that can be sent in one sign-in, the first included. */
    maxSends: number;
  };
  /** Biometrics, security keys and app codes (A2, A3, A5). */
  webauthn: {
    /**
     * The RP ID: the host name WebAuthn credentials are bound to. A domain, never an IP address
     * (browsers refuse 127.0.0.1). Credentials made for one RP ID do not work under another, so set
     * it to the stand's host name (e.g. esia.stand.example) when it is served under another name.
     */
    rpId: string;
    /** Name shown by the browser and the authenticator. */
    rpName: string;
    /** Origins accepted in clientDataJSON; empty = the issuer's origin. */
    origins: string[];
    /** How long a ceremony may take, seconds: the browser's timeout, and checked on the run's clock when the answer comes. */
    timeoutSeconds: number;
  };
  totp: {
    /** Digits of an app code. */
    digits: number;
    /** Seconds one code is valid (RFC 6238 step). */
    periodSeconds: number;
    /** Steps before and after the current one that are still accepted (phone clock drift). */
    toleranceSteps: number;
    /** Issuer shown in the authenticator app. */
    issuer: string;
  };
  /** How long coalesced writes of the data file may wait, ms. Lower is safer, higher is cheaper. */
  flushDelayMs: number;
  /** Largest accepted form body. Larger requests get 413 with a reference code. */
  maxBodyBytes: number;
  /** Print one line per request and per refusal. */
  log: boolean;
  // Support console and audit journal (E1, E2, F3, F5).
  /** The audit journal is renamed audit.<n>.jsonl past this size, the chain continuing in the new file. */
  auditRotateBytes: number;
  /** Operator accounts of the support console (/support): login, ФИО, one role, scrypt hash. */
  operatorsFile: string;
  /** The support console (/support). */
  supportEnabled: boolean;
  /** The console answers only this machine (loopback), like /__control; off to let operators on other hosts in. */
  supportLoopbackOnly: boolean;
  /**
   * ФМРМ register to look account numbers up in (the relying party's JSON file: {records: [...]} or its
   * data file). Read as plain JSON, never imported. '' turns the ФМРМ number search off.
   */
  fmrmRegisterFile: string;
  /**
   * What the emulator keeps in memory, and for how long: a stand under a load test for hours must
   * stay bounded (README «Configuration», «Known limits»).
   */
  memory: {
    /** Lifetime of a session and of the grants (consent) given in it, seconds. Env ESIA_SESSION_TTL. */
    sessionTtlSeconds: number;
    /** Lifetime of an OIDC refresh token, seconds. Env ESIA_REFRESH_TOKEN_TTL. */
    refreshTokenTtlSeconds: number;
    /** The most entries each in-memory store keeps (sessions, grants, tokens, sign-ins in progress…); past it the oldest goes. Env ESIA_STORE_CAP. */
    storeCap: number;
  };
}

export const defaults: IdpConfig = {
  host: '127.0.0.1',
  port: 3000,
  https: false,
  issuer: '',
  dataDir: 'data',
  store: 'lowdb',
  redisPrefix: 'esia:',
  keysDir: 'keys/local',
  fixturesFile: 'config/personas.json',
  clientsFile: 'config/clients.json',
  clientOrigins: {},
  systemsFile: 'config/systems.json',
  organisationsFile: 'config/organisations.json',
  mtlsPort: 0,
  smtpPort: 0,
  controlEnabled: true,
  scryptN: 1024,
  lockoutLimit: 5,
  lockoutWarnRemaining: 2,
  passwordMaxAgeDays: 180,
  passwordHistory: 3,
  otp: {
    length: 6,
    ttlSeconds: 300,
    maxAttempts: 3,
    resendCooldownSeconds: 60,
    maxSends: 3,
  },
  webauthn: {
    rpId: 'localhost',
    rpName: 'Госуслуги — тестовый стенд',
    origins: [],
    timeoutSeconds: 120,
  },
  totp: {
    digits: 6,
    periodSeconds: 30,
    toleranceSteps: 1,
    issuer: 'Госуслуги (тестовый стенд)',
  },
  flushDelayMs: 100,
  maxBodyBytes: 64 * 1024,
  log: true,
  auditRotateBytes: 10 * 1024 * 1024,
  operatorsFile: 'config/operators.json',
  supportEnabled: true,
  supportLoopbackOnly: true,
  fmrmRegisterFile: 'relying-party/fixtures/register.json',
  memory: {
    sessionTtlSeconds: 8 * 3600,
    refreshTokenTtlSeconds: 8 * 3600,
    storeCap: 20_000,
  },
};
