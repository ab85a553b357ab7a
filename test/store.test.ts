/*
 * lib/store: the JSON data file must survive crashes, never be overwritten when it is corrupt, be
 * owned by one process at a time, and not be rewritten on every change. Each test has its own
 * temp folder; the crash test SIGKILLs a real child process mid-write.
 */
import test from 'ava';
import type { ExecutionContext } from 'ava';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as delay } from 'node:timers/promises';
import { acquireLock, DataFileError, writeJsonFileAtomic } from '../lib/store/json_file.ts';
import { Store } from '../lib/store/store.ts';

interface Data {
  counter: number;
  items: string[];
}

const initial = (): Data => ({ counter: 0, items: [] });
const projectRoot = fileURLToPath(new URL('..', import.meta.url));
const childScript = fileURLToPath(new URL('helpers/store_child.ts', import.meta.url));

async function tempDir(t: ExecutionContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'esia-store-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

async function openStore(t: ExecutionContext, path: string, flushDelayMs = 10): Promise<Store<Data>> {
  const store = await Store.open<Data>(path, initial, { flushDelayMs });
  t.teardown(() => store.close().catch(() => {}));
  return store;
}

const readJson = async (path: string): Promise<unknown> => JSON.parse(await readFile(path, 'utf8'));

async function until(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await delay(5);
  }
}

