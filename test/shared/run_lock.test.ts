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

maybe('a sync is one round trip; a change travels as the changed parts only', async (t) => {
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
  // Shared runs give message ids from the time: no shared counter part changes with a message.
  t.deepEqual([...fetched.parts.keys()], ['inbox:sms:+79000000001']);
  const mid = a.commands();
  await a.shared.sync();
  t.is(a.commands() - mid, 1, 'the versions and the changed parts at once');
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
    // B's message stands: the next code B sends is the newest one in the inbox.
    await b.shared.locked(b.main, async () => void b.main.outbox.send('sms', phone, 'Код 333333', '333333'));
    const c = await instance(prefix);
    const inbox = c.main.outbox.read('sms', phone);
    t.deepEqual(
      inbox.map((m) => m.code),
      ['333333', '222222'],
    );
    t.true(inbox[0]!.id > inbox[1]!.id);
    t.is(c.main.outbox.read('sms', '+79000000001')[0]?.code, '111111');
  },
);

maybe('changes by compare-and-set on two processes at once: none is lost, and no lock is taken', async (t) => {
  const prefix = freshPrefix();
  const [a, b] = await Promise.all([instance(prefix), instance(prefix)]);
  const key = 'phone:+70000000001';
  const bump = (p: typeof a) =>
    p.shared.transact(p.main, () => {
      const state = p.main.unknownLogins.of(key);
      state.failedAttempts++;
      return state.failedAttempts;
    });
  const seen = await Promise.all(Array.from({ length: 40 }, (_, i) => bump(i % 2 ? a : b)));
  // Each change was made on the count as it then was: forty different counts, 1 to 40.
  t.deepEqual(
    [...seen].sort((x, y) => x - y),
    Array.from({ length: 40 }, (_, i) => i + 1),
  );
  const c = await instance(prefix);
  t.is(c.main.unknownLogins.of(key).failedAttempts, 40);
  t.is(a.shared.stats.locks + b.shared.stats.locks, 0);
  t.true(a.shared.stats.swapsRefused + b.shared.stats.swapsRefused > 0, 'the processes did meet, and made again');
});

maybe('changes of different parts on two processes never refuse each other', async (t) => {
  const prefix = freshPrefix();
  const [a, b] = await Promise.all([instance(prefix), instance(prefix)]);
  await Promise.all(
    Array.from({ length: 20 }, (_, i) =>
      (i % 2 ? a : b).shared.transact((i % 2 ? a : b).main, () => {
        (i % 2 ? a : b).main.outbox.send('sms', `+7900000010${i % 10}`, `Код ${i}`, String(i));
      }),
    ),
  );
  t.is(a.shared.stats.swapsRefused + b.shared.stats.swapsRefused, 0);
  const c = await instance(prefix);
  t.is(c.main.outbox.read('sms').length, 20);
});

maybe('a change by compare-and-set waits for a held run lock, then is made on what the holder left', async (t) => {
  const prefix = freshPrefix();
  const [a, b] = await Promise.all([instance(prefix), instance(prefix)]);
  let release!: () => void;
  const holding = a.shared.locked(a.main, async () => {
    a.main.unknownLogins.of('phone:+70000000002').failedAttempts = 3;
    await new Promise<void>((resolve) => (release = resolve));
  });
  await ms(20);
  const change = b.shared.transact(b.main, () => ++b.main.unknownLogins.of('phone:+70000000002').failedAttempts);
  await ms(30);
  release();
  await holding;
  t.is(await change, 4);
});

maybe('a change inside a request holding the run lock is made there and written with the request', async (t) => {
  const prefix = freshPrefix();
  const [a, b] = await Promise.all([instance(prefix), instance(prefix)]);
  await a.shared.locked(a.main, async () => {
    t.is(await a.shared.transact(a.main, () => ++a.main.unknownLogins.of('phone:+70000000003').failedAttempts), 1);
  });
  t.is(a.shared.stats.swaps, 0);
  await b.shared.sync();
  t.is(b.main.unknownLogins.of('phone:+70000000003').failedAttempts, 1);
});

maybe('an error a change throws is thrown once what it changed is written (a lock at the limit)', async (t) => {
  const prefix = freshPrefix();
  const [a, b] = await Promise.all([instance(prefix), instance(prefix)]);
  const error = await t.throwsAsync(
    a.shared.transact(a.main, () => {
      a.main.unknownLogins.of('phone:+70000000004').lockedAt = '2026-12-03T12:00:00.000Z';
      throw new Error('locked');
    }),
  );
  t.is(error?.message, 'locked');
  await b.shared.sync();
  t.is(b.main.unknownLogins.of('phone:+70000000004').lockedAt, '2026-12-03T12:00:00.000Z');
});

