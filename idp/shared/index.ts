/*
 * Runs shared over Redis (ESIA_STORE=redis://…): the store, the sync and lock layer and the registry
 * of runs, wired together; the composition root (idp/app.ts) mounts the middleware before its routes.
 */
import type { Middleware } from 'koa';
import type { Keyspace } from '../../lib/store/keyspace.ts';
import type { Runs } from '../runs.ts';
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

/** `npm run reset` on Redis: the main run's state goes, so the next start seeds it from the fixtures again. */
export async function forgetMainRun(keyspace: Keyspace): Promise<void> {
  await new RunStore(keyspace).remove('main');
}
