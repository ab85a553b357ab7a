/*
 * Composition root of the emulator: builds the services, the oidc-provider instance and the route
 * tables, in this order of middleware: frame (headers, audit, error boundary) → static and health
 * → control API → sign-in screens → oidc-provider's own endpoints.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import Provider from 'oidc-provider';
import { favicon } from '../lib/http/favicon.ts';
import { browserCookie, FormGuard } from '../lib/http/form_guard.ts';
import { originsOf } from '../lib/http/page_headers.ts';
import type { Context, Middleware, Next } from 'koa';
import { loadOrCreateKeys, type LocalKeys } from '../keys/generate.ts';
import { MountedRouter } from '../lib/http/mount.ts';
import { loadTestPki, type PersonaSubject, readPersonaSubjects, type TestPki } from '../lib/pki/test_pki.ts';
import { accountRoutes } from './account/router.ts';
import { myServicesRoutes } from './account/my_services.ts';
import { accountClient } from './account/session.ts';
import { Store } from '../lib/store/store.ts';
import { Keyspace } from '../lib/store/keyspace.ts';
import { connectRedis, isStoreUnavailable, printableUrl } from '../lib/store/redis.ts';
import {
  AccountRepository,
  accountsFromFixtures,
  dataFileProblem,
  type DataFile,
  readPersonaFixtures,
} from './adapters/account_repository.ts';
import { loadAuditKey } from './adapters/audit_key.ts';
import { memoryRecords, plainJson } from './adapters/records.ts';
import { redisRecords } from './adapters/redis_records.ts';
import { AuditJournal } from './adapters/audit_journal.ts';
import { RedisAuditJournal } from './adapters/redis_audit_journal.ts';
import { readFixtureHashes, writeFixtureHashes } from './adapters/fixture_hashes.ts';
import type { IdpConfig } from './config/index.ts';
import { controlMethodRefusal } from './control/inputs.ts';
import { controlRoutes } from './control/router.ts';
import { KeyedMutex } from './domain/keyed_mutex.ts';
import { frame, methodRefusal, refuseUnavailable } from './errors/boundary.ts';
import { createEsiaFace } from './esia/index.ts';
import { EsignServices } from './esign/index.ts';
import { readOrganisations } from './esign/organisations.ts';
import { pluginRoutes } from './esign/plugin_routes.ts';
import { startMutualTlsListener } from './esign/tls_listener.ts';
import { type MailDelivery, startSmtpListener } from './adapters/smtp_listener.ts';
import { Journeys, RedisJourneys } from './interactions/journeys.ts';
import { interactionRoutes } from './interactions/router.ts';
import { movedTo, readClients, serviceTiles, type ClientConfig } from './provider/clients.ts';
import { RuntimeClients } from './provider/runtime_clients.ts';
import { providerConfiguration } from './provider/configuration.ts';
import { outageGate } from './provider/outage_gate.ts';
import { ProviderStorage } from './provider/memory_adapter.ts';
import { RedisProviderState } from './provider/redis_adapter.ts';
import { pkiRoutes } from './pki/router.ts';
import { TlsEndpoint, withHttpsTwins } from './pki/tls.ts';
import { MemoryBacking, mainRun, Run, runCookie, Runs } from './runs.ts';
import { type RunSharing, shareRuns } from './shared/index.ts';
import { supportRoutes } from './support/router.ts';
import { supportStylesheet, supportStylesheetPath } from './support/views.ts';
import type { Services } from './services.ts';
import { homePage } from './views/home.ts';
import { stylesheet } from './views/style.ts';
import { webauthnBrowserScript } from './webauthn/static.ts';
import { certificateScript, certificateScriptPath } from './views/certificate_script.ts';
import { pageScripts } from './views/page_scripts.ts';

export interface Idp {
  services: Services;
  /** The route tables, in the order they are mounted, each running only under its own routes' prefixes. */
  routeTables: MountedRouter[];
  handle(req: IncomingMessage, res: ServerResponse): void;
  close(): Promise<void>;
}

/** Extra routes mounted by the composition root (the trainer gallery); the emulator never imports them. */
export type Extension = Middleware;

