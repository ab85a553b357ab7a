/*
 * Runs shared over Redis (ESIA_STORE=redis://…): the store, the sync and lock layer and the registry
 * of runs, wired together; the composition root (idp/app.ts) mounts the middleware before its routes.
 */
import type { Middleware } from 'koa';
import { join, resolve } from 'node:path';
import { Keyspace } from '../../lib/store/keyspace.ts';
import { connectRedis, printableUrl } from '../../lib/store/redis.ts';
import { AccountRepository, accountsFromFixtures, readPersonaFixtures } from '../adapters/account_repository.ts';
import { readFixtureHashes } from '../adapters/fixture_hashes.ts';
import type { IdpConfig } from '../config/index.ts';
import { MemoryBacking, mainRun, Run, Runs } from '../runs.ts';
import { SharedRunRegistry } from './run_registry.ts';
import { sharedRunsMiddleware } from './run_requests.ts';
import { RunStore } from './run_store.ts';
import { SharedRuns } from './run_sync.ts';

export interface RunSharing {
  shared: SharedRuns;
  registry: SharedRunRegistry;
  middleware(ownRoute: (path: string) => boolean): Middleware;
}

/** Shares `runs` through Redis: the main run taken from Redis, or seeded there from this process's fixtures. */
export async function shareRuns(keyspace: Keyspace, runs: Runs, url: string): Promise<RunSharing> {
  const store = new RunStore(keyspace);
  let registry: SharedRunRegistry | undefined;
  const shared = new SharedRuns(store, runs, url, undefined, () => registry!.reload());
  registry = new SharedRunRegistry(store, runs, () => shared);
  runs.registry = registry;
  await shared.seed(runs.main);
  await shared.sync();
  return {
    shared,
    registry,
    middleware: (ownRoute) => sharedRunsMiddleware(shared, registry, ownRoute),
  };
}

/**
 * `npm run reset` on Redis: the main run back to the fixtures, written over what Redis has as a new
 * version, so emulator processes running on it take the reset on their next request too.
 */
export async function resetMainRun(config: IdpConfig): Promise<void> {
  const redis = await connectRedis(config.store, { log: () => {} });
  try {
    const hashes = await readFixtureHashes(join(resolve(config.keysDir), 'fixture-hashes.json'));
    const accounts = await accountsFromFixtures(await readPersonaFixtures(config.fixturesFile), config.scryptN, hashes);
    const main = new Run(mainRun, 0n, new AccountRepository(new MemoryBacking({ version: 1, accounts })));
    await new SharedRuns(
      new RunStore(new Keyspace(redis, config.redisPrefix)),
      new Runs(main),
      printableUrl(config.store),
    ).publish(main);
  } finally {
    redis.disconnect();
  }
}
