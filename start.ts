/*
 * `npm start`: the emulator (http://localhost:3000), the ФМРМ relying party (:4000) and a second
 * state system (:4001, for SSO) in one process, with the data file and keys created on first run.
 * Prints where everything is and the personas to sign in as. Environment variables: README.md.
 * `--https` (or ESIA_HTTPS=1): everything over TLS 1.3 with certificates of the test PKI.
 * `--workers N` (or ESIA_WORKERS=N, over ESIA_STORE=redis://…): N emulator processes (node:cluster)
 * share the emulator's port; the relying parties run once, in the primary.
 */
import cluster from 'node:cluster';
import { rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { readPersonaFixtures } from './idp/adapters/account_repository.ts';
import { startIdp, testPkiOf, type RunningIdp } from './idp/app.ts';
import {
  configFromEnv,
  loadConfig,
  relyingPartyControl,
  relyingPartyPort,
  workerCount,
  type IdpConfig,
} from './idp/config/index.ts';
import { readTestSystemKeys } from './idp/esia/systems.ts';
import { nmoPortal, rpConfig } from './relying-party/config.ts';
import { startRp, type RunningRp } from './relying-party/server.ts';
import { trainerRoutes } from './trainer/routes.ts';
import { parseCli } from './lib/cli.ts';
import { announceReady, startWorkers, WorkerStartError, type Workers } from './lib/cluster.ts';
import { ConfigFileError } from './lib/errors.ts';
import { DataFileError } from './lib/store/json_file.ts';
import { printableUrl, StoreConnectError } from './lib/store/redis.ts';
import { resetMainRun } from './idp/shared/index.ts';

const started = performance.now();
const { values: args } = parseCli({
  command: 'npm start --',
  summary: 'Starts the emulator, the ФМРМ relying party and the second state system; environment variables: README.md.',
  options: {
    https: { type: 'boolean', help: 'everything over TLS 1.3 with certificates of the test PKI (or ESIA_HTTPS=1)' },
    reset: {
      type: 'boolean',
      help: 'first put the data back to the fixtures (deletes the data file and the registers)',
    },
    exit: { type: 'boolean', help: 'with --reset: exit after the reset instead of starting' },
    workers: {
      type: 'string',
      value: 'N',
      help: 'N emulator processes sharing its port (or ESIA_WORKERS); more than 1 needs ESIA_STORE=redis://…',
    },
  },
});
const env = process.env;

/** The settings of this start (the environment, --https), and the origins of the relying parties it starts. */
function settings(): { config: IdpConfig; rpPort: number; scheme: string } {
  const fromEnv = configFromEnv(env);
  // HTTPS: ESIA_HTTPS=1 or --https. The relying parties then serve HTTPS too and trust the test root.
  const config = loadConfig({ ...fromEnv, ...(args.https ? { https: true } : {}) });
  const scheme = config.https ? 'https' : 'http';
  const rpPort = relyingPartyPort(env);
  // The relying parties started here are registered where they really listen, whatever config/clients.json
  // and config/systems.json say (they name :4000–:4003): RP_PORT and ESIA_PORT change without editing them.
  const clientOrigins: Record<string, string> =
    env.ESIA_RP === 'off'
      ? {}
      : {
          fmrm: `${scheme}://localhost:${rpPort}`,
          'nmo-portal': `${scheme}://localhost:${rpPort + 1}`,
          FMRM01: `http://localhost:${rpPort + 2}`,
          FMRM02: `http://localhost:${rpPort + 3}`,
        };
  return { config: { ...config, clientOrigins }, rpPort, scheme };
}

/** The emulator itself (in a worker, or in the one process), with the trainer gallery when the control API is on. */
async function startEmulator(): Promise<RunningIdp> {
  const { config, rpPort, scheme } = settings();
  const trainer = config.controlEnabled
    ? [
        trainerRoutes({
          rpUrl: `${scheme}://localhost:${rpPort}`,
          rp2Url: `${scheme}://localhost:${rpPort + 1}`,
          shotsDir: resolve('out/gallery/shots'),
        }),
      ]
    : [];
  return startIdp(config, undefined, trainer);
}

/** What a worker reports to the primary once it serves, and what the one process prints the same way. */
interface EmulatorFacts {
  url: string;
  tlsOrigin: string | undefined;
  /** The banner's persona lines. */
  personas: string[];
  /** smtp://… of the SMTP listener (every worker listens on the one port), or undefined when it is off. */
  smtp: string | undefined;
}

async function factsOf(idp: RunningIdp, config: IdpConfig): Promise<EmulatorFacts> {
  const passwords = new Map((await readPersonaFixtures(config.fixturesFile)).map((p) => [p.persona, p.password]));
  return {
    url: idp.url,
    tlsOrigin: idp.idp.services.esign.tlsOrigin,
    smtp: idp.smtp,
    personas: idp.idp.services.runs.main.accounts
      .all()
      .map(
        (a) =>
          `  ${a.persona.padEnd(11)} ${a.phone}  ${(passwords.get(a.persona) ?? '').padEnd(10)} ${a.catalogue.join(',').padEnd(8)} ${a.demonstrates}`,
      ),
  };
}

async function main(): Promise<void> {
  if (cluster.isWorker) {
    // A worker of `--workers N`: the emulator only. SIGINT (Ctrl+C reaches the whole process group) is
    // the primary's to handle: it stops every worker with SIGTERM, so none looks as if it died.
    process.removeListener('SIGINT', stop);
    process.on('SIGINT', () => {});
    // The primary gone (killed): nothing supervises this worker any more, so it ends too.
    process.on('disconnect', stop);
    const idp = await startEmulator();
    closeAll = () => idp.close();
    announceReady(await factsOf(idp, settings().config));
    return;
  }
  const { config, rpPort, scheme } = settings();
  // Off with the emulator's (safe by default: ESIA_CONTROL=off leaves no control API anywhere), or by RP_CONTROL.
  const rpControl = { control: relyingPartyControl(env, config.controlEnabled) };
  const workerTotal = workerCount(env, args.workers, config);
  const pki = config.https ? await testPkiOf(config) : undefined;
  const rpTls = pki
    ? {
        tls: { key: pki.server('valid').privateKeyPem, cert: pki.serverCertificateChain('valid') },
        idpTrust: { ca: pki.root.certificatePem, requireOcsp: true },
        discoveryCacheMs: 0,
      }
    : {};
  if (args.reset) {
    const dir = resolve(config.dataDir);
    for (const file of ['emulator.json', 'register-fmrm.json', 'register-nmo-portal.json'])
      await rm(join(dir, file), { force: true });
    // On Redis the personas are there, not in the data file: the main run is written back to the fixtures.
    if (config.store !== 'lowdb') await resetMainRun(config);
    console.log(
      `Data in ${dir}${config.store === 'lowdb' ? '' : ` and the main run in ${printableUrl(config.store)}`} reset to the fixtures.`,
    );
    if (args.exit) return;
  }
  let workers: Workers<EmulatorFacts> | undefined;
  let facts: EmulatorFacts;
  if (workerTotal > 1) {
    workers = await startWorkers<EmulatorFacts>(workerTotal, (line) => console.error(`esia-emulator: ${line}`));
    const running = workers;
    closeAll = () => running.stop();
    facts = workers.list()[0]!.ready;
  } else {
    const idp = await startEmulator();
    closeAll = () => idp.close();
    facts = await factsOf(idp, config);
  }
  const idpUrl = facts.url;
  // ФМРМ's «НМО» tab reads the person's completed events from НМО, server to server, with this secret.
  const nmoLink = {
    nmoUrl: `${scheme}://localhost:${rpPort + 1}`,
    completedApiSecret: env.RP_COMPLETED_API_SECRET || nmoPortal.completedApiSecret,
  };
  // Notifications by e-mail go to the emulator's SMTP listener (its inboxes), unless RP_SMTP_URL names another server.
  const rpMail = env.RP_SMTP_URL === 'off' ? undefined : env.RP_SMTP_URL || facts.smtp;
  const mail = rpMail ? { smtpUrl: rpMail } : {};
  const rps: RunningRp[] =
    env.ESIA_RP === 'off'
      ? []
      : await Promise.all([
          startRp(
            rpConfig({
              port: rpPort,
              idpIssuer: idpUrl,
              dataDir: config.dataDir,
              host: config.host,
              ...rpTls,
              ...nmoLink,
              ...mail,
              ...rpControl,
            }),
          ),
          startRp(
            rpConfig({
              ...rpTls,
              ...mail,
              ...rpControl,
              port: rpPort + 1,
              idpIssuer: idpUrl,
              dataDir: config.dataDir,
              host: config.host,
              ...nmoPortal,
              completedApiSecret: nmoLink.completedApiSecret,
            }),
          ),
        ]);
  // The same ФМРМ speaking ESIA's own protocol (config/systems.json: FMRM01 current GOST, FMRM02 legacy PKCS#7).
  const esiaRps: RunningRp[] = [];
  if (env.ESIA_RP !== 'off') {
    const [gost, legacy] = await Promise.all([
      readTestSystemKeys(config.keysDir, 'FMRM01'),
      readTestSystemKeys(config.keysDir, 'FMRM02'),
    ]);
    // ESIA-protocol RPs stay on plain HTTP (their redirect URIs in config/systems.json are http), trusting the test root on the back-channel.
    const common = {
      idpIssuer: idpUrl,
      dataDir: config.dataDir,
      host: config.host,
      ...rpControl,
      title: 'ФМРМ',
      ...nmoLink,
      ...mail,
      ...(pki ? { idpTrust: rpTls.idpTrust! } : {}),
    };
    if (gost.gost) {
      esiaRps.push(
        await startRp(
          rpConfig({
            ...common,
            port: rpPort + 2,
            clientId: 'FMRM01',
            subtitle: 'через протокол ЕСИА (v2/ac + v3/te, ГОСТ)',
            esia: { version: 'v2', signer: { kind: 'raw', ...gost.gost } },
          }),
        ),
      );
    }
    if (legacy.rsa) {
      esiaRps.push(
        await startRp(
          rpConfig({
            ...common,
            port: rpPort + 3,
            clientId: 'FMRM02',
            subtitle: 'через протокол ЕСИА (ac + te, PKCS#7)',
            esia: { version: 'v1', signer: { kind: 'cms-rsa', ...legacy.rsa } },
          }),
        ),
      );
    }
    rps.push(...esiaRps);
  }
  const readyMs = performance.now() - started;

  const processes = workers
    ? workers
        .list()
        .map((w) => `${w.index}: pid ${w.pid}`)
        .join(', ')
    : `1 (pid ${process.pid})`;
  console.log(`
  ЭМУЛЯТОР ЕСИА — ТЕСТОВЫЙ СТЕНД (не настоящие Госуслуги)
  Emulator (OIDC issuer)   ${idpUrl}    discovery: ${idpUrl}/.well-known/openid-configuration
  Emulator processes       ${workers ? `${workerTotal} workers on one port (${processes}), primary pid ${process.pid}` : processes}
  Shared state             ${config.store === 'lowdb' ? `embedded file in ${resolve(config.dataDir)}` : `Redis ${printableUrl(config.store)} (keys ${config.redisPrefix}*)`}
  ФМРМ relying party       ${rps[0]?.url ?? 'off'}
  Second system (SSO)      ${rps[1]?.url ?? 'off'}
  ФМРМ over ESIA protocol  ${esiaRps.map((rp) => rp.url).join('  ') || 'off'}   (systems: config/systems.json, /__control/esia)
  Mutual-TLS sign-in       ${facts.tlsOrigin ?? 'off'}   (ESIA_MTLS_PORT; signing-plugin stand-in: ${idpUrl}/plugin)
  SMTP: ${facts.smtp ?? 'off'}   (mail into the inboxes: no TLS, no AUTH, header X-Esia-Run picks the run; ESIA_SMTP_PORT)
  Control API              ${config.controlEnabled ? `${idpUrl}/__control` : 'off'}
  Trainer gallery          ${config.controlEnabled ? `${idpUrl}/trainer` : 'off (needs the control API)'}
  Support console          ${config.supportEnabled ? `${idpUrl}/support   operators: operator, senior, trainer (password Operator-1234)` : 'off'}
  Data                     ${resolve(config.dataDir)}   listening on ${config.host}
  Test PKI                 ${idpUrl}/pki/root.crt  (CRL ${idpUrl}/pki/intermediate.crl, OCSP ${idpUrl}/pki/ocsp)${
    pki
      ? `
  HTTPS (TLS 1.3)          trust ${pki.root.certificateFile} — README «HTTPS»; TLS faults: POST ${idpUrl}/__control/tls`
      : ''
  }
  Ready in ${readyMs.toFixed(0)} ms
`);
  console.log('  Personas (any login works: phone, e-mail, СНИЛС or ИНН; SMS codes: GET /__control/inbox/sms)');
  for (const line of facts.personas) console.log(line);
  console.log('\n  Stop with Ctrl+C.');

  const emulators = closeAll;
  closeAll = () => Promise.all([emulators(), ...rps.map((rp) => rp.close())]);
}

// Ctrl+C and SIGTERM are handled from the first moment, not only once everything listens: a stop during
// start-up (the bench stops right after /__health/ready) still ends through process.exit, so what
// runs at exit runs (the V8 code cache of bundle.ts). What has fully started is closed first.
let closeAll: () => Promise<unknown> = async () => {};
let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  try {
    await closeAll();
  } finally {
    process.exit(0);
  }
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);

main().catch((error: Error) => {
  // Configuration and data-file problems are the user's to fix: say what, without a stack.
  const known =
    error instanceof ConfigFileError ||
    error instanceof WorkerStartError ||
    error instanceof DataFileError ||
    error instanceof StoreConnectError ||
    (error as NodeJS.ErrnoException).code === 'EADDRINUSE';
  console.error(`esia-emulator cannot start: ${known ? error.message : error.stack}`);
  process.exit(1);
});
