/*
 * `npm start` with other ports (RP_PORT, ESIA_PORT): the relying parties it starts are registered
 * where they really listen, so a sign-in through each of them completes — config/clients.json and
 * config/systems.json name :4000–:4003 and are not edited. The real start script, as a child process.
 */
import test, { type ExecutionContext } from 'ava';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../scenarios/runner/stand.ts';
import { signInThrough } from './helpers/sign_in.ts';

const keysDir = join(tmpdir(), 'esia-emulator-test-keys');

const isFree = (port: number) =>
  new Promise<boolean>((ok) => {
    const server = createServer();
    server.once('error', () => ok(false));
    server.listen(port, '127.0.0.1', () => server.close(() => ok(true)));
  });

/** The first of `count` consecutive ports that are free now (RP_PORT … RP_PORT + 3). */
async function freeRange(count: number): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 20_000 + Math.floor(Math.random() * 40_000);
    const free = await Promise.all(Array.from({ length: count }, (_, i) => isFree(base + i)));
    if (free.every(Boolean)) return base;
  }
  throw new Error(`no ${count} consecutive free ports`);
}

/** The real start script as a child process with these variables, once it printed that it is ready. */
async function startScript(t: ExecutionContext, vars: Record<string, string>): Promise<string> {
  const dataDir = await mkdtemp(join(tmpdir(), 'esia-start-ports-'));
  const env = {
    ...process.env,
    ESIA_DATA_DIR: dataDir,
    ESIA_KEYS_DIR: keysDir,
    ESIA_MTLS_PORT: 'off',
    ESIA_LOG: 'off',
    ...vars,
  };
  const child = spawn(process.execPath, ['--import', 'tsx', 'start.ts'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  t.teardown(async () => {
    if (child.exitCode === null) {
      const exited = new Promise((ok) => child.once('exit', ok));
      child.kill('SIGTERM');
      await exited;
    }
    await rm(dataDir, { recursive: true, force: true });
  });
  let output = '';
  await new Promise<void>((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`npm start did not start in 50 s:\n${output}`)), 50_000);
    const read = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Stop with Ctrl+C.')) {
        clearTimeout(timer);
        ok();
      }
    };
    child.stdout.on('data', read);
    child.stderr.on('data', read);
    child.once('exit', (code) => fail(new Error(`npm start exited with ${code}:\n${output}`)));
  });
  return output;
}

test('with RP_PORT and ESIA_PORT changed, a sign-in completes through ФМРМ, НМО and both ESIA-protocol ФМРМ', async (t) => {
  const [idpPort, rpPort] = [await freePort(), await freeRange(4)];
  t.false([4000, 4001, 4002, 4003, 3000].includes(rpPort) || idpPort === 3000);
  const output = await startScript(t, { ESIA_PORT: String(idpPort), RP_PORT: String(rpPort) });
  const idp = `http://localhost:${idpPort}`;
  t.true(output.includes(`Emulator (OIDC issuer)   ${idp}`), output);
  t.is(
    ((await (await fetch(`${idp}/.well-known/openid-configuration`)).json()) as { issuer: string }).issuer,
    idp,
    'the issuer follows ESIA_PORT',
  );
  for (const [name, port] of [
    ['ФМРМ', rpPort],
    ['НМО', rpPort + 1],
    ['ФМРМ over ESIA v2 (GOST)', rpPort + 2],
    ['ФМРМ over ESIA v1 (PKCS#7)', rpPort + 3],
  ] as const) {
    const { screen, browser } = await signInThrough(`http://localhost:${port}`, idp);
    t.is(screen, 'cabinet', `${name} on :${port}: ${browser.errorCode()}`);
    if (port !== rpPort + 1) continue;
    // «Мои услуги» of the same session: the tiles lead where the relying parties really listen.
    await browser.goto(`${idp}/my/services`);
    t.deepEqual(
      browser.page?.root.querySelectorAll('[data-testid="service-tiles"] a').map((a) => a.getAttribute('href')),
      [`http://localhost:${rpPort}/login`, `http://localhost:${rpPort + 1}/login`],
    );
  }
  t.is(
    (await fetch(`http://localhost:${rpPort}/__control/clock`)).status,
    200,
    'the relying parties’ control API is on',
  );
});

test('with ESIA_CONTROL=off the relying parties npm start runs have no control API either, unless RP_CONTROL=on', async (t) => {
  const [off, on] = [await freeRange(4), await freeRange(4)];
  await Promise.all([
    startScript(t, { ESIA_PORT: '0', RP_PORT: String(off), ESIA_CONTROL: 'off' }),
    startScript(t, { ESIA_PORT: '0', RP_PORT: String(on), ESIA_CONTROL: 'off', RP_CONTROL: 'on' }),
  ]);
  for (const port of [off, off + 1, off + 2])
    t.is((await fetch(`http://localhost:${port}/__control/clock`)).status, 404, `:${port}`);
  t.is((await fetch(`http://localhost:${on}/__control/clock`)).status, 200);
});

test('an RP_PORT that is no port stops npm start with the variable named, without a stack', async (t) => {
  const env = {
    ...process.env,
    RP_PORT: '40o0',
    ESIA_PORT: '0',
    ESIA_DATA_DIR: await mkdtemp(join(tmpdir(), 'esia-start-ports-')),
    ESIA_KEYS_DIR: keysDir,
    ESIA_MTLS_PORT: 'off',
  };
  t.teardown(() => rm(env.ESIA_DATA_DIR, { recursive: true, force: true }));
  const child = spawn(process.execPath, ['--import', 'tsx', 'start.ts'], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise((ok) => child.once('exit', ok));
  t.is(code, 1);
  t.regex(
    stderr,
    /esia-emulator cannot start: emulator settings \(environment variables\): RP_PORT: expected a whole number from 1 to 65532, got "40o0"/,
  );
  t.false(/\n\s+at /.test(stderr), 'no stack trace');
});