maybe('one sign-in’s requests are one at a time across processes (exclusive), other keys in parallel', async (t) => {
  const prefix = freshPrefix();
  const [a, b] = await Promise.all([instance(prefix), instance(prefix)]);
  const order: string[] = [];
  const step = (p: typeof a, key: string, label: string, wait: number) =>
    p.shared.exclusive(key, async () => {
      order.push(`${label}+`);
      await ms(wait);
      order.push(`${label}-`);
    });
  await Promise.all([step(a, 'interaction:x', 'a', 60), ms(10).then(() => step(b, 'interaction:x', 'b', 1))]);
  t.deepEqual(order, ['a+', 'a-', 'b+', 'b-']);
  order.length = 0;
  await Promise.all([step(a, 'interaction:y', 'a', 60), ms(10).then(() => step(b, 'interaction:z', 'b', 1))]);
  t.deepEqual(order, ['a+', 'b+', 'b-', 'a-']);
});

maybe('a code sent on each process to one inbox, written without the lock: both stay, newest first', async (t) => {
  const prefix = freshPrefix();
  const [a, b] = await Promise.all([instance(prefix), instance(prefix)]);
  const phone = '+79000000005';
  a.main.outbox.send('sms', phone, 'Код 111111', '111111');
  await ms(2);
  b.main.outbox.send('sms', phone, 'Код 222222', '222222');
  await a.shared.commitOutside(a.main);
  await b.shared.commitOutside(b.main);
  t.is(b.shared.stats.swapsRefused, 1, 'B met A’s write, and merged under the lock');
  const c = await instance(prefix);
  t.deepEqual(
    c.main.outbox.read('sms', phone).map((m) => m.code),
    ['222222', '111111'],
  );
});

maybe(
  'a sign-in’s lock is taken in the same round trip as the sync, once, and released after its request',
  async (t) => {
    const prefix = freshPrefix();
    const [a, b] = await Promise.all([instance(prefix), instance(prefix)]);
    await a.shared.sync();
    const before = a.commands();
    const token = await a.shared.sync('interaction:uid-1');
    t.is(a.commands() - before, 1, 'one round trip for both');
    t.truthy(token);
    t.is(await b.shared.sync('interaction:uid-1'), undefined, 'held: not taken again');
    t.truthy(await b.shared.sync('interaction:uid-2'), 'another sign-in’s is free');
    const order: string[] = [];
    const other = b.shared.exclusive('interaction:uid-1', async () => void order.push('b'));
    await ms(30);
    await a.shared.exclusive('interaction:uid-1', async () => void order.push('a'), token);
    await other;
    t.deepEqual(order, ['a', 'b'], 'B waited for the request that took it with its sync');
  },
);

maybe(
  'syncs asked for at once share round trips, and each still sees what was written before it was asked',
  async (t) => {
    const prefix = freshPrefix();
    const [a, b] = await Promise.all([instance(prefix), instance(prefix)]);
    await a.shared.sync();
    await b.shared.transact(b.main, () => void (b.main.unknownLogins.of('phone:+70000000006').failedAttempts = 2));
    const before = a.commands();
    await Promise.all(Array.from({ length: 20 }, () => a.shared.sync()));
    t.true(a.commands() - before <= 2, `${a.commands() - before} round trips for 20 syncs`);
    t.is(a.main.unknownLogins.of('phone:+70000000006').failedAttempts, 2);
    // Asked while one is on its way: answered by the next, which sees B's newer write.
    const first = a.shared.sync();
    await b.shared.transact(b.main, () => void (b.main.unknownLogins.of('phone:+70000000006').failedAttempts = 3));
    const second = a.shared.sync();
    await Promise.all([first, second]);
    t.is(a.main.unknownLogins.of('phone:+70000000006').failedAttempts, 3);
  },
);

maybe(
  'a part another request’s sync brought in while a compare-and-set was on its way is not put back over',
  async (t) => {
    const prefix = freshPrefix();
    const [a, b] = await Promise.all([instance(prefix), instance(prefix)]);
    const key = 'phone:+70000000007';
    const store = a.shared.store;
    const swap = store.swap.bind(store);
    store.swap = async (...args: Parameters<typeof store.swap>) => {
      store.swap = swap;
      // Before A's write lands: B counts, and a sync of another request on A brings B's count in.
      await b.shared.transact(b.main, () => void b.main.unknownLogins.of(key).failedAttempts++);
      await a.shared.sync();
      return swap(...args);
    };
    await a.shared.transact(a.main, () => void a.main.unknownLogins.of(key).failedAttempts++);
    const c = await instance(prefix);
    t.is(c.main.unknownLogins.of(key).failedAttempts, 2, 'both counted');
    t.is(a.main.unknownLogins.of(key).failedAttempts, 2);
  },
);
