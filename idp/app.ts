/*
 * Composition root of the emulator: builds the services, the oidc-provider instance and the route
 * tables, in this order of middleware: frame (headers, audit, error boundary) → static and health
 * → control API → sign-in screens → oidc-provider's own endpoints.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import Provider from 'oidc-provider';
import type { Context, Middleware, Next } from 'koa';
import { loadOrCreateKeys, type LocalKeys } from '../keys/generate.ts';
import { loadTestPki, type PersonaSubject, readPersonaSubjects, type TestPki } from '../lib/pki/test_pki.ts';
import { accountClient, accountRoutes } from './account/router.ts';
import { Store } from '../lib/store/store.ts';
import { AccountRepository, accountsFromFixtures, type DataFile, readPersonaFixtures } from './adapters/account_repository.ts';
import { AuditJournal } from './adapters/audit_journal.ts';
import { readFixtureHashes, writeFixtureHashes } from './adapters/fixture_hashes.ts';
import type { IdpConfig } from './config/index.ts';
import { ControlError } from './control/inputs.ts';
import { controlRoutes } from './control/router.ts';
import { KeyedMutex } from './domain/keyed_mutex.ts';
import { frame } from './errors/boundary.ts';
import { createEsiaFace } from './esia/index.ts';
import { EsignServices } from './esign/index.ts';
import { readOrganisations } from './esign/organisations.ts';
import { pluginRoutes } from './esign/plugin_routes.ts';
import { startMutualTlsListener } from './esign/tls_listener.ts';
import { Journeys } from './interactions/journeys.ts';
import { interactionRoutes } from './interactions/router.ts';
import { providerMetadata, readClients, type ClientConfig } from './provider/clients.ts';
import { providerConfiguration } from './provider/configuration.ts';
import { outageGate } from './provider/outage_gate.ts';
import { ProviderStorage } from './provider/memory_adapter.ts';
import { pkiRoutes } from './pki/router.ts';
import { TlsEndpoint, withHttpsTwins } from './pki/tls.ts';
import { mainRun, Run, Runs } from './runs.ts';
import { supportRoutes } from './support/router.ts';
import type { Services } from './services.ts';
import { homePage } from './views/home.ts';
import { stylesheet } from './views/style.ts';
import { webauthnBrowserScript } from './webauthn/static.ts';

export interface Idp {
  services: Services;
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

export async function createIdp(config: IdpConfig, issuer: string, keys?: LocalKeys, extensions: Extension[] = []): Promise<Idp> {
  const dataDir = resolve(config.dataDir);
  const fixtures = await readPersonaFixtures(config.fixturesFile);
  const hashesFile = join(resolve(config.keysDir), 'fixture-hashes.json');
  const [localKeys, clients, pki, hashes] = await Promise.all([
    keys ?? loadOrCreateKeys(resolve(config.keysDir)),
    // Over HTTPS the relying parties are on https too: every http://localhost redirect URI also counts in https.
    readClients(config.clientsFile).then((list) => (config.https ? list.map((c) => withHttpsTwins(c)) : list)),
    testPkiOf(config, fixtures),
    readFixtureHashes(hashesFile),
  ]);
  // Re-read on every reset, so edits to the fixtures apply without a restart; hashes are cached.
  const baseline = async () => accountsFromFixtures(await readPersonaFixtures(config.fixturesFile), config.scryptN, hashes);
  const known = hashes.size;
  const initial = await accountsFromFixtures(fixtures, config.scryptN, hashes);
  // Hashing the personas' passwords is most of a start on a new data folder: kept for the next process.
  if (hashes.size > known) await writeFixtureHashes(hashesFile, hashes);
  const store = await Store.open<DataFile>(join(dataDir, 'emulator.json'), () => ({ version: 1, accounts: initial }), {
    flushDelayMs: config.flushDelayMs,
  });
  const runs = new Runs(new Run(mainRun, 0n, new AccountRepository(store)));
  const journal = new AuditJournal(join(dataDir, 'audit.jsonl'), { rotateBytes: config.auditRotateBytes });
  const storage = new ProviderStorage();
  const provider = new Provider(
    issuer,
    providerConfiguration({
      accountByOid: (oid) => runs.accountByOid(oid)?.account,
      storage,
      clients,
      jwks: localKeys.jwks,
      cookieKeys: localKeys.cookieKeys,
    }),
  );
  provider.on('server_error', (_ctx, error) => console.error(`[esia-emulator] server error: ${error.stack ?? error}`));

  const organisations = await readOrganisations(config.organisationsFile);
  const esign = new EsignServices({
    organisations,
    clientMethods: new Map(clients.flatMap((c) => (c.allowed_methods ? [[c.client_id, c.allowed_methods] as [string, string[]]] : []))),
    pki,
  });
  const journeys = new Journeys();
  const services: Services = {
    config,
    provider,
    runs,
    journal,
    journeys,
    mutex: new KeyedMutex(),
    pki,
    esign,
    baseline,
    reset: async (run) => {
      storage.forgetAccounts(new Set(run.accounts.all().map((a) => a.oid)));
      journeys.clear(run);
      run.reset(await baseline());
    },
    audit: (record, run) => journal.append({ ts: new Date(run.clock.now()).toISOString(), ...(run.id === mainRun ? {} : { run: run.id }), ...record }),
  };

  const personaPasswords = async () => (await readPersonaFixtures(config.fixturesFile)).map((p) => ({ persona: p.persona, password: p.password }));
  const registerClient = async (client: Record<string, unknown>) => {
    await registerRuntimeClient(provider, storage, client as ClientConfig);
    esign.setClientDefault(String(client.client_id), Array.isArray(client.allowed_methods) ? client.allowed_methods.map(String) : undefined);
  };

  provider.use(frame(services));
  provider.use(async function staticAndHealth(ctx: Context, next: Next) {
    if (ctx.path === '/static/esia.css') {
      ctx.type = 'text/css';
      ctx.set('Cache-Control', 'public, max-age=3600');
      ctx.body = stylesheet;
    } else if (ctx.path === '/static/webauthn/browser.js') {
      // feature «webauthn»: @simplewebauthn/browser's UMD bundle, from node_modules (no CDN)
      ctx.type = 'application/javascript';
      ctx.set('Cache-Control', 'public, max-age=3600');
      ctx.body = await webauthnBrowserScript();
    } else if (ctx.path === '/__health/ready' || ctx.path === '/__health/live') {
      ctx.body = { ready: true, issuer };
    } else if (ctx.path === '/' && ctx.method === 'GET') {
      const passwords = new Map((await personaPasswords()).map((p) => [p.persona, p.password]));
      ctx.type = 'html';
      ctx.body = homePage({ issuer, accounts: runs.main.accounts.all(), passwords, controlEnabled: config.controlEnabled }).value;
    } else {
      await next();
    }
  });
  if (config.controlEnabled) {
    const control = controlRoutes(services, { personas: personaPasswords, registerClient });
    provider.use(under(['/__control'], control.routes(), control.allowedMethods()));
  }
  // test PKI : CA certificates, CRL, OCSP
  provider.use(under(['/pki'], pkiRoutes(services).routes()));
  if (config.supportEnabled) {
    // Support console (E1, E2, F3): its own operator sessions, signed with the cookie keys.
    const support = await supportRoutes(services, { cookieKeys: localKeys.cookieKeys });
    provider.use(under(['/support'], support.routes(), support.allowedMethods()));
  }
  for (const extension of extensions) provider.use(extension);
  // Outage mode (E3) in front of the protocol endpoints: /auth, /token, /me.
  provider.use(outageGate(services));
  // The ESIA face (/aas/oauth2/…, /rs/…, /idp/ext/Logout) before the sign-in screens it hands browsers to.
  const esia = await createEsiaFace(services, { systemsFile: config.systemsFile, keysDir: resolve(config.keysDir), registerClient });
  services.esia = esia.face;
  provider.use(under(['/aas/', '/rs/', '/idp/ext/', '/public/', '/__control/esia'], esia.router.routes()));
  // The signing-plugin stand-in (/plugin), labelled as such: the virtual token of each run.
  provider.use(under(['/plugin'], pluginRoutes(services).routes()));
  const interactions = await interactionRoutes(services);
  provider.use(under(['/interaction/'], interactions.routes()));
  // feature «webauthn»: /account, the settings page, signs in through an internal client
  await registerRuntimeClient(provider, storage, accountClient(issuer) as unknown as ClientConfig);
  provider.use(under(['/account'], accountRoutes(services).routes()));

  const callback = provider.callback();
  return {
    services,
    handle: (req, res) => void callback(req, res),
    close: async () => {
      storage.close();
      await Promise.all([store.close(), journal.close()]);
    },
  };
}

/**
 * Runs route tables only for paths under one of their prefixes. Every table otherwise matches each
 * request against all its routes, and a sign-in's requests pass seven of them.
 */
