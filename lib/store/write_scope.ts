/*
 * Which store changes one unit of work (an HTTP request) made, so it can wait until they are on
 * disk before it answers: "answered" then means "durable". Changes are noted by the Store itself
 * (changed()), found through AsyncLocalStorage, so no handler has to pass anything along; work
 * outside a scope (timers, start-up) notes nothing and waits for nothing.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

/** A store that can say when the data as of a given change generation is on disk. */
export interface DurableStore {
  durable(generation: number): Promise<void>;
}

type Pending = Map<DurableStore, number>;
const current = new AsyncLocalStorage<Pending>();

/** Runs `work` in its own scope; changes it makes are waited for by durableChanges() inside it. */
export function withWriteScope<T>(work: () => Promise<T>): Promise<T> {
  return current.run(new Map(), work);
}

/** Called by a store on every change: the current scope must wait for this generation. */
export function noteChange(store: DurableStore, generation: number): void {
  current.getStore()?.set(store, generation);
}

/** Resolves once every change the current scope made is on disk; rejects if a write of one failed. */
export async function durableChanges(): Promise<void> {
  const pending = current.getStore();
  if (!pending?.size) return;
  const waits = [...pending].map(([store, generation]) => store.durable(generation));
  pending.clear();
  await Promise.all(waits);
}