/** The test PKI of this configuration's keys folder, for its personas (loaded once per process: loadTestPki caches). */
export function testPkiOf(config: IdpConfig, personas?: PersonaSubject[]): Promise<TestPki> {
  const subjects = personas ? Promise.resolve(personas) : readPersonaSubjects(config.fixturesFile);
  return subjects.then((list) => loadTestPki(resolve(config.keysDir), { personas: list }));
}

export async function createIdp(
  config: IdpConfig,
  issuer: string,
  keys?: LocalKeys,
  extensions: Extension[] = [],
): Promise<Idp> {
  const dataDir = resolve(config.dataDir);
  // ESIA_STORE=redis://…: first of all, so an unreachable Redis stops the start before anything is built.
  const shared =
    config.store === 'lowdb'
      ? undefined
      : new Keyspace(await connectRedis(config.store, config.log ? {} : { log: () => {} }), config.redisPrefix);
  const fixtures = await readPersonaFixtures(config.fixturesFile);
  const hashesFile = join(resolve(config.keysDir), 'fixture-hashes.json');
  const [localKeys, clients, pki, hashes] = await Promise.all([
    keys ?? loadOrCreateKeys(resolve(config.keysDir)),
    // Over HTTPS the relying parties are on https too: every http://localhost redirect URI also counts in https.
    // The start script's own relying parties where they really listen (RP_PORT), whatever the file says.
    readClients(config.clientsFile)
      .then((list) => list.map((c) => movedTo(c, config.clientOrigins[c.client_id])))
      .then((list) => (config.https ? list.map((c) => withHttpsTwins(c)) : list)),
    testPkiOf(config, fixtures),
    readFixtureHashes(hashesFile),
  ]);
  // Re-read on every reset, so edits to the fixtures apply without a restart; hashes are cached.
  const baseline = async () =>
    accountsFromFixtures(await readPersonaFixtures(config.fixturesFile), config.scryptN, hashes);
  const known = hashes.size;
  const initial = await accountsFromFixtures(fixtures, config.scryptN, hashes);
  // Hashing the personas' passwords is most of a start on a new data folder: kept for the next process.
  if (hashes.size > known) await writeFixtureHashes(hashesFile, hashes);
  // On Redis the main run's accounts are in Redis with the rest of its state (idp/shared/), not in the data
  // file, which is then not opened at all: its lock would keep a second process (`--workers`) off the folder.
  const store = shared
    ? undefined
    : await Store.open<DataFile>(join(dataDir, 'emulator.json'), () => ({ version: 1, accounts: initial }), {
        flushDelayMs: config.flushDelayMs,
        validate: dataFileProblem,
      });
  const mainAccounts = new AccountRepository(store ?? new MemoryBacking({ version: 1, accounts: initial }));
  const runs = new Runs(new Run(mainRun, 0n, mainAccounts));
  const runSharing = shared ? await shareRuns(shared, runs, printableUrl(config.store)) : undefined;
  const auditKey = loadAuditKey(resolve(config.keysDir), true);
  // On Redis each process appends to its own chain there; every chain shares the keys folder's key.
  const journal = shared
    ? new RedisAuditJournal(shared, auditKey)
    : new AuditJournal(join(dataDir, 'audit.jsonl'), {
        key: auditKey,
        rotateBytes: config.auditRotateBytes,
        // A trace is a whole sign-in's records: a quarter of the cap keeps the index near the size of the other stores.
        tracesKept: Math.ceil(config.memory.storeCap / 4),
      });
  const records = shared ? redisRecords(shared) : memoryRecords(config.memory.storeCap);
  const storage = shared ? new RedisProviderState(shared) : new ProviderStorage({ cap: config.memory.storeCap });
  // Every client with the emulator's extensions, by id: the file's now, runtime registrations as they come.
  const clientConfigs = new Map(clients.map((c) => [c.client_id, c]));
  /** Grows with every registration; the pages' form-action origins are kept until it (or the ESIA systems) change. */
  let clientsVersion = 0;
  let formTargets: { version: string; origins: string[] } | undefined;
  const provider = new Provider(
    issuer,
    providerConfiguration({
      accountByOid: (oid) => runs.accountByOid(oid)?.account,
      storage,
      clients,
      clientConfig: (clientId) => clientConfigs.get(clientId),
      jwks: localKeys.jwks,
      cookieKeys: localKeys.cookieKeys,
      clockOf: (ctx) => (runs.get(ctx.cookies.get(runCookie, { signed: false })) ?? runs.main).clock,
      lifetimes: {
        sessionSeconds: config.memory.sessionTtlSeconds,
        refreshTokenSeconds: config.memory.refreshTokenTtlSeconds,
      },
    }),
  );
  provider.on('server_error', (ctx, error) => {
    // A lost Redis under its JSON endpoints (/token, /me): 503 with a reference code, not a 500 and a stack.
    if (isStoreUnavailable(error)) {
      if (!ctx.response.is('html')) refuseUnavailable(ctx, error);
      return;
    }
    console.error(`[esia-emulator] server error: ${error.stack ?? error}`);
  });

  const organisations = await readOrganisations(config.organisationsFile);
  const esign = new EsignServices({
    organisations,
    clientMethods: new Map(
      clients.flatMap((c) => (c.allowed_methods ? [[c.client_id, c.allowed_methods] as [string, string[]]] : [])),
    ),
    pki,
    records,
  });
  const journeys = shared ? new RedisJourneys(records, runs) : new Journeys(config.memory.storeCap);
  const services: Services = {
    config,
    shared,
    runSharing,
    records,
    webauthnSpent: records('webauthn:challenge', plainJson<true>(), 50_000),
    provider,
    runs,
    journal,
    journeys,
    storage,
    mutex: new KeyedMutex(),
    transact: runSharing ? (run, change) => runSharing.shared.transact(run, change) : async (_run, change) => change(),
    pki,
    esign,
    baseline,
    reset: async (run) => {
      await storage.forgetAccounts(new Set(run.accounts.all().map((a) => a.oid)));
      await journeys.clear(run);
      await services.esia?.signIns.forgetRun(run);
      run.reset(await baseline());
    },
    formGuard: new FormGuard({
      key: localKeys.cookieKeys[0]!,
      binding: browserCookie('esia_form'),
      ownOrigins: () => [new URL(issuer).origin, ...(esign.tlsOrigin ? [esign.tlsOrigin] : [])],
    }),
    // Read on every page, worked out again only when a client or a system is registered or replaced.
    formTargets: () => {
      const version = `${clientsVersion}/${services.esia?.registry.version ?? -1}`;
      if (formTargets?.version !== version) {
        const origins = originsOf([
          ...[...clientConfigs.values()].flatMap((c) => [
            ...(c.redirect_uris ?? []),
            ...((c.post_logout_redirect_uris as string[] | undefined) ?? []),
          ]),
          ...(services.esia?.registry.all().flatMap((system) => system.redirectUris) ?? []),
        ]);
        formTargets = { version, origins };
      }
      return formTargets.origins;
    },
    audit: (record, run) =>
      journal.append({
        ts: new Date(run.clock.now()).toISOString(),
        ...(run.id === mainRun ? {} : { run: run.id }),
        ...record,
      }),
  };

  const personaPasswords = async () =>
    (await readPersonaFixtures(config.fixturesFile)).map((p) => ({ persona: p.persona, password: p.password }));
  const runtimeClients = new RuntimeClients(
    provider,
    storage,
    store ?? noDataFile(),
    clients,
    config.clientsFile,
    (client) => {
      clientConfigs.set(client.client_id, client);
      clientsVersion++;
      esign.setClientDefault(
        String(client.client_id),
        Array.isArray(client.allowed_methods) ? client.allowed_methods.map(String) : undefined,
      );
    },
  );
  const registerClient = (client: Record<string, unknown>) => runtimeClients.registerInternal(client as ClientConfig);

  const routeTables: MountedRouter[] = [];
  const mount = (table: MountedRouter) => {
    routeTables.push(table);
    provider.use(table.middleware());
  };

  provider.use(frame(services));
  // Shared runs (Redis): synced before anything reads them, the emulator's own changing requests under the run's lock.
  if (runSharing) provider.use(runSharing.middleware((path) => routeTables.some((table) => table.reaches(path))));
  provider.use(async function staticAndHealth(ctx: Context, next: Next) {
    if (ctx.path === '/static/esia.css' || ctx.path === supportStylesheetPath) {
      ctx.type = 'text/css';
      ctx.set('Cache-Control', 'public, max-age=3600');
      ctx.body = ctx.path === supportStylesheetPath ? supportStylesheet : stylesheet;
    } else if (ctx.path === '/static/webauthn/browser.js') {
      // feature «webauthn»: @simplewebauthn/browser's UMD bundle, from node_modules (no CDN)
      ctx.type = 'application/javascript';
      ctx.set('Cache-Control', 'public, max-age=3600');
      ctx.body = await webauthnBrowserScript();
    } else if (ctx.path === certificateScriptPath || pageScripts.has(ctx.path)) {
      ctx.type = 'application/javascript';
      ctx.set('Cache-Control', 'public, max-age=3600');
      ctx.body = pageScripts.get(ctx.path) ?? certificateScript;
    } else if (ctx.path === favicon.path) {
      ctx.type = favicon.type;
      ctx.set('Cache-Control', 'public, max-age=86400');
      ctx.body = favicon.body;
    } else if (ctx.path === '/__health/ready' || ctx.path === '/__health/live') {
      ctx.body = { ready: true, issuer };
    } else if (ctx.path === '/' && ctx.method === 'GET') {
      const passwords = new Map((await personaPasswords()).map((p) => [p.persona, p.password]));
      ctx.type = 'html';
      ctx.body = homePage({
        issuer,
        accounts: runs.main.accounts.all(),
        passwords,
        controlEnabled: config.controlEnabled,
      }).value;
    } else {
      await next();
    }
  });
  if (config.controlEnabled) {
    const control = controlRoutes(services, {
      personas: personaPasswords,
      registerClient: (client) => runtimeClients.register(client as ClientConfig),
    });
    mount(new MountedRouter('control', control, { allowedMethods: controlMethodRefusal }));
  }
  // test PKI: CA certificates, CRL, OCSP
  mount(new MountedRouter('pki', pkiRoutes(services)));
  if (config.supportEnabled) {
    // Support console (E1, E2, F3): its own operator sessions, signed with the cookie keys.
    const support = await supportRoutes(services, { cookieKeys: localKeys.cookieKeys });
    mount(new MountedRouter('support', support, { allowedMethods: methodRefusal }));
  }
  for (const extension of extensions) provider.use(extension);
  // Outage mode (E3) in front of the protocol endpoints: /auth, /token, /me.
  provider.use(outageGate(services));
  // The ESIA face (/aas/oauth2/…, /rs/…, /idp/ext/Logout) before the sign-in screens it hands browsers to.
  const esia = await createEsiaFace(services, {
    systemsFile: config.systemsFile,
    keysDir: resolve(config.keysDir),
    clientOrigins: config.clientOrigins,
    registerClient,
  });
  services.esia = esia.face;
  mount(new MountedRouter('esia', esia.router));
  // The signing-plugin stand-in (/plugin), labelled as such: the virtual token of each run.
  mount(new MountedRouter('plugin', pluginRoutes(services)));
  const interactions = await interactionRoutes(services);
  mount(new MountedRouter('interactions', interactions));
  // The person's own pages sign in through an internal client: /account (settings, feature «webauthn»), /my (G1).
  await runtimeClients.registerInternal(accountClient(issuer) as unknown as ClientConfig);
  mount(new MountedRouter('account', accountRoutes(services)));
  mount(new MountedRouter('my', myServicesRoutes(services, serviceTiles(clients))));
  // Last, once every id the emulator needs is known: a kept registration never takes one over.
  await runtimeClients.restore();

  const callback = provider.callback();
  return {
    services,
    routeTables,
    handle: (req, res) => void callback(req, res),
    close: async () => {
      storage.close();
      await Promise.all([store?.close(), journal.close()]);
      shared?.redis.disconnect();
    },
  };
}

