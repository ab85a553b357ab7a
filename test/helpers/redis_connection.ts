/*
 * One private redis-server and one connection to it for a test file (the contract tests), started in
 * test.before and closed in test.after.always; `missing` says why there is none (no redis-server).
 * Import from a test file only: the hooks register on its ava.
 */
import test from 'ava';
import type { Redis } from 'ioredis';
import { connectRedis } from '../../lib/store/redis.ts';
import { type RedisServer, redisMissing, startRedis } from './redis_server.ts';

export function sharedRedisConnection(): { redis: () => Redis; missing: string | undefined } {
  const missing = redisMissing();
  let server: RedisServer | undefined;
  let redis: Redis | undefined;
  test.before(async () => {
    if (missing) return;
    server = await startRedis();
    redis = await connectRedis(server.url, { log: () => {} });
  });
  test.after.always(async () => {
    redis?.disconnect();
    await server?.stop();
  });
  return { redis: () => redis!, missing };
}
