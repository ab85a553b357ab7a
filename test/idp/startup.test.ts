/* Start-up: readiness is honest, a corrupt data file is reported and kept, a second process is refused. */
import test from 'ava';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { verifyPassword } from '../../idp/adapters/password_hash.ts';
import { startIdp } from '../../idp/app.ts';
import { loadConfig } from '../../idp/config/index.ts';
import { loadOrCreateKeys } from '../../keys/generate.ts';
import { freePort } from '../../scenarios/runner/stand.ts';

const run = promisify(execFile);
const keysDir = join(tmpdir(), 'esia-emulator-test-keys');

/** config/personas.json with a password never used before for every persona, written into `dir`. */
async function personasWithNewPasswords(dir: string): Promise<string> {
  const fixtures = JSON.parse(await readFile('config/personas.json', 'utf8')) as {
    personas: Array<{ password: string }>;
  };
  const nonce = randomUUID();
  for (const p of fixtures.personas) p.password = `${p.password}-${nonce}`;
  const file = join(dir, 'personas.json');
  await writeFile(file, JSON.stringify(fixtures));
  return file;
}

test('a corrupt data file stops start-up with its path named, and is left untouched', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'esia-corrupt-'));
  const file = join(dir, 'emulator.json');
  await writeFile(file, '{"version":1,"accounts":[');
  const error = await t.throwsAsync(
    startIdp(loadConfig({ port: 0, dataDir: dir, keysDir, log: false }), await loadOrCreateKeys(keysDir)),
  );
  t.is(error?.name, 'DataFileError');
  t.true(error?.message.includes(file));
  t.is(await readFile(file, 'utf8'), '{"version":1,"accounts":[');
});

const wrongShapes: Array<[string, RegExp]> = [
  ['{"version":1,"accounts":"oops"}', /emulator\.json: accounts: expected a list of accounts, got "oops"/],
  ['{"accounts":[]}', /emulator\.json: version: expected 1, it is missing/],
  ['{"version":1,"accounts":[42]}', /emulator\.json: accounts\[0\]: expected an account object, got 42/],
  [
    '{"version":1,"accounts":[{"oid":"1000000001","persona":"ivanov"}]}',
    /emulator\.json: accounts\[0\]\.phone: expected a string, it is missing/,
  ],
];

test('a data file of the right syntax but the wrong shape stops start-up naming the file and the field, and is left untouched', async (t) => {
  for (const [content, reason] of wrongShapes) {
    const dir = await mkdtemp(join(tmpdir(), 'esia-shape-'));
    const file = join(dir, 'emulator.json');
    await writeFile(file, content);
    const error = await t.throwsAsync(
      startIdp(loadConfig({ port: 0, dataDir: dir, keysDir, log: false }), await loadOrCreateKeys(keysDir)),
    );
    t.is(error?.name, 'DataFileError', content);
    t.true(error?.message.includes(file), content);
    t.regex(error?.message ?? '', reason);
    t.is(await readFile(file, 'utf8'), content);
  }
});

test('npm start on a data folder in use by another process is refused with a clear message', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'esia-locked-'));
  const first = await startIdp(
    loadConfig({ port: 0, dataDir: dir, keysDir, log: false }),
    await loadOrCreateKeys(keysDir),
  );
  try {
    const env = {
      ...process.env,
      ESIA_DATA_DIR: dir,
      ESIA_KEYS_DIR: keysDir,
      ESIA_PORT: '0',
      ESIA_SMTP_PORT: '0',
      ESIA_RP: 'off',
    };
    const error = await t.throwsAsync(run(process.execPath, ['--import', 'tsx', 'start.ts'], { env, timeout: 30_000 }));
    const stderr = String((error as { stderr?: string }).stderr);
    t.regex(stderr, /in use by another emulator process \(pid \d+/);
    t.false(/\n\s+at /.test(stderr), 'no stack trace');
  } finally {
    await first.close();
  }
});

test('persona changes survive a restart; the data file holds hashes, never clear passwords', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'esia-persist-'));
  const config = loadConfig({ port: 0, dataDir: dir, keysDir, log: false });
  const first = await startIdp(config, await loadOrCreateKeys(keysDir));
  await fetch(`${first.url}/__control/accounts/ivanov`, {
    method: 'PATCH',
    headers: { 'content-type': 'application/json' },
    body: '{"trust":"standard"}',
  });
  await first.close();
  const raw = await readFile(join(dir, 'emulator.json'), 'utf8');
  t.false(raw.includes('Test-1234'));
  t.regex(raw, /scrypt\$1024\$8\$1\$/);
  const second = await startIdp(config, await loadOrCreateKeys(keysDir));
  try {
    const personas = (await (await fetch(`${second.url}/__control/personas`)).json()) as Array<{
      persona: string;
      state: { trust: string };
    }>;
    t.is(personas.find((p) => p.persona === 'ivanov')?.state.trust, 'standard');
  } finally {
    await second.close();
  }
});

