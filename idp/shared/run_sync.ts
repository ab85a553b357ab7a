/*
 * Runs shared by several emulator processes over Redis (ESIA_STORE=redis://…). The domain code stays
 * synchronous over in-memory objects; this keeps them in step with Redis:
 *
 * - sync(): at the start of a request, one round trip reads every known run's version (and the
 *   registry's); only a run another process changed is read again, and only its changed parts.
 * - locked(run, work): a request that may change the run holds the run's lock (one per process at a
 *   time, then SET NX PX in Redis), works on the state read inside the lock, and its changes are
 *   written with the version bump before it answers (commit()). Two processes' read-modify-writes of
 *   the same run (a lockout count, a one-time code, a fault taken once) are thus one after the other.
 */
import { randomBytes } from 'node:crypto';
import { StoreUnavailable } from '../../lib/store/redis.ts';
import { noteChange } from '../../lib/store/write_scope.ts';
import { KeyedMutex } from '../domain/keyed_mutex.ts';
import type { Run, Runs } from '../runs.ts';
import { hydrateRun, RunSerialiser } from './run_snapshot.ts';
import type { Fetched, RunStore } from './run_store.ts';

export interface LockTimes {
  /** The lock expires by itself after this long, should its holder die (default 10 s). */
  ttlMs: number;
  /** How long a request waits for the lock before it answers 503 (default 5 s). */
  waitMs: number;
}

/** What this process last read or wrote of a run. */
interface Seen {
  version: number;
  committed: Map<string, string>;
}

export class SharedRuns {
  readonly #seen = new Map<string, Seen>();
  /** Runs whose lock a request of this process holds: their state here is the newest, no sync needed. */
  readonly #held = new Set<string>();
  readonly #queue = new KeyedMutex();
  readonly #serialiser = new RunSerialiser();
  readonly #registryKey: string;
  /** The registry version this process last applied. */
  #registryVersion = -1;
  /** Lock waits and holds in Redis (not counting the wait behind this process's own requests), for the figures. */
  readonly stats = { locks: 0, waitedMs: 0, heldMs: 0, commits: 0 };

  constructor(
    readonly store: RunStore,
    readonly runs: Runs,
    /** The store's URL as it may be printed, for the 503's message. */
    readonly url: string,
    readonly times: LockTimes = { ttlMs: 10_000, waitMs: 5_000 },
    /** Called when the registry changed, before the versions are compared (idp/shared/run_registry.ts). */
    readonly onRegistryChange: () => Promise<void> = async () => {},
  ) {
    this.#registryKey = store.key('runs', 'v');
  }

  /** Brings every run another process changed up to date: one round trip when none did. */
  async sync(): Promise<void> {
    const runs = this.runs.list();
    const versions = await this.store.redis.mget(this.#registryKey, ...runs.map((r) => this.store.versionKey(r.id)));
    if (Number(versions[0] ?? 0) !== this.#registryVersion) return this.#afterRegistryChange(Number(versions[0] ?? 0));
    await Promise.all(
      runs.map((run, i) => {
        const version = Number(versions[i + 1] ?? 0);
        return version === this.#seenOf(run).version || this.#held.has(run.id) ? undefined : this.refresh(run);
      }),
    );
  }

  async #afterRegistryChange(version: number): Promise<void> {
    await this.onRegistryChange();
    this.#registryVersion = version;
    await Promise.all(this.runs.list().map((run) => (this.#held.has(run.id) ? undefined : this.refresh(run))));
  }

  /** Reads what changed of this run since this process saw it. */
  async refresh(run: Run): Promise<void> {
    const fetched = await this.store.sync(run.id, this.#seenOf(run).version);
    // Another request of this process may have taken the lock and moved on meanwhile: its state is newer.
    if (!this.#held.has(run.id)) this.#apply(run, fetched);
  }

  /**
   * Runs `work` holding the run's lock, on the run's newest state; what it changed is written before
   * this resolves, and earlier at durableChanges() (a handler that answers by itself calls it first).
   */
  async locked<T>(run: Run, work: () => Promise<T>): Promise<T> {
    return this.#queue.run(run.id, async () => {
      const token = randomBytes(12).toString('base64url');
      const asked = performance.now();
      const fetched = await this.#acquire(run, token);
      const since = performance.now();
      this.stats.locks++;
      this.stats.waitedMs += since - asked;
      this.#held.add(run.id);
      let released = false;
      let holding = true;
      try {
        this.#apply(run, fetched);
        // A handler that answers by itself writes first (durableChanges()); past the section there is nothing left to write.
        noteChange({ durable: async () => void (holding && (await this.commit(run, token, false))) }, 1);
        // A request that fails may have changed the run too (a fault taken, then thrown): written either way.
        const result = await work().catch(async (error: unknown) => {
          released = await this.commit(run, token, true);
          throw error;
        });
        released = await this.commit(run, token, true);
        return result;
      } finally {
        holding = false;
        this.#held.delete(run.id);
        this.stats.heldMs += performance.now() - since;
        if (!released) await this.store.release(run.id, token).catch(() => {});
      }
    });
  }

  /** Writes the parts that changed since the last commit and bumps the version; true when it released the lock too. */
  async commit(run: Run, token: string, release: boolean, full = false): Promise<boolean> {
    const seen = this.#seenOf(run);
    const now = this.#serialiser.texts(run);
    const changed = new Map([...now].filter(([name, text]) => seen.committed.get(name) !== text));
    const removed = full || [...seen.committed.keys()].some((name) => !now.has(name));
    if (!changed.size && !removed) return false;
    // A change that is not written is undone here too: the request is answered 503, as if it never was.
    const version = await this.store
      .commit(run.id, token, removed ? now : changed, removed, release)
      .catch((error: unknown) => {
        this.#revert(run, now);
        throw error;
      });
    if (version < 0) {
      this.#revert(run, now);
      throw new StoreUnavailable(
        this.url,
        `the lock of run ${run.id} ran out (${this.times.ttlMs} ms) before the request finished; its changes were not written`,
      );
    }
    this.stats.commits++;
    this.#seen.set(run.id, { version, committed: now });
    return release;
  }

  /**
   * A run changed by a request that did not hold its lock (a sign-in screen that issued a signature
   * challenge, the support console in its session's run): written now, under the run's lock, merged
   * part by part: what other processes changed meanwhile is taken over first, except the parts this
   * request changed, which are then written over it.
   */
  async commitOutside(run: Run): Promise<void> {
    // Nothing differs: nothing to write (what a locked request wrote meanwhile took this request's changes along).
    if (!this.#unwritten(run).size) return;
    await this.#queue.run(run.id, async () => {
      // Worked out behind this process's locked requests of the run, not before: what one of them changed
      // and has not written yet is not this request's, and keeping it over what Redis has would undo
      // what other processes wrote meanwhile (an SMS sent there, the outbox's next id: a code read twice).
      const ours = this.#unwritten(run);
      if (!ours.size) return;
      await this.#briefly(run, async (token, fetched) => {
        this.#apply(run, fetched, ours);
        await this.commit(run, token, true);
      });
    });
  }

  /** The parts that differ here from what this process last read or wrote of the run. */
  #unwritten(run: Run): Set<string> {
    const seen = this.#seenOf(run);
    const now = this.#serialiser.texts(run);
    const ours = new Set([...now].filter(([name, text]) => seen.committed.get(name) !== text).map(([name]) => name));
    for (const name of seen.committed.keys()) if (!now.has(name)) ours.add(name);
    return ours;
  }

