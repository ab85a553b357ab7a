/*
 * The run's lock and sync in Redis (idp/shared/run_sync.ts, run_store.ts), process by process: two
 * SharedRuns on one Redis stand for two emulator processes. The lock makes their changes one after the
 * other, a wait is bounded (503, never a hang), only the holder releases, a holder that outlived its
 * lock writes nothing, and an unchanged run costs one round trip.
 */
import test from 'ava';
import type { Redis } from 'ioredis';
import { AccountRepository } from '../../idp/adapters/account_repository.ts';
import { MemoryBacking, mainRun, Run, Runs } from '../../idp/runs.ts';
import { RunStore } from '../../idp/shared/run_store.ts';
import { SharedRuns } from '../../idp/shared/run_sync.ts';
import { Keyspace } from '../../lib/store/keyspace.ts';
import { connectRedis, isStoreUnavailable } from '../../lib/store/redis.ts';
import { freshPrefix } from '../helpers/redis_idps.ts';
import { redisMissing, type RedisServer, startRedis } from '../helpers/redis_server.ts';

const missing = redisMissing();
let server: RedisServer;
const clients: Redis[] = [];

test.before(async () => {
  if (!missing) server = await startRedis();
});
test.after.always(async () => {
  for (const c of clients) c.disconnect();
  await server?.stop();
});

const maybe = missing ? test.skip : test;
if (missing) test.todo(`run lock on Redis: ${missing}`);

/** A process's view: its own Redis connection, its own main run, sharing the prefix. */
async function instance(prefix: string, times = { ttlMs: 10_000, waitMs: 300 }) {
  const redis = await connectRedis(server.url, { log: () => {} });
  clients.push(redis);
  let commands = 0;
  const send = redis.sendCommand.bind(redis);
  redis.sendCommand = ((...args: Parameters<Redis['sendCommand']>) => {
    commands++;
    return send(...args);
  }) as Redis['sendCommand'];
  const runs = new Runs(new Run(mainRun, 0n, new AccountRepository(new MemoryBacking({ version: 1, accounts: [] }))));
  const shared = new SharedRuns(new RunStore(new Keyspace(redis, prefix)), runs, server.url, times);
  await shared.seed(runs.main);
  return { shared, main: runs.main, commands: () => commands };
}

const ms = (n: number) => new Promise((resolve) => setTimeout(resolve, n));

maybe('changes made under the lock by two processes are one after the other: no count is lost', async (t) => {
  const prefix = freshPrefix();
  const [a, b] = await Promise.all([instance(prefix), instance(prefix)]);
  // Each "request" reads the count, yields (as a handler awaits scrypt), then writes it plus one.
  const bump = (p: typeof a) =>
    p.shared.locked(p.main, async () => {
      const seen = p.main.unknownLogins.of('phone:+70000000000').failedAttempts;
      await ms(2);
      p.main.unknownLogins.of('phone:+70000000000').failedAttempts = seen + 1;
    });
  await Promise.all(Array.from({ length: 20 }, (_, i) => bump(i % 2 ? a : b)));
  await a.shared.sync();
  t.is(a.main.unknownLogins.of('phone:+70000000000').failedAttempts, 20);
});

maybe('a wait for a held lock is bounded: StoreUnavailable (503), and the holder still finishes', async (t) => {
  const prefix = freshPrefix();
  const [a, b] = await Promise.all([instance(prefix), instance(prefix)]);
  let release!: () => void;
  const holding = a.shared.locked(a.main, () => new Promise<void>((resolve) => (release = resolve)));
  await ms(20);
  const started = performance.now();
  const error = await t.throwsAsync(b.shared.locked(b.main, async () => {}));
  t.true(isStoreUnavailable(error), String(error));
  t.is((error as { status?: number }).status, 503);
  t.true(performance.now() - started < 1000, 'gave up after about waitMs');
  release();
  await holding;
  await t.notThrowsAsync(b.shared.locked(b.main, async () => {}));
});

maybe('only the holder releases the lock (compare-and-delete)', async (t) => {
  const prefix = freshPrefix();
  const a = await instance(prefix);
  const store = a.shared.store;
  t.truthy(await store.acquire('main', 0, 'token-1', 10_000));
  await store.release('main', 'someone-else');
  t.is(await store.acquire('main', 0, 'token-2', 10_000), undefined, 'still held by token-1');
  await store.release('main', 'token-1');
  t.truthy(await store.acquire('main', 0, 'token-2', 10_000));
  await store.release('main', 'token-2');
});