function under<C extends { path: string }>(prefixes: string[], routes: RouteTable<C>, methods?: RouteTable<C>): RouteTable<C> {
  return (ctx, next) => {
    if (!prefixes.some((prefix) => ctx.path.startsWith(prefix))) return next();
    return methods ? routes(ctx, () => methods(ctx, next)) : routes(ctx, next);
  };
}

/** A router's routes() or allowedMethods(). */
type RouteTable<C> = (ctx: C, next: Next) => Promise<unknown>;

/** Validates a client through oidc-provider's own schema, then stores it for Client.find. */
async function registerRuntimeClient(provider: Provider, storage: ProviderStorage, client: ClientConfig): Promise<void> {
  if (typeof client.client_id !== 'string' || !client.client_id) throw new ControlError(400, 'control.bad_client', 'client_id is required.');
  if (!Array.isArray(client.redirect_uris) || client.redirect_uris.length === 0) {
    throw new ControlError(400, 'control.bad_client', 'redirect_uris is required, e.g. ["http://localhost:8080/callback"].');
  }
  const metadata = providerMetadata(client);
  try {
    await provider.Client.validate(metadata);
  } catch (error) {
    const e = error as { error_description?: string; message: string };
    throw new ControlError(400, 'control.bad_client', `Client metadata rejected: ${e.error_description ?? e.message}`);
  }
  await storage.adapterFor('Client').upsert(client.client_id, metadata, 0);
}

export interface RunningIdp {
  url: string;
  idp: Idp;
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
  const tls = config.https
    ? new TlsEndpoint(await testPkiOf(config))
    : undefined;
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
  const mtls = config.mtlsPort === null ? undefined : await startMutualTlsListener(ready.services.pki, ready.handle, { host: config.host, port: config.mtlsPort });
  ready.services.esign.tlsOrigin = mtls?.origin;
  return {
    url: issuer,
    idp: ready,
    close: async () => {
      await mtls?.close();
      server.closeAllConnections();
      await new Promise<void>((ok) => server.close(() => ok()));
      await ready.close();
    },
  };
}
