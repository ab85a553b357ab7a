/* The local secrets (keys/generate.ts): generated once, owner-only, and the same for processes that start at once. */
import test from 'ava';
import { spawn } from 'node:child_process';
import { readdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadOrCreateKeys } from '../keys/generate.ts';

const child = join(import.meta.dirname, 'helpers', 'keys_child.ts');

function start(dir: string, go: string) {
  const proc = spawn(process.execPath, ['--import', 'tsx', child, dir, go], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  proc.stdout.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const ready = new Promise<void>((ok, fail) => {
    const check = () => (out.includes('ready\n') ? ok() : undefined);
    proc.stdout.on('data', check);
    proc.once('exit', (code) => fail(new Error(`child exited ${code} before ready: ${err}`)));
  });
  const result = new Promise<string>((ok, fail) =>
    proc.once('exit', (code) =>
      code === 0 ? ok(out.split('\n')[1]!) : fail(new Error(`child exited ${code}: ${err}`)),
    ),
  );
  return { ready, result, kill: () => proc.kill('SIGKILL') };
}

test('processes generating keys at once on a new folder all end with the same keys, which stay on disk', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'esia-keys-race-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const go = join(dir, 'go');
  const keysDir = join(dir, 'keys');
  const children = Array.from({ length: 4 }, () => start(keysDir, go));
  t.teardown(() => {
    for (const c of children) c.kill();
  });
  await Promise.all(children.map((c) => c.ready));
  await writeFile(go, '');
  const results = await Promise.all(children.map((c) => c.result));
  t.is(new Set(results).size, 1, results.join('\n'));
  const onDisk = await loadOrCreateKeys(keysDir);
  t.is(
    JSON.stringify({ kid: onDisk.jwks.keys[0]?.kid, n: onDisk.jwks.keys[0]?.n, cookie: onDisk.cookieKeys[0] }),
    results[0],
  );
  t.deepEqual(
    (await readdir(keysDir)).toSorted(),
    ['cookie-keys.json', 'idp-signing.jwks.json'],
    'no lock or temp file left',
  );
  t.is((await stat(join(keysDir, 'idp-signing.jwks.json'))).mode & 0o777, 0o600);
});

test('--force rotates the keys; without it they are reused', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'esia-keys-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const first = await loadOrCreateKeys(dir);
  t.deepEqual(await loadOrCreateKeys(dir), first);
  const rotated = await loadOrCreateKeys(dir, true);
  t.not(rotated.jwks.keys[0]?.n, first.jwks.keys[0]?.n);
  t.not(rotated.cookieKeys[0], first.cookieKeys[0]);
  t.deepEqual(await loadOrCreateKeys(dir), rotated);
});
