/*
 * `npm start -- --workers N` (or ESIA_WORKERS): the real start script as a child process. Without a
 * shared store several processes are refused at start; the running case is in start_workers_redis.test.ts.
 */
import test from 'ava';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const keysDir = join(tmpdir(), 'esia-emulator-test-keys');

async function startFails(
  args: string[],
  extra: Record<string, string>,
): Promise<{ code: number | null; stderr: string }> {
  const dataDir = await mkdtemp(join(tmpdir(), 'esia-start-workers-'));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ESIA_PORT: '0',
    ESIA_RP: 'off',
    ESIA_MTLS_PORT: 'off',
    ESIA_SMTP_PORT: '0',
    ESIA_DATA_DIR: join(dataDir, 'data'),
    ESIA_KEYS_DIR: keysDir,
    ...extra,
  };
  delete env.ESIA_STORE;
  try {
    const child = spawn(process.execPath, ['--import', 'tsx', 'start.ts', ...args], {
      env,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((ok) => child.once('exit', ok));
    if (existsSync(join(dataDir, 'data', 'emulator.json'))) stderr += '\n(it created a data file)';
    return { code, stderr };
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
}

for (const [how, args, env] of [
  ['--workers 2', ['--workers', '2'], {}],
  ['ESIA_WORKERS=2', [], { ESIA_WORKERS: '2' }],
] as const) {
  test.serial(
    `${how} without ESIA_STORE=redis://… stops npm start with a clear message, before any process starts`,
    async (t) => {
      t.timeout(120_000);
      const { code, stderr } = await startFails([...args], env);
      t.is(code, 1, stderr);
      t.regex(
        stderr,
        new RegExp(
          `esia-emulator cannot start: emulator settings \\(environment variables\\): ${how.startsWith('--') ? '--workers' : 'ESIA_WORKERS'}: expected 1 unless ESIA_STORE=redis://host:port/db is set: 2 processes cannot share the embedded data file`,
        ),
      );
      t.false(/\n\s+at /.test(stderr), 'no stack trace');
      t.false(stderr.includes('created a data file'), stderr);
    },
  );
}

test.serial('--workers that is no count is refused with the accepted range', async (t) => {
  t.timeout(120_000);
  const { code, stderr } = await startFails(['--workers', 'two'], {});
  t.is(code, 1, stderr);
  t.regex(stderr, /--workers: expected a whole number from 1 to 64, got "two"/);
});
