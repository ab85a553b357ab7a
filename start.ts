/*
 * `npm start`: the emulator (http://localhost:3000), the ФМРМ relying party (:4000) and a second
 * state system (:4001, for SSO) in one process, with the data file and keys created on first run.
 * Prints where everything is and the personas to sign in as. Environment variables: README.md.
 * `--https` (or ESIA_HTTPS=1): everything over TLS 1.3 with certificates of the test PKI.
 */
import { rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { readPersonaFixtures } from './idp/adapters/account_repository.ts';
import { startIdp, testPkiOf } from './idp/app.ts';
import { configFromEnv, loadConfig, relyingPartyControl, relyingPartyPort } from './idp/config/index.ts';
import { readTestSystemKeys } from './idp/esia/systems.ts';
import { rpConfig } from './relying-party/config.ts';
import { startRp, type RunningRp } from './relying-party/server.ts';
import { trainerRoutes } from './trainer/routes.ts';
import { parseCli } from './lib/cli.ts';
import { ConfigFileError } from './lib/errors.ts';
import { DataFileError } from './lib/store/json_file.ts';

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
  },
});
const env = process.env;

async function main(): Promise<void> {
  const fromEnv = configFromEnv(env);
  // HTTPS: ESIA_HTTPS=1 or --https. The relying parties then serve HTTPS too and trust the test root.
  const config = loadConfig({ ...fromEnv, ...(args.https ? { https: true } : {}) });
  const pki = config.https ? await testPkiOf(config) : undefined;
  const rpTls = pki
    ? {
        tls: { key: pki.server('valid').privateKeyPem, cert: pki.serverCertificateChain('valid') },
        idpTrust: { ca: pki.root.certificatePem, requireOcsp: true },
        discoveryCacheMs: 0,
      }
    : {};
  const scheme = config.https ? 'https' : 'http';
  if (args.reset) {
    const dir = resolve(config.dataDir);
    for (const file of ['emulator.json', 'register-fmrm.json', 'register-nmo-portal.json'])
      await rm(join(dir, file), { force: true });
    console.log(`Data in ${dir} reset to the fixtures.`);
    if (args.exit) return;
  }
  const rpPort = relyingPartyPort(env);
  // Off with the emulator's (safe by default: ESIA_CONTROL=off leaves no control API anywhere), or by RP_CONTROL.
  const rpControl = { control: relyingPartyControl(env, config.controlEnabled) };
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
  const trainer = config.controlEnabled
    ? [
        trainerRoutes({
          rpUrl: `${scheme}://localhost:${rpPort}`,
          rp2Url: `${scheme}://localhost:${rpPort + 1}`,
          shotsDir: resolve('out/gallery/shots'),
        }),
      ]
    : [];
  const idp = await startIdp({ ...config, clientOrigins }, undefined, trainer);
  closeAll = () => idp.close();
  const rps: RunningRp[] =
    env.ESIA_RP === 'off'
      ? []
      : await Promise.all([
          startRp(
            rpConfig({
              port: rpPort,
              idpIssuer: idp.url,
              dataDir: config.dataDir,
              host: config.host,
              ...rpTls,
              ...rpControl,
            }),
          ),
          startRp(
            rpConfig({
              ...rpTls,
              ...rpControl,
              port: rpPort + 1,
              idpIssuer: idp.url,
              dataDir: config.dataDir,
              host: config.host,
              clientId: 'nmo-portal',
              portal: 'nmo',
              clientSecret: 'nmo-local-test-secret',
              title: 'Портал НМО',
              titleGenitive: 'Портала НМО',
              subtitle: 'Непрерывное медицинское образование',
              requiredTrust: 'standard',
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
      idpIssuer: idp.url,
      dataDir: config.dataDir,
      host: config.host,
      ...rpControl,
      title: 'ФМРМ',
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

  const passwords = new Map((await readPersonaFixtures(config.fixturesFile)).map((p) => [p.persona, p.password]));
  console.log(`
  ЭМУЛЯТОР ЕСИА — ТЕСТОВЫЙ СТЕНД (не настоящие Госуслуги)
  Emulator (OIDC issuer)   ${idp.url}    discovery: ${idp.url}/.well-known/openid-configuration
  ФМРМ relying party       ${rps[0]?.url ?? 'off'}
  Second system (SSO)      ${rps[1]?.url ?? 'off'}
  ФМРМ over ESIA protocol  ${esiaRps.map((rp) => rp.url).join('  ') || 'off'}   (systems: config/systems.json, /__control/esia)
  Mutual-TLS sign-in       ${idp.idp.services.esign.tlsOrigin ?? 'off'}   (ESIA_MTLS_PORT; signing-plugin stand-in: ${idp.url}/plugin)
  Control API              ${config.controlEnabled ? `${idp.url}/__control` : 'off'}
  Trainer gallery          ${config.controlEnabled ? `${idp.url}/trainer` : 'off (needs the control API)'}
  Support console          ${config.supportEnabled ? `${idp.url}/support   operators: operator, senior, trainer (password Operator-1234)` : 'off'}
  Data                     ${resolve(config.dataDir)}   listening on ${config.host}
  Test PKI                 ${idp.url}/pki/root.crt  (CRL ${idp.url}/pki/intermediate.crl, OCSP ${idp.url}/pki/ocsp)${
    pki
      ? `
  HTTPS (TLS 1.3)          trust ${pki.root.certificateFile} — README «HTTPS»; TLS faults: POST ${idp.url}/__control/tls`
      : ''
  }
  Ready in ${readyMs.toFixed(0)} ms
`);
  console.log('  Personas (any login works: phone, e-mail, СНИЛС or ИНН; SMS codes: GET /__control/inbox/sms)');
  for (const a of idp.idp.services.runs.main.accounts.all()) {
    console.log(
      `  ${a.persona.padEnd(11)} ${a.phone}  ${(passwords.get(a.persona) ?? '').padEnd(10)} ${a.catalogue.join(',').padEnd(8)} ${a.demonstrates}`,
    );
  }
  console.log('\n  Stop with Ctrl+C.');

  closeAll = () => Promise.all([idp.close(), ...rps.map((rp) => rp.close())]);
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
    error instanceof DataFileError ||
    (error as NodeJS.ErrnoException).code === 'EADDRINUSE';
  console.error(`esia-emulator cannot start: ${known ? error.message : error.stack}`);
  process.exit(1);
});
