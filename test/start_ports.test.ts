/*
 * `npm start` with other ports (RP_PORT, ESIA_PORT): the relying parties it starts are registered
 * where they really listen, so a sign-in through each of them completes — config/clients.json and
 * config/systems.json name :4000–:4003 and are not edited. The real start script, as a child process.
 */
import test from 'ava';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, freePortRange } from '../scenarios/runner/stand.ts';
import { signInThrough } from './helpers/sign_in.ts';
import { startScript } from './helpers/start_script.ts';

const keysDir = join(tmpdir(), 'esia-emulator-test-keys');

test('with RP_PORT and ESIA_PORT changed, a sign-in completes through ФМРМ, НМО and both ESIA-protocol ФМРМ, and ФМРМ e-mail reaches the printed SMTP listener', async (t) => {
  const [idpPort, rpPort] = [await freePort(), await freePortRange(4)];
  t.false([4000, 4001, 4002, 4003, 3000].includes(rpPort) || idpPort === 3000);
  const started = await startScript(t, [], { ESIA_PORT: String(idpPort), RP_PORT: String(rpPort) }, 50_000);
  const output = started.output();
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
  // The SMTP listener is printed, and ФМРМ's notifications reach it: npm start wires ФМРМ to it.
  t.regex(output, /SMTP: smtp:\/\/127\.0\.0\.1:\d+ /);
  const rp = `http://localhost:${rpPort}/__control`;
  const post = (path: string, body?: unknown) =>
    fetch(`${rp}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body ?? {}),
    });
  t.is(
    (
      await post('/notifications', {
        snils: '112-233-401 83',
        kind: 'check.upcoming',
        title: 'Проверка почты',
        text: 'Текст',
      })
    ).status,
    201,
  );
  await post('/mail/settled');
  const inbox = (await (await fetch(`${idp}/__control/inbox/email?to=ivanov@example.test`)).json()) as {
    messages: Array<{ subject?: string }>;
  };
  t.true(
    inbox.messages.some((m) => m.subject === 'Проверка почты'),
    JSON.stringify(inbox.messages),
  );
});

test('with ESIA_CONTROL=off the relying parties npm start runs have no control API either, unless RP_CONTROL=on', async (t) => {
  const [off, on] = [await freePortRange(4), await freePortRange(4)];
  await Promise.all([
    startScript(t, [], { ESIA_PORT: '0', RP_PORT: String(off), ESIA_CONTROL: 'off' }),
    startScript(t, [], { ESIA_PORT: '0', RP_PORT: String(on), ESIA_CONTROL: 'off', RP_CONTROL: 'on' }),
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
    ESIA_SMTP_PORT: '0',
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