  /** Writes a run's state as it is here, whatever Redis has: a new run, the main run seeded, a reset elsewhere. */
  publish(run: Run): Promise<void> {
    return this.#briefly(run, async (token, fetched) => {
      this.#seen.set(run.id, { version: fetched.version, committed: new Map() });
      await this.commit(run, token, true, true);
    });
  }

  /** At start: takes the run from Redis, or writes it there when Redis has none (the main run seeded from the fixtures). */
  seed(run: Run): Promise<void> {
    return this.#briefly(run, async (token, fetched) => {
      if (fetched.version > 0) this.#apply(run, fetched);
      else await this.commit(run, token, true, true);
    });
  }

  /** Holds the run's lock for `work`, given what changed since this process saw the run; released whatever happens. */
  async #briefly(run: Run, work: (token: string, fetched: Fetched) => Promise<void>): Promise<void> {
    const token = randomBytes(12).toString('base64url');
    const fetched = await this.#acquire(run, token);
    try {
      await work(token, fetched);
    } finally {
      await this.store.release(run.id, token).catch(() => {});
    }
  }

  forget(id: string): void {
    this.#seen.delete(id);
  }

  #seenOf(run: Run): Seen {
    let seen = this.#seen.get(run.id);
    if (!seen) {
      seen = { version: 0, committed: new Map() };
      this.#seen.set(run.id, seen);
    }
    return seen;
  }

  async #acquire(run: Run, token: string): Promise<Fetched> {
    const deadline = performance.now() + this.times.waitMs;
    for (let pause = 1; ; pause = Math.min(pause * 2, 20)) {
      const fetched = await this.store.acquire(run.id, this.#seenOf(run).version, token, this.times.ttlMs);
      if (fetched) return fetched;
      if (performance.now() > deadline)
        throw new StoreUnavailable(
          this.url,
          `run ${run.id} stayed locked by another request for over ${this.times.waitMs} ms`,
        );
      await new Promise((resolve) => setTimeout(resolve, pause * (0.5 + Math.random())));
    }
  }

  /** Back to the state last read or written (the parts of `now` that differ from it). */
  #revert(run: Run, now: Map<string, string>): void {
    const { committed } = this.#seenOf(run);
    const back = new Map<string, unknown>();
    for (const [name, text] of committed) if (now.get(name) !== text) back.set(name, JSON.parse(text));
    for (const name of now.keys()) if (!committed.has(name)) back.set(name, undefined);
    hydrateRun(run, back);
  }

  /**
   * Takes over what Redis has: the parts that differ from what this process saw, and the removal of
   * the rest on a full read; the parts in `keep` stay as they are here (changed by the request).
   */
  #apply(run: Run, fetched: Fetched, keep = new Set<string>()): void {
    const seen = this.#seenOf(run);
    if (fetched.version <= seen.version) return;
    const changed = new Map<string, unknown>();
    for (const [name, text] of fetched.parts)
      if (!keep.has(name) && seen.committed.get(name) !== text) changed.set(name, JSON.parse(text));
    if (fetched.full)
      for (const name of seen.committed.keys())
        if (!keep.has(name) && !fetched.parts.has(name)) changed.set(name, undefined);
    hydrateRun(run, changed);
    const committed = fetched.full ? new Map(fetched.parts) : new Map([...seen.committed, ...fetched.parts]);
    this.#seen.set(run.id, { version: fetched.version, committed });
  }
}
