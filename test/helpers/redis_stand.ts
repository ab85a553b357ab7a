/*
 * The stand of a Redis test file: a private redis-server (appendfsync always) and the emulator as
 * several processes on it behind a balancer, started in test.before and closed in test.after.always.
 * `check` is test.serial, or test.skip with the reason printed when redis-server is missing (never
 * under CI, where that is a failure). Import from a test file only: the hooks register on its ava.
 */
import test from 'ava';
import { type Stand, type StandProcesses, startStand } from '../../scenarios/runner/stand.ts';
import { type RedisServer, redisMissing, startRedis } from './redis_server.ts';

export interface RedisStand {
  stand: Stand;
  redis: RedisServer;
}

export function sharedRedisStand(
  what: string,
  processes: Omit<StandProcesses, 'store' | 'count'> & { count?: number } = {},
  missing = redisMissing(),
) {
  const shared = {} as RedisStand;
  if (missing) console.log(`${what} skipped: ${missing}`);
  test.before(async () => {
    if (missing) return;
    shared.redis = await startRedis({ appendfsync: 'always' });
    shared.stand = await startStand({}, undefined, { count: 2, ...processes, store: shared.redis.url });
  });
  test.after.always(async () => {
    await shared.stand?.close();
    await shared.redis?.stop();
  });
  return { shared, check: missing ? test.skip : test.serial };
}