test('readiness answers 503 until keys, fixtures and the store are loaded, then 200', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'esia-ready-'));
  // A costly hash makes loading slow enough to observe the not-ready phase. Passwords no earlier run
  // hashed: the keys folder keeps the hashes of those it has seen (idp/adapters/fixture_hashes.ts).
  const fixturesFile = await personasWithNewPasswords(dir);
  const port = await freePort();
  const pending = startIdp(
    loadConfig({ port, dataDir: dir, keysDir, fixturesFile, log: false, scryptN: 1 << 15 }),
    await loadOrCreateKeys(keysDir),
  );
  let sawNotReady = false;
  for (let i = 0; i < 200 && !sawNotReady; i++) {
    const res = await fetch(`http://127.0.0.1:${port}/__health/ready`).catch(() => null);
    if (res?.status === 503) sawNotReady = true;
    await new Promise((r) => setTimeout(r, 2));
  }
  const idp = await pending;
  try {
    t.true(sawNotReady);
    t.is((await fetch(`${idp.url}/__health/ready`)).status, 200);
  } finally {
    await idp.close();
  }
});

test('a start on a new data folder reuses the password hashes an earlier start made, and hashes a changed password anew', async (t) => {
  const fixturesDir = await mkdtemp(join(tmpdir(), 'esia-hashes-'));
  const fixturesFile = await personasWithNewPasswords(fixturesDir);
  const hashOf = async (dataDir: string, persona: string) => {
    const idp = await startIdp(
      loadConfig({ port: 0, dataDir, keysDir, fixturesFile, log: false }),
      await loadOrCreateKeys(keysDir),
    );
    await idp.close();
    const data = JSON.parse(await readFile(join(dataDir, 'emulator.json'), 'utf8')) as {
      accounts: Array<{ persona: string; passwordHash: string }>;
    };
    return data.accounts.find((a) => a.persona === persona)!.passwordHash;
  };
  const first = await hashOf(await mkdtemp(join(tmpdir(), 'esia-hashes-a-')), 'ivanov');
  t.is(
    await hashOf(await mkdtemp(join(tmpdir(), 'esia-hashes-b-')), 'ivanov'),
    first,
    'the same salted hash: taken from the keys folder, not computed again',
  );
  const cache = await readFile(join(keysDir, 'fixture-hashes.json'), 'utf8');
  t.true(cache.includes(first));
  t.false(cache.includes('Test-1234'), 'no clear password in the keys folder');

  const fixtures = JSON.parse(await readFile(fixturesFile, 'utf8')) as {
    personas: Array<{ persona: string; password: string }>;
  };
  fixtures.personas.find((p) => p.persona === 'ivanov')!.password = 'Changed-5678';
  await writeFile(fixturesFile, JSON.stringify(fixtures));
  const changed = await hashOf(await mkdtemp(join(tmpdir(), 'esia-hashes-c-')), 'ivanov');
  t.not(changed, first);
  t.true(await verifyPassword('Changed-5678', changed));
  t.false(await verifyPassword(fixtures.personas[1]!.password, changed));
});

test('npm start with a bad configuration file names the file, the field and what was expected, without a stack', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'esia-badconfig-'));
  const files: Array<[string, string, RegExp]> = [
    [
      'ESIA_ORGANISATIONS',
      '{"organisations": 5}',
      /organisations\.json: organisations: expected a list of organisations/,
    ],
    [
      'ESIA_SYSTEMS',
      '{"systems": [{"client_id": "FMRM01", "certificates": ["generated:rsa"]}]}',
      /systems\.json: systems\[0\]\.redirect_uris: expected at least one URL/,
    ],
    [
      'ESIA_CLIENTS',
      '{"clients": [{"client_id": "fmrm", "redirect_uris": "http://localhost:8080/callback"}]}',
      /clients\.json: clients\[0\]\.redirect_uris: expected a list of URLs such as .*, got "http:\/\/localhost:8080\/callback"/,
    ],
    ['ESIA_OPERATORS', '{"operators": [', /operators\.json: expected a readable JSON file/],
  ];
  for (const [variable, content, reason] of files) {
    const file = join(dir, `${variable.slice(5).toLowerCase()}.json`);
    await writeFile(file, content);
    const env = {
      ...process.env,
      ESIA_DATA_DIR: join(dir, variable),
      ESIA_KEYS_DIR: keysDir,
      ESIA_PORT: '0',
      ESIA_SMTP_PORT: '0',
      ESIA_RP: 'off',
      [variable]: file,
    };
    const error = await t.throwsAsync(run(process.execPath, ['--import', 'tsx', 'start.ts'], { env, timeout: 30_000 }));
    const stderr = String((error as { stderr?: string }).stderr);
    t.regex(stderr, /esia-emulator cannot start: /, variable);
    t.regex(stderr, reason, variable);
    t.false(/\n\s+at /.test(stderr), `${variable}: no stack trace`);
  }
});
