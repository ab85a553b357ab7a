/*
 * lib/store group commit: a change awaited with durable() (or durableChanges() in a write scope) is
 * on disk when the wait ends, concurrent waiters share writes, a scope that changed nothing never
 * waits, and a failed write fails every waiter whose change it held and keeps the
 * change in memory for the next write.
 */
import test from 'ava';
import type { ExecutionContext } from 'ava';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataFileError } from '../lib/store/json_file.ts';
import { Store } from '../lib/store/store.ts';
import { durableChanges, withWriteScope } from '../lib/store/write_scope.ts';

interface Data {
  items: number[];
}

async function openStore(t: ExecutionContext, flushDelayMs = 10_000): Promise<{ store: Store<Data>; path: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'esia-durable-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const path = join(dir, 'db.json');
  // A long flushDelayMs: only the waits themselves can have written the data.
  const store = await Store.open<Data>(path, () => ({ items: [] }), { flushDelayMs, onError: () => {} });
  t.teardown(() => store.close().catch(() => {}));
  return { store, path };
}

const onDisk = async (path: string): Promise<Data> => JSON.parse(await readFile(path, 'utf8'));

test('300 concurrent changes, each awaited: every one is on disk when its wait ends, in a handful of shared writes', async (t) => {
  const { store, path } = await openStore(t);
  const before = store.writes;
  const missing: number[] = [];
  await Promise.all(
    Array.from({ length: 300 }, (_, i) =>
      withWriteScope(async () => {
        await new Promise((r) => setImmediate(r, undefined)); // spread the changes over several writes
        if (i % 3 === 0) await new Promise((r) => setTimeout(r, i % 7));
        store.data.items.push(i);
        store.changed();
        await durableChanges();
        if (!(await onDisk(path)).items.includes(i)) missing.push(i);
      }),
    ),
  );
  t.deepEqual(missing, [], 'a change was answered before it was on disk');
  const writes = store.writes - before;
  t.true(writes >= 1 && writes <= 40, `writes: ${writes} for 300 changes`);
  t.log(`300 awaited changes → ${writes} writes`);
});

test('a scope that changed nothing does not wait for a running write, nor start one', async (t) => {
  const { store } = await openStore(t);
  store.data.items = Array.from({ length: 200_000 }, (_, i) => i); // a write that takes a while
  store.changed();
  const slow = store.flush();
  const writes = store.writes;
  let waited = false;
  await withWriteScope(async () => {
    await durableChanges();
    waited = store.writes !== writes;
  });
  t.false(waited);
  await slow;
  t.is(store.writes, writes + 1);
});

test('durable() of a change already written returns without writing; flush() is durable() of the latest change', async (t) => {
  const { store, path } = await openStore(t);
  store.data.items.push(1);
  store.changed();
  const first = store.generation;
  await store.flush();
  const writes = store.writes;
  await store.durable(first);
  t.is(store.writes, writes);
  store.data.items.push(2);
  store.changed();
  await store.durable(first); // the older change is on disk already
  t.is(store.writes, writes);
  await store.durable(store.generation);
  t.deepEqual((await onDisk(path)).items, [1, 2]);
});

test('a failed write rejects every waiter whose change it held; the next wait writes their changes', async (t) => {
  const { store, path } = await openStore(t);
  store.data.items.push(1);
  store.changed();
  await store.flush();
  // A non-empty folder where the temp file is renamed to makes the write fail, even for root.
  await rm(path);
  await mkdir(join(path, 'blocker'), { recursive: true });
  const results = await Promise.allSettled(
    [2, 3, 4].map((n) =>
      withWriteScope(async () => {
        store.data.items.push(n);
        store.changed();
        await durableChanges();
      }),
    ),
  );
  t.deepEqual(
    results.map((r) => r.status),
    ['rejected', 'rejected', 'rejected'],
  );
  for (const r of results)
    t.true(
      r.status === 'rejected' && r.reason instanceof DataFileError && r.reason.kind === 'io',
      String((r as PromiseRejectedResult).reason),
    );
  await rm(path, { recursive: true });
  await store.flush();
  t.deepEqual(
    (await onDisk(path)).items,
    [1, 2, 3, 4],
    'the changes stay in memory and reach the disk with the next write',
  );
});
