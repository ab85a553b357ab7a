/*
 * The Redis connection (lib/store/redis.ts) against a real redis-server of its own: it connects, fails
 * at start with one line naming the URL, throws StoreUnavailable while Redis is down (no queueing, no
 * hang), reports the outage once however many retries fail, and resumes by itself once Redis is back.
 */
import test from 'ava';
import { connectRedis, isStoreUnavailable, StoreConnectError, StoreUnavailable } from '../lib/store/redis.ts';
import { redisMissing, startRedis } from './helpers/redis_server.ts';

const missing = redisMissing();
const redisTest = missing ? test.skip : test;
if (missing)
  test('Redis tests skipped', (t) => {
    t.log(missing);
    t.pass();
  });

redisTest('connects, and commands, pipelines and MULTI work', async (t) => {
  const server = await startRedis();
  t.teardown(() => server.stop());
  const redis = await connectRedis(server.url, { log: () => {} });
  t.teardown(() => redis.disconnect());
  t.is(await redis.set('k', 'v'), 'OK');
  t.is(await redis.get('k'), 'v');
  t.deepEqual(await redis.multi().incr('n').incr('n').exec(), [
    [null, 1],
    [null, 2],
  ]);
});

redisTest('an unreachable URL fails at start with one line naming it', async (t) => {
  const server = await startRedis();
  await server.stop();
  const error = await t.throwsAsync(connectRedis(server.url, { log: () => {} }), { instanceOf: StoreConnectError });
  t.is(error.message, `Cannot reach Redis at ${server.url}: ECONNREFUSED`);
  t.false(error.message.includes('\n'));
});

redisTest('a URL that is not redis:// is refused before any connection, saying what was expected', async (t) => {
  const error = await t.throwsAsync(connectRedis('http://127.0.0.1:6379'), { instanceOf: StoreConnectError });
  t.is(
    error.message,
    'Cannot reach Redis at http://127.0.0.1:6379: not a Redis URL (the scheme is http: instead of redis:); expected redis://host:port/db',
  );
});

redisTest('a password in the URL is never printed', async (t) => {
  const server = await startRedis();
  await server.stop();
  const url = `redis://:hunter2@127.0.0.1:${server.port}/0`;
  const error = await t.throwsAsync(connectRedis(url, { log: () => {} }));
  t.false(error.message.includes('hunter2'));
  t.true(error.message.includes(`redis://:***@127.0.0.1:${server.port}/0`));
});

redisTest(
  'while Redis is down every command throws StoreUnavailable at once, and it resumes after a restart',
  async (t) => {
    const server = await startRedis();
    t.teardown(() => server.stop());
    const lines: string[] = [];
    const redis = await connectRedis(server.url, { log: (line) => lines.push(line), maxBackoffMs: 100 });
    t.teardown(() => redis.disconnect());
    await redis.set('kept', '1');
    await server.kill();
    // Let ioredis notice, then try a few times: each fails fast with StoreUnavailable.
    await new Promise((r) => setTimeout(r, 300));
    for (const attempt of [
      () => redis.get('kept'),
      () => redis.multi().set('a', '1').exec(),
      () => redis.pipeline().get('a').exec(),
    ]) {
      const started = Date.now();
      const error = await t.throwsAsync(attempt());
      t.true(error instanceof StoreUnavailable, `${error?.name}: ${error?.message}`);
      t.true(isStoreUnavailable(error));
      t.is((error as StoreUnavailable).status, 503);
      t.true(Date.now() - started < 1000);
    }
    await new Promise((r) => setTimeout(r, 500));
    await server.restart();
    const deadline = Date.now() + 5000;
    let value: string | null | undefined;
    while (Date.now() < deadline) {
      try {
        value = await redis.get('kept');
        break;
      } catch (error) {
        t.true(isStoreUnavailable(error));
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    t.is(value, '1', 'the append-only file kept the write, and the client reconnected by itself');
    // Several retries failed while it was down; the outage is reported once and the recovery once.
    t.deepEqual(lines, [
      `esia-emulator: Redis at ${server.url} is unavailable (connection closed); retrying until it is back`,
      `esia-emulator: Redis at ${server.url} is back`,
    ]);
  },
);

redisTest("Redis's own error replies stay what they are", async (t) => {
  const server = await startRedis();
  t.teardown(() => server.stop());
  const redis = await connectRedis(server.url, { log: () => {} });
  t.teardown(() => redis.disconnect());
  await redis.set('s', 'text');
  const error = await t.throwsAsync(redis.incr('s'));
  t.false(isStoreUnavailable(error));
  t.regex(error.message, /not an integer/);
});
