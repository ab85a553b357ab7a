/*
 * A whole test stand in this process: the emulator and two relying parties on free ports, with
 * their own temporary data folder and a clients file pointing at the real ports. Used by the
 * scenario CLI, the tests and the benchmark.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startIdp, type Extension, type RunningIdp } from '../../idp/app.ts';
import { loadConfig, type IdpConfig } from '../../idp/config/index.ts';
import { movedTo, readClients } from '../../idp/provider/clients.ts';
import { loadOrCreateKeys } from '../../keys/generate.ts';
import { loadTestPki } from '../../lib/pki/test_pki.ts';
import { nmoPortal, rpConfig } from '../../relying-party/config.ts';
import { startRp, type RunningRp } from '../../relying-party/server.ts';
import { backChannelFetch, type BackChannelFetch } from '../../relying-party/tls_fetch.ts';
import { esiaSystemsFile, startEsiaRps, startSink } from './esia_stand.ts';
import { startEmulatorProcesses, type EmulatorProcesses } from './emulator_processes.ts';
import { send } from './http_client.ts';

export interface Stand {
  idp: string;
  rp: string;
  rp2: string;
  /** Reference RPs in ESIA mode (v2 GOST, v1 PKCS#7) and the capture page of the protocol test systems. */
  rpEsia?: string;
  rpEsia1?: string;
  sink?: string;
  /** smtp://127.0.0.1:<port>: the emulator's SMTP listener, where both relying parties send their e-mail. */
  smtp?: string;
  /** Where the emulator generated the ESIA test systems' keys. */
  keysDir?: string;
  /** The in-process emulator (absent when the emulator runs as processes behind a proxy). */
  emulator?: RunningIdp;
  /** The emulator as several processes on one shared store behind the round-robin proxy (StandProcesses). */
  processes?: EmulatorProcesses;
  /** The stand's data folder (the emulator's and the relying parties' files, uploads under uploads/<clientId>/<run>). */
  dataDir: string;
  /** Calls the control API; throws with the API's message on a non-2xx answer. */
  control<T = unknown>(method: string, path: string, body?: unknown): Promise<T>;
  /** The same for the control API of a relying party of the stand, by its base URL (relying-party/control.ts). */
  controlAt(base: string): Stand['control'];
  close(): Promise<void>;
}

/** How the control client reaches the emulator: plain HTTP, or the TLS back-channel of an HTTPS stand. */
type ControlTransport = (
  url: string,
  init: { method: string; headers: Record<string, string>; body?: string },
) => Promise<{ status: number; text: string }>;

function overBackChannel(fetchOver: BackChannelFetch): ControlTransport {
  return async (url, init) => {
    const res = await fetchOver(url, init);
    return { status: res.status, text: await res.text() };
  };
}