maybe('a holder whose lock ran out writes nothing: its answer is a 503, the newer state stays', async (t) => {
  const prefix = freshPrefix();
  const a = await instance(prefix, { ttlMs: 50, waitMs: 2000 });
  const b = await instance(prefix);
  let inside!: () => void;
  const entered = new Promise<void>((resolve) => (inside = resolve));
  const late = a.shared.locked(a.main, async () => {
    inside();
    a.main.outage = { mode: 'outage', notice: 'late', until: null, from: new Date().toISOString(), by: 'a' };
    await ms(300);
  });
  await entered;
  // B waits until A's lock runs out by itself (50 ms), then changes the run while A still works.
  await b.shared.locked(b.main, async () => {
    b.main.faults.arm({ kind: 'server.error', remaining: 1 });
  });
  const error = await t.throwsAsync(late);
  t.true(isStoreUnavailable(error));
  t.is(a.main.outage, null, 'and undone where it was made');
  const c = await instance(prefix);
  t.is(c.main.outage, null, 'the late write did not land');
  t.is(c.main.faults.list.length, 1, 'the newer change is there');
});

maybe('a sync of an unchanged run is one round trip; a change travels as the changed parts only', async (t) => {
  const prefix = freshPrefix();
  const [a, b] = await Promise.all([instance(prefix), instance(prefix)]);
  await a.shared.sync();
  const before = a.commands();
  await a.shared.sync();
  t.is(a.commands() - before, 1);
  await b.shared.locked(b.main, async () => {
    b.main.outbox.send('sms', '+79000000001', 'Код 111111', '111111');
  });
  const fetched = await a.shared.store.sync('main', 1);
  t.deepEqual([...fetched.parts.keys()].sort(), ['inbox:sms:+79000000001', 'outbox']);
  const mid = a.commands();
  await a.shared.sync();
  t.is(a.commands() - mid, 2, 'the versions, then the changed parts');
  t.is(a.main.outbox.read('sms', '+79000000001')[0]?.code, '111111');
});

maybe(
  'changes made without the lock are merged part by part: two processes’ challenges and a locked change all stay',
  async (t) => {
    const prefix = freshPrefix();
    const [a, b] = await Promise.all([instance(prefix), instance(prefix)]);
    // A sign-in screen on each process issues a challenge (no lock), while A also arms a fault under the lock.
    const onA = a.main.esign.issueChallenge('uid-a', Date.now());
    const onB = b.main.esign.issueChallenge('uid-b', Date.now());
    await Promise.all([
      a.shared.commitOutside(a.main),
      b.shared.commitOutside(b.main),
      a.shared.locked(a.main, async () => a.main.faults.arm({ kind: 'server.error', remaining: 1 })),
    ]);
    const c = await instance(prefix);
    t.deepEqual(
      c.main.esign
        .challenges()
        .map(([value]) => value)
        .sort(),
      [onA, onB].sort(),
    );
    t.is(c.main.faults.list.length, 1);
    // And each process, synced, has all of it too.
    for (const p of [a, b]) {
      await p.shared.sync();
      t.is(p.main.esign.challenges().length, 2);
      t.is(p.main.faults.list.length, 1);
    }
  },
);

maybe(
  'a change merged without the lock keeps only its own parts: a locked request’s unwritten SMS does not undo another process’s',
  async (t) => {
    const prefix = freshPrefix();
    const [a, b] = await Promise.all([instance(prefix), instance(prefix)]);
    const phone = '+79000000002';
    // On A a locked request sends a code and has not answered yet (scrypt, Redis)…
    let inWork!: () => void;
    const working = new Promise<void>((resolve) => (inWork = resolve));
    let finish!: () => void;
    const finished = new Promise<void>((resolve) => (finish = resolve));
    const locked = a.shared.locked(a.main, async () => {
      a.main.outbox.send('sms', '+79000000001', 'Код 111111', '111111');
      inWork();
      await finished;
    });
    await working;
    // …while a sign-in screen on A (no lock, nothing changed by it) ends and writes what it changed.
    // Right after the locked request has written and released the lock, before that write, B sends a code.
    const store = a.shared.store;
    const commit = store.commit.bind(store);
    store.commit = async (...args: Parameters<typeof store.commit>) => {
      store.commit = commit;
      const version = await commit(...args);
      await b.shared.locked(b.main, async () => void b.main.outbox.send('sms', phone, 'Код 222222', '222222'));
      return version;
    };
    const outside = a.shared.commitOutside(a.main);
    finish();
    await Promise.all([locked, outside]);
    // B's message and the outbox's next id stand: the next code B sends is the newest one in the inbox.
    await b.shared.locked(b.main, async () => void b.main.outbox.send('sms', phone, 'Код 333333', '333333'));
    const c = await instance(prefix);
    t.deepEqual(
      c.main.outbox.read('sms', phone).map((m) => [m.id, m.code]),
      [
        [3, '333333'],
        [2, '222222'],
      ],
    );
    t.is(c.main.outbox.read('sms', '+79000000001')[0]?.code, '111111');
  },
);