// Child running test/helpers/store_child.ts; collects its stdout lines.
function spawnChild(mode: 'churn' | 'idle', dataFile: string) {
  const child = spawn(process.execPath, ['--import', 'tsx', childScript, mode, dataFile], {
    cwd: projectRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  let stderr = '';
  let partial = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    const parts = (partial + chunk).split('\n');
    partial = parts.pop() ?? '';
    lines.push(...parts);
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  // 'close' (not 'exit'): all output has been read by then.
  const closed = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return { child, lines, closed, stderr: () => stderr };
}

async function pidOfExitedProcess(): Promise<number> {
  const child: ChildProcess = spawn(process.execPath, ['-e', '']);
  await new Promise((resolve) => child.on('exit', resolve));
  return child.pid!;
}

test('creates the file with initial data on first open and reads it back on reopen', async (t) => {
  const path = join(await tempDir(t), 'nested', 'db.json');
  const first = await openStore(t, path);
  t.deepEqual(await readJson(path), initial(), 'file written at once, before any change');
  t.is(first.writes, 1);
  first.data.counter = 5;
  first.data.items.push('a');
  first.changed();
  await first.close();

  let initialCalls = 0;
  const second = await Store.open<Data>(path, () => (initialCalls++, initial()), { flushDelayMs: 10 });
  t.teardown(() => second.close());
  t.deepEqual(second.data, { counter: 5, items: ['a'] });
  t.is(initialCalls, 0, 'initial() is only for a missing file');
  t.is(second.writes, 0);
});

test('a burst of 1000 changed() calls produces only a few writes, and flush() has the final data on disk', async (t) => {
  const path = join(await tempDir(t), 'db.json');
  const store = await openStore(t, path, 20);
  for (let i = 1; i <= 1000; i++) {
    store.data.counter = i;
    store.data.items.push(`item ${i}`);
    store.changed();
  }
  await store.flush();
  t.true(store.writes <= 3, `writes: ${store.writes}`);
  const onDisk = (await readJson(path)) as Data;
  t.is(onDisk.counter, 1000);
  t.is(onDisk.items.length, 1000);
  const before = store.writes;
  await store.flush();
  t.is(store.writes, before, 'flush() with nothing dirty does not write');
});

test('changed() alone persists after flushDelayMs; changes during a running write get exactly one more write', async (t) => {
  const path = join(await tempDir(t), 'db.json');
  const store = await openStore(t, path, 10);
  store.data.counter = 1;
  store.changed();
  await until(() => store.writes === 2);
  t.is(((await readJson(path)) as Data).counter, 1);

  store.data.items = Array.from({ length: 2000 }, (_, i) => `padding ${i} `.repeat(20)); // a slower write
  store.changed();
  const firstWrite = store.flush(); // write running now
  for (let i = 2; i <= 100; i++) {
    store.data.counter = i;
    store.changed();
  }
  await firstWrite;
  t.is(store.writes, 3);
  await until(() => store.writes === 4);
  await delay(100);
  t.is(store.writes, 4, 'exactly one follow-up write');
  t.is(((await readJson(path)) as Data).counter, 100);
});

test('replace() swaps the data and persists it; close() is idempotent and releases the lock', async (t) => {
  const path = join(await tempDir(t), 'db.json');
  const store = await openStore(t, path);
  store.replace({ counter: 42, items: ['reset'] });
  await Promise.all([store.close(), store.close()]);
  await store.close();
  t.deepEqual(await readJson(path), { counter: 42, items: ['reset'] });
  await t.throwsAsync(readFile(`${path}.lock`), { code: 'ENOENT' });
});

test('a corrupt file makes open() throw kind "corrupt" naming the path, and is left byte-for-byte untouched', async (t) => {
  const dir = await tempDir(t);
  for (const [name, bytes] of [
    ['broken.json', '{"counter": 1,, "items": []'],
    ['empty.json', ''],
    ['array.json', '[1, 2, 3]'],
  ] as const) {
    const path = join(dir, name);
    await writeFile(path, bytes);
    const err = await t.throwsAsync(Store.open<Data>(path, initial, { flushDelayMs: 10 }), {
      instanceOf: DataFileError,
    });
    t.is(err?.kind, 'corrupt', name);
    t.is(err?.path, path);
    t.true(err?.message.includes(path), err?.message);
    t.regex(err?.message ?? '', /left untouched.*npm run reset/);
    t.is(await readFile(path, 'utf8'), bytes, `${name} unchanged`);
    await t.throwsAsync(readFile(`${path}.lock`), { code: 'ENOENT' }, 'lock released after a failed open');
  }
});

test('a second open() of a locked file throws kind "locked" naming the pid; after close() it opens again', async (t) => {
  const path = join(await tempDir(t), 'db.json');
  const first = await openStore(t, path);
  const err = await t.throwsAsync(Store.open<Data>(path, initial, { flushDelayMs: 10 }), { instanceOf: DataFileError });
  t.is(err?.kind, 'locked');
  t.true(err?.message.includes(`pid ${process.pid}`), err?.message);
  t.true(err?.message.includes(path), err?.message);

  await first.close();
  const again = await openStore(t, path);
  t.deepEqual(again.data, initial());
});

test('a file held by another live process is reported as locked with that pid', async (t) => {
  const path = join(await tempDir(t), 'db.json');
  const churn = spawnChild('churn', path);
  t.teardown(() => churn.child.kill('SIGKILL'));
  await until(() => churn.lines.some((l) => l.startsWith('flushed')), 20_000).catch(() => {
    throw new Error(`child did not start: ${churn.stderr()}`);
  });
  const err = await t.throwsAsync(Store.open<Data>(path, initial, { flushDelayMs: 10 }), { instanceOf: DataFileError });
  t.is(err?.kind, 'locked');
  t.true(err?.message.includes(`pid ${churn.child.pid}`), err?.message);
  t.regex(err?.message ?? '', /ESIA_DATA_DIR/);
});

test('with waitMs, a held lock is waited for: one of this process until released, one of another process until it dies', async (t) => {
  const path = join(await tempDir(t), 'db.json');
  const release = await acquireLock(path);
  let taken = false;
  const waiting = acquireLock(path, { waitMs: 5000 }).then((r) => ((taken = true), r));
  await delay(300);
  t.false(taken, 'held by this process until released');
  await release();
  await (await waiting)();

  // A lock of another live process (a plain node that sleeps: quicker to start than a Store child).
  const holder = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)']);
  t.teardown(() => holder.kill('SIGKILL'));
  await writeFile(
    `${path}.lock`,
    JSON.stringify({ pid: holder.pid, startedAt: new Date().toISOString(), host: hostname() }),
  );
  const err = await t.throwsAsync(acquireLock(path, { waitMs: 300 }), { instanceOf: DataFileError });
  t.is(err?.kind, 'locked', 'still held once the wait is over');
  const afterDeath = acquireLock(path, { waitMs: 20_000 });
  await delay(200);
  holder.kill('SIGKILL');
  await new Promise((resolve) => holder.on('exit', resolve));
  const releaseAfterDeath = await afterDeath;
  t.is(((await readJson(`${path}.lock`)) as { pid: number }).pid, process.pid);
  await releaseAfterDeath();
});

test('a stale lock left by a dead process is taken over, including an empty one', async (t) => {
  const dir = await tempDir(t);
  const deadPid = await pidOfExitedProcess();

  const path = join(dir, 'db.json');
  await writeFile(
    `${path}.lock`,
    JSON.stringify({ pid: deadPid, startedAt: new Date().toISOString(), host: hostname() }),
  );
  const store = await openStore(t, path);
  t.is(((await readJson(`${path}.lock`)) as { pid: number }).pid, process.pid);
  await store.close();

  const emptyLockPath = join(dir, 'other.json');
  await writeFile(`${emptyLockPath}.lock`, ''); // killed between creating and writing the lock
  const other = await openStore(t, emptyLockPath);
  t.is(((await readJson(`${emptyLockPath}.lock`)) as { pid: number }).pid, process.pid);
  await other.close();
  t.deepEqual(await readdir(dir), ['db.json', 'other.json'], 'no lock or takeover leftovers');
});

test('several processes taking over one stale lock at once: exactly one wins, the others report it locked', async (t) => {
  const dir = await tempDir(t);
  for (const [name, lock] of [
    [
      'dead.json',
      JSON.stringify({ pid: await pidOfExitedProcess(), startedAt: new Date().toISOString(), host: hostname() }),
    ],
    ['empty.json', ''],
  ] as const) {
    const path = join(dir, name);
    await writeFile(`${path}.lock`, lock);
    const runs = Array.from({ length: 6 }, () => spawnChild('churn', path));
    t.teardown(() => {
      for (const run of runs) run.child.kill('SIGKILL');
    });
    const outcomes = await Promise.all(
      runs.map(async (run) => {
        await until(() => run.lines.some((l) => l.startsWith('ready')) || run.child.exitCode !== null, 30_000);
        return run.lines.some((l) => l.startsWith('ready'))
          ? 'ready'
          : /in use by another emulator process/.test(run.stderr())
            ? 'locked'
            : run.stderr();
      }),
    );
    for (const run of runs) run.child.kill('SIGKILL');
    t.deepEqual(outcomes.toSorted(), ['locked', 'locked', 'locked', 'locked', 'locked', 'ready'], name);
  }
});

test('release() only removes the lock while it is still ours', async (t) => {
  const path = join(await tempDir(t), 'db.json');
  const release = await acquireLock(path);
  const foreign = JSON.stringify({ pid: 1, startedAt: 'x', host: 'elsewhere' });
  await writeFile(`${path}.lock`, foreign);
  await release();
  t.is(await readFile(`${path}.lock`, 'utf8'), foreign);
});

test('a failed background write is reported through onError, keeps the data dirty, and is retried on the next flush', async (t) => {
  const path = join(await tempDir(t), 'db.json');
  const errors: unknown[] = [];
  const store = await Store.open<Data>(path, initial, { flushDelayMs: 5, onError: (err) => errors.push(err) });
  t.teardown(() => store.close().catch(() => {}));
  // A non-empty folder where the file should be makes the rename fail, even for root.
  await rm(path);
  await mkdir(join(path, 'blocker'), { recursive: true });
  store.data.counter = 7;
  store.changed();
  await until(() => errors.length === 1);
  t.true(errors[0] instanceof DataFileError && errors[0].kind === 'io', String(errors[0]));
  t.true((errors[0] as Error).message.includes(path));
  await delay(50);
  t.is(errors.length, 1, 'no retry loop without a new change');
  await t.throwsAsync(store.flush(), { instanceOf: DataFileError }, 'an explicit flush reports to its caller');

  await rm(path, { recursive: true });
  await store.flush();
  t.is(((await readJson(path)) as Data).counter, 7);
  t.deepEqual(
    (await readdir(join(path, '..'))).sort(),
    ['db.json', 'db.json.lock'],
    'no temp files left by failed writes',
  );
});

test('a pending flush timer does not keep the process alive', async (t) => {
  const path = join(await tempDir(t), 'db.json');
  const child = spawnChild('idle', path);
  t.teardown(() => child.child.kill('SIGKILL'));
  const code = await Promise.race([child.closed, delay(20_000, 'timeout' as const, { ref: false })]);
  t.is(code, 0, child.stderr());
  t.deepEqual(child.lines, [`ready ${child.child.pid}`]);
});

test('open() removes temp files left by killed writers of this file, and nothing else', async (t) => {
  const dir = await tempDir(t);
  const path = join(dir, 'db.json');
  await writeFile(join(dir, '.db.json.4242.7.0a1b2c3d.tmp'), '{"torn":');
  await writeFile(join(dir, '.other.json.4242.7.0a1b2c3d.tmp'), '{}');
  await writeFile(join(dir, 'notes.tmp'), 'keep');
  await openStore(t, path);
  t.deepEqual((await readdir(dir)).sort(), ['.other.json.4242.7.0a1b2c3d.tmp', 'db.json', 'db.json.lock', 'notes.tmp']);
});

test('writeJsonFileAtomic leaves no temp files behind, also with concurrent writers', async (t) => {
  const dir = await tempDir(t);
  const path = join(dir, 'sub', 'file.json');
  await Promise.all(Array.from({ length: 20 }, (_, i) => writeJsonFileAtomic(path, { i, pad: 'y'.repeat(10_000) })));
  await writeJsonFileAtomic(path, { i: 'last' });
  t.deepEqual(await readdir(join(dir, 'sub')), ['file.json']);
  t.deepEqual(await readJson(path), { i: 'last' });
});

test('crash safety: SIGKILL at random moments mid-write never leaves a torn or stale file', async (t) => {
  const dir = await tempDir(t);
  const path = join(dir, 'db.json');
  let lastSeen = 0;
  for (let round = 1; round <= 5; round++) {
    const run = spawnChild('churn', path);
    t.teardown(() => run.child.kill('SIGKILL'));
    try {
      await until(() => run.lines.some((l) => l.startsWith('flushed')), 20_000);
    } catch {
      t.fail(`round ${round}: child did not start (stale lock not taken over?): ${run.stderr()}`);
      return;
    }
    await delay(20 + Math.floor(Math.random() * 130));
    run.child.kill('SIGKILL');
    await run.closed;

    const flushed = run.lines.filter((l) => l.startsWith('flushed ')).map((l) => Number(l.slice(8)));
    const lastFlushed = flushed.at(-1)!;
    t.is(flushed[0], lastSeen + 1, `round ${round}: continued from the persisted counter`);
    const data = JSON.parse(await readFile(path, 'utf8')) as { counter: number; items: { n: number; pad: string }[] };
    // The write after the last printed line may or may not have completed; nothing else is possible.
    t.true(
      data.counter === lastFlushed || data.counter === lastFlushed + 1,
      `round ${round}: counter ${data.counter}, last flushed ${lastFlushed}`,
    );
    t.is(data.items.length, Math.min(data.counter, 300));
    t.true(
      data.items.every((item, i) => item.n === data.counter - data.items.length + 1 + i && item.pad.length === 1000),
      `round ${round}: items form one consistent state`,
    );
    const torn = (await readdir(dir)).filter((name) => name.endsWith('.tmp')).length; // kills that hit mid-write
    t.log(
      `round ${round}: ${flushed.length} writes before the kill, counter ${data.counter}, ${torn} temp file(s) left`,
    );
    lastSeen = data.counter;
  }

  const store = await openStore(t, path);
  t.is(store.data.counter, lastSeen);
  await store.close();
  t.deepEqual(await readdir(dir), ['db.json'], 'temp files of killed writers are cleaned up on open, lock released');
});