function controlClient(base: string, transport: ControlTransport = send): Stand['control'] {
  return async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const res = await transport(`${base}/__control${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    let json: T & { message?: string };
    try {
      json = JSON.parse(res.text) as T & { message?: string };
    } catch {
      json = { message: 'not JSON: is the control API on (ESIA_CONTROL)?' } as T & { message?: string };
    }
    if (res.status < 200 || res.status > 299)
      throw new Error(`control ${method} ${path}: ${res.status} ${json.message ?? ''}`);
    return json;
  };
}

/** A new isolated run on the stand's emulator, deleted by the returned function. */
export async function newRun(stand: Stand): Promise<{ run: string; end(): Promise<void> }> {
  const { run } = await stand.control<{ run: string }>('POST', '/runs');
  return { run, end: async () => void (await stand.control('DELETE', `/runs/${run}`).catch(() => undefined)) };
}

/** The clients file of the repository (config/clients.json), whatever ESIA_CLIENTS says. */
const repositoryClientsFile = join(import.meta.dirname, '..', '..', 'config', 'clients.json');

/** Test keys shared by every stand on this machine: generating RSA keys per stand would dominate start-up. */
const sharedKeysDir = join(tmpdir(), 'esia-emulator-test-keys');

/** A port the OS says is free now; the stand needs all three before any server starts, to wire redirect URIs. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', () => ok()));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((ok) => server.close(() => ok()));
  return port;
}

const isFree = (port: number) =>
  new Promise<boolean>((ok) => {
    const server = createServer();
    server.once('error', () => ok(false));
    server.listen(port, '127.0.0.1', () => server.close(() => ok(true)));
  });

/** The first of `count` consecutive ports that are free now (RP_PORT … RP_PORT + 3 of the start script). */
export async function freePortRange(count: number): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 20_000 + Math.floor(Math.random() * 40_000);
    const free = await Promise.all(Array.from({ length: count }, (_, i) => isFree(base + i)));
    if (free.every(Boolean)) return base;
  }
  throw new Error(`no ${count} consecutive free ports`);
}

/** Where a stand's relying parties listen and its temporary folder, for routes mounted on its emulator. */
export interface StandPlaces {
  rpUrl: string;
  rp2Url: string;
  dir: string;
}

/**
 * Route tables mounted on the stand's emulator when the control API is on (the trainer gallery): the
 * caller composes them, so the runner never imports what is built on top of it.
 */
export type StandExtensions = (places: StandPlaces) => Extension[];

/**
 * The emulator as `count` processes of the start script on the shared store `store` (redis://…),
 * behind the round-robin proxy, instead of in this process: every request of a sign-in may land on
 * another process. Extensions are not mounted there (they live in this process).
 */
export interface StandProcesses {
  store: string;
  count: number;
  /** In front of them: the round-robin proxy (default) or haproxy on docs/haproxy.cfg. */
  balancer?: 'round-robin' | 'haproxy';
}

export async function startStand(
  overrides: Partial<IdpConfig> = {},
  extensions: StandExtensions = () => [],
  processes?: StandProcesses,
): Promise<Stand> {
  if (processes && Object.keys(overrides).length)
    throw new Error(
      `startStand: settings (${Object.keys(overrides).join(', ')}) apply to the in-process emulator only, not to emulator processes`,
    );
  const dir = await mkdtemp(join(tmpdir(), 'esia-stand-'));
  const [idpPort, rpPort, rp2Port] = [await freePort(), await freePort(), await freePort()];
  // The relying parties send e-mail to the emulator's SMTP listener: its port is chosen before either starts.
  const smtpPort = overrides.smtpPort === undefined ? await freePort() : overrides.smtpPort;
  const mail = smtpPort === null ? {} : { smtpUrl: `smtp://127.0.0.1:${smtpPort}` };
  // HTTPS stand (TLS faults): the emulator on TLS 1.3 with the test PKI; the relying parties stay on
  // HTTP and trust the test root on their back-channel, requiring a stapled OCSP answer.
  const issuer = `${overrides.https ? 'https' : 'http'}://localhost:${idpPort}`;
  const idpTrust = overrides.https
    ? { ca: (await loadTestPki(overrides.keysDir ?? sharedKeysDir)).root.certificatePem, requireOcsp: true }
    : undefined;
  // …and rediscover on every login, so a certificate switched on the emulator shows on the next one.
  const tlsRp = idpTrust ? { idpTrust, discoveryCacheMs: 0 } : {};
  // The ESIA face's relying parties and capture page listen first (ports from the OS), then the systems file names them.
  const keysDir = overrides.keysDir ?? sharedKeysDir;
  const [esiaRps, sink] = await Promise.all([startEsiaRps({ issuer, dataDir: dir, keysDir, ...mail }), startSink(0)]);
  const portOf = (url: string) => Number(new URL(url).port);
  const systemsFile = join(dir, 'systems.json');
  await writeFile(
    systemsFile,
    JSON.stringify(
      esiaSystemsFile({ rpEsia: portOf(esiaRps[0]!.url), rpEsia1: portOf(esiaRps[1]!.url), sink: portOf(sink.url) }),
    ),
  );
  // The repository's clients (ФМРМ, Портал НМО, their «Мои услуги» tiles) where this stand's relying parties listen.
  const portOfClient: Record<string, number> = { fmrm: rpPort, 'nmo-portal': rp2Port };
  const clientsFileClients = (await readClients(repositoryClientsFile)).filter((c) => c.client_id in portOfClient);
  const clientsFile = join(dir, 'clients.json');
  await writeFile(
    clientsFile,
    JSON.stringify({
      clients: clientsFileClients.map((c) => movedTo(c, `http://localhost:${portOfClient[c.client_id]}`)),
    }),
  );
  const config = loadConfig({
    port: idpPort,
    dataDir: dir,
    keysDir: sharedKeysDir,
    clientsFile,
    systemsFile,
    log: false,
    ...overrides,
    smtpPort,
  });
  const mounted = config.controlEnabled
    ? extensions({ rpUrl: `http://localhost:${rpPort}`, rp2Url: `http://localhost:${rp2Port}`, dir })
    : [];
  const [emulator, fmrm, nmo] = await Promise.all([
    processes
      ? startEmulatorProcesses({
          count: processes.count,
          ...(processes.balancer ? { balancer: processes.balancer } : {}),
          port: idpPort,
          ports: await Promise.all(Array.from({ length: processes.count }, () => freePort())),
          dir,
          ...(smtpPort === null ? {} : { smtpPort }),
          env: {
            ESIA_STORE: processes.store,
            ESIA_KEYS_DIR: sharedKeysDir,
            ESIA_CLIENTS: clientsFile,
            ESIA_SYSTEMS: systemsFile,
          },
        })
      : startIdp(config, await loadOrCreateKeys(sharedKeysDir), mounted),
    startRp(
      rpConfig({
        port: rpPort,
        idpIssuer: issuer,
        dataDir: dir,
        ...tlsRp,
        nmoUrl: `http://localhost:${rp2Port}`,
        completedApiSecret: nmoPortal.completedApiSecret,
        ...mail,
      }),
    ),
    startRp(
      rpConfig({
        port: rp2Port,
        idpIssuer: issuer,
        dataDir: dir,
        ...tlsRp,
        ...mail,
        ...nmoPortal,
      }),
    ),
  ]).catch(async (error: unknown) => {
    await Promise.all([sink.close(), ...esiaRps.map((rp) => rp.close())]);
    throw error;
  });
  const rps: RunningRp[] = [fmrm, nmo, ...esiaRps];

  const control = controlClient(
    emulator.url,
    idpTrust ? overBackChannel(backChannelFetch({ ca: idpTrust.ca, skipVerification: true })) : undefined,
  );
  return {
    idp: emulator.url,
    rp: fmrm.url,
    rp2: nmo.url,
    rpEsia: esiaRps[0]!.url,
    rpEsia1: esiaRps[1]!.url,
    sink: sink.url,
    ...(mail.smtpUrl ? { smtp: mail.smtpUrl } : {}),
    keysDir: config.keysDir,
    ...('processes' in emulator ? { processes: emulator } : { emulator }),
    dataDir: dir,
    control,
    controlAt: (base) => controlClient(base),
    close: async () => {
      // The relying parties first: they deliver the e-mail still queued to the emulator's SMTP listener.
      await Promise.all([sink.close(), ...rps.map((rp) => rp.close())]);
      await emulator.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * The stand a scenario needs: the plain one, or — for a scenario with given.tls — an HTTPS stand,
 * started on first use and closed with the pool. Options for runScenario: the isolated run of the
 * plain stand, the main run of the HTTPS one (its TLS switch is one per listener anyway).
 */
/** What the pool and the lanes read of a scenario: whether it needs the HTTPS stand (its TLS fault). */
export interface NeedsStand {
  given: { tls?: string };
}

export class StandPool {
  #https: Promise<Stand> | undefined;

  constructor(
    readonly plain: Stand,
    readonly plainRun?: string,
  ) {}

  async for(scenario: NeedsStand): Promise<{ stand: Stand; run?: string }> {
    if (!scenario.given.tls) return { stand: this.plain, ...(this.plainRun ? { run: this.plainRun } : {}) };
    this.#https ??= startStand({ https: true });
    return { stand: await this.#https };
  }

  async close(): Promise<void> {
    const https = this.#https;
    this.#https = undefined;
    await Promise.all([
      this.plain.close(),
      https?.then(
        (s) => s.close(),
        () => undefined,
      ),
    ]);
  }
}

/**
 * Plays scenarios several at once: each of `lanes` lanes in an isolated run of the plain stand
 * (own personas, clock, inbox, faults), so lanes never meet; scenarios with given.tls switch the
 * HTTPS stand's one listener, so they play one after another in a lane of their own.
 */
export async function playInLanes<S extends NeedsStand>(
  pool: StandPool,
  scenarios: S[],
  lanes: number,
  play: (scenario: S, target: { stand: Stand; run?: string }) => Promise<void>,
): Promise<void> {
  const tls = scenarios.filter((s) => s.given.tls);
  const plain = scenarios.filter((s) => !s.given.tls);
  const drain = async (queue: S[], run?: string) => {
    for (let scenario = queue.shift(); scenario; scenario = queue.shift()) {
      await play(
        scenario,
        scenario.given.tls ? await pool.for(scenario) : { stand: pool.plain, ...(run ? { run } : {}) },
      );
    }
  };
  const runs = await Promise.all(Array.from({ length: Math.min(lanes, plain.length) }, () => newRun(pool.plain)));
  try {
    await Promise.all([drain(tls), ...runs.map((r) => drain(plain, r.run))]);
  } finally {
    await Promise.all(runs.map((r) => r.end()));
  }
}
