/*
 * ESIA_STORE and ESIA_REDIS_PREFIX: parsed like every other setting, with a clear error for a bad
 * value; and `npm start` (the real start script, as a child process) with a Redis that is not there
 * stops with one line naming the URL and a non-zero exit code.
 */
import test from 'ava';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configFromEnv, loadConfig } from '../idp/config/index.ts';
import { freePort } from '../scenarios/runner/stand.ts';

const keysDir = join(tmpdir(), 'esia-emulator-test-keys');

async function start(env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const dataDir = await mkdtemp(join(tmpdir(), 'esia-redis-start-'));
  try {
    const child = spawn(process.execPath, ['--import', 'tsx', 'start.ts'], {
      env: {
        ...process.env,
        ESIA_PORT: String(await freePort()),
        ESIA_DATA_DIR: dataDir,
        ESIA_KEYS_DIR: keysDir,
        ESIA_MTLS_PORT: 'off',
        ESIA_RP: 'off',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    const code = await new Promise<number | null>((ok) => child.once('exit', ok));
    clearTimeout(timer);
    // oidc-provider's own warning about Node 20 aside, stderr is what start-up said.
    const said = stderr
      .split('\n')
      .filter((line) => line && !line.startsWith('oidc-provider WARNING'))
      .join('\n');
    return { code, stdout, stderr: said };
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
}

test('ESIA_STORE defaults to lowdb and ESIA_REDIS_PREFIX to esia:; both are read from the environment', (t) => {
  const plain = loadConfig(configFromEnv({}));
  t.is(plain.store, 'lowdb');
  t.is(plain.redisPrefix, 'esia:');
  const redis = loadConfig(configFromEnv({ ESIA_STORE: 'redis://127.0.0.1:6380/2', ESIA_REDIS_PREFIX: 'stand-2:' }));
  t.is(redis.store, 'redis://127.0.0.1:6380/2');
  t.is(redis.redisPrefix, 'stand-2:');
});

test('a store that is neither lowdb nor a Redis URL is refused, saying what was expected', (t) => {
  for (const [value, why] of [
    ['postgres://db/esia', 'the scheme is postgres: instead of redis:'],
    ['redis-server', 'not a URL'],
    ['redis://127.0.0.1:6379/x', 'the database "x" is not a number 0–15'],
  ]) {
    const error = t.throws(() => loadConfig(configFromEnv({ ESIA_STORE: value })));
    t.is(
      error.message,
      `emulator settings (environment variables): ESIA_STORE: expected lowdb or a Redis URL such as redis://127.0.0.1:6379/0 (${why}), got "${value}"`,
    );
  }
});

test('a Redis key prefix with spaces or of more than 64 characters is refused', (t) => {
  for (const value of ['my stand', 'x'.repeat(65)]) {
    const error = t.throws(() => loadConfig(configFromEnv({ ESIA_REDIS_PREFIX: value })));
    t.regex(
      error.message,
      /^emulator settings \(environment variables\): ESIA_REDIS_PREFIX: expected up to 64 letters/,
    );
  }
});

test('npm start with ESIA_STORE naming a Redis that is not there: one line naming the URL, exit code 1', async (t) => {
  const url = `redis://127.0.0.1:${await freePort()}/0`;
  const { code, stdout, stderr } = await start({ ESIA_STORE: url });
  t.is(code, 1, stdout);
  t.is(stderr.trim(), `esia-emulator cannot start: Cannot reach Redis at ${url}: ECONNREFUSED`);
});

test('npm start with a malformed ESIA_STORE: the settings error, no stack, exit code 1', async (t) => {
  const { code, stderr } = await start({ ESIA_STORE: 'redis//127.0.0.1' });
  t.is(code, 1);
  t.is(
    stderr.trim(),
    'esia-emulator cannot start: emulator settings (environment variables): ESIA_STORE: expected lowdb or a Redis URL such as redis://127.0.0.1:6379/0 (not a URL), got "redis//127.0.0.1"',
  );
});