/**
 * A received e-mail goes to the inbox of the run its X-Esia-Run header names (else the main run), by
 * recipient. On Redis the run is brought up to date first and the message filed under the run's lock,
 * like a request's change, so every process lists it; a lost Redis makes it a temporary SMTP refusal.
 */
function deliverToInbox(runs: Runs, sharing: RunSharing | undefined): MailDelivery {
  return async (mail) => {
    await sharing?.shared.sync();
    const run = runs.get(mail.run);
    if (!run)
      return `X-Esia-Run names no run of this emulator: "${mail.run}" (runs end after two idle hours; POST /__control/runs makes one)`;
    const file = async () =>
      void run.outbox.send('email', mail.to, mail.text, undefined, {
        subject: mail.subject,
        ...(mail.kind ? { kind: mail.kind } : {}),
        ...(mail.from ? { from: mail.from } : {}),
      });
    await (sharing ? sharing.shared.locked(run, file) : file());
    return undefined;
  };
}

/** On Redis: registrations at run time live in oidc-provider's Client records there, none in a data file. */
const noDataFile = () => ({ data: { version: 1, accounts: [] } as DataFile, changed() {}, flush: async () => {} });

export interface RunningIdp {
  url: string;
  idp: Idp;
  /** smtp://127.0.0.1:<port> of the SMTP listener; undefined when it is off (config.smtpPort null). */
  smtp?: string;
  close(): Promise<void>;
}

/**
 * Listens at once (answering 503 until ready, so `/__health/ready` is honest), then loads keys,
 * fixtures and the store. The issuer follows the real port when port 0 was asked for.
 */
export async function startIdp(config: IdpConfig, keys?: LocalKeys, extensions: Extension[] = []): Promise<RunningIdp> {
  let idp: Idp | undefined;
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    if (idp) return idp.handle(req, res);
    res.writeHead(503, { 'content-type': 'application/json', 'retry-after': '1' });
    res.end(JSON.stringify({ ready: false }));
  };
  // HTTPS needs its certificate before it listens: the test PKI is loaded first (about a second the very first time).
  const tls = config.https ? new TlsEndpoint(await testPkiOf(config)) : undefined;
  const server = tls ? tls.createServer(handler) : createServer(handler);
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(config.port, config.host, () => ok());
  });
  const port = (server.address() as AddressInfo).port;
  const issuer = config.issuer || `${tls ? 'https' : 'http'}://localhost:${port}`;
  try {
    idp = await createIdp(config, issuer, keys, extensions);
  } catch (error) {
    server.close();
    throw error;
  }
  if (tls) {
    tls.main = idp.services.runs.main;
    idp.services.tls = tls;
  }
  const ready = idp;
  // Mutual TLS sign-in (A4): its own HTTPS listener that asks for client certificates.
  const mtls =
    config.mtlsPort === null
      ? undefined
      : await startMutualTlsListener(ready.services.pki, ready.handle, { host: config.host, port: config.mtlsPort });
  ready.services.esign.tlsOrigin = mtls?.origin;
  // E-mail over real SMTP into the runs' inboxes (G6): relying parties and a user's own application send here.
  const smtp =
    config.smtpPort === null
      ? undefined
      : await startSmtpListener(deliverToInbox(ready.services.runs, ready.services.runSharing), {
          host: config.host,
          port: config.smtpPort,
          ...(config.log ? { log: (line: string) => console.error(`[esia-emulator] ${line}`) } : {}),
        }).catch(async (error: unknown) => {
          await mtls?.close();
          server.close();
          await ready.close();
          throw error;
        });
  return {
    url: issuer,
    idp: ready,
    ...(smtp ? { smtp: smtp.url } : {}),
    close: async () => {
      await Promise.all([mtls?.close(), smtp?.close()]);
      server.closeAllConnections();
      await new Promise<void>((ok) => server.close(() => ok()));
      await ready.close();
    },
  };
}
