/*
 * Runs shared by several emulator processes over Redis (ESIA_STORE=redis://…). The domain code stays
 * synchronous over in-memory objects; this keeps them in step with Redis:
 *
 * - sync(): at the start of a request, one round trip reads what changed of every known run since
 *   this process saw it (only the changed parts), and the registry's version; requests that arrive
 *   while one is on its way share the next. A sign-in step takes its sign-in's lock in the same trip
 *   (exclusive()).
 * - transact(run, change): the sign-in steps take no lock on the run. Each of their read-modify-writes
 *   (a wrong password counted, a sign-in recorded) is a synchronous change, written by compare-and-set:
 *   only if none of the parts it changed was changed by another process since this one read it; else
 *   it is undone, the run read again and the change made again. Two processes signing in different
 *   people never wait for each other, and 50 wrong passwords for one account still count 50.
 * - locked(run, work): a request that may change the run holds the run's lock (one per process at a
 *   time, then SET NX PX in Redis), works on the state read inside the lock, and its changes are
 *   written with the version bump before it answers (commit()). Two processes' read-modify-writes of
 *   the same run (a fault taken once, a reset, a policy) are thus one after the other.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomBytes } from 'node:crypto';
import { StoreUnavailable } from '../../lib/store/redis.ts';
import { noteChange } from '../../lib/store/write_scope.ts';
import { KeyedMutex } from '../domain/keyed_mutex.ts';
import type { Run, Runs } from '../runs.ts';
import { hydrateRun, mergePart, RunSerialiser } from './run_snapshot.ts';
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
  /** The version that wrote each part of `committed`, for a compare-and-set. */
  versions: Map<string, number>;
}

/** A request waiting for the next sync (and the lock it asks for in it). */
interface WaitingSync {
  lock?: string;
  token: string;
  resolve(taken: boolean): void;
  reject(error: unknown): void;
}

/** The runs whose lock the current request holds (its changes are written when it ends). */
const heldByRequest = new AsyncLocalStorage<ReadonlySet<string>>();

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
  #syncing: Promise<void> | undefined;
  readonly #waiting: WaitingSync[] = [];
  readonly stats = { locks: 0, waitedMs: 0, heldMs: 0, commits: 0, swaps: 0, swapsRefused: 0 };

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

  /**
   * Brings every run another process changed up to date; with `lock` (a sign-in's key, see
   * exclusive()) it tries to take that lock in the same round trip, and gives its token when taken.
   *
   * Requests that arrive while a sync is on its way share the next one, sent when it is back: each
   * still sees everything written before it arrived, and under load one sync serves many requests
   * instead of each fetching the same changes again.
   */
  sync(lock?: string): Promise<string | undefined> {
    return new Promise((resolve, reject) => {
      const token = randomBytes(12).toString('base64url');
      this.#waiting.push({ lock, token, resolve: (taken) => resolve(taken ? token : undefined), reject });
      this.#sendSync();
    });
  }

  #sendSync(): void {
    if (this.#syncing || !this.#waiting.length) return;
    const batch = this.#waiting.splice(0);
    this.#syncing = this.#syncFor(batch).finally(() => {
      this.#syncing = undefined;
      this.#sendSync();
    });
  }

  async #syncFor(batch: WaitingSync[]): Promise<void> {
    const runs = this.runs.list();
    const known = runs.map((run) => ({ id: run.id, version: this.#seenOf(run).version }));
    const locks = batch.flatMap((w) => (w.lock ? [{ name: w.lock, token: w.token }] : []));
    let taken: boolean[] = [];
    try {
      const found = await this.store.syncAll(this.#registryKey, known, locks, this.times.ttlMs);
      taken = found.taken;
      if (found.registryVersion !== this.#registryVersion) await this.#afterRegistryChange(found.registryVersion);
      // A run a request of this process holds is newest here; the others take what changed.
      else for (const [i, run] of runs.entries()) if (!this.#held.has(run.id)) this.#apply(run, found.runs[i]!);
    } catch (error) {
      await Promise.all(locks.map((l, i) => (taken[i] ? this.store.dropLock(l.name, l.token).catch(() => {}) : 0)));
      for (const w of batch) w.reject(error);
      return;
    }
    let next = 0;
    for (const w of batch) w.resolve(w.lock ? taken[next++]! : false);
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
   * Makes `change` (synchronous: it only reads and changes the run's state) and writes what it changed
   * by compare-and-set, without the run's lock; made again on the run as another process left it
   * when that process changed one of the same parts meanwhile. An error `change` throws (a lock at the
   * limit) is thrown once what it changed is written. Inside a request that holds the run's lock it is
   * only made: that request writes it.
   */
  async transact<T>(run: Run, change: () => T): Promise<T> {
    if (heldByRequest.getStore()?.has(run.id)) return change();
    return this.#queue.run(run.id, async () => {
      const deadline = performance.now() + this.times.waitMs;
      for (let pause = 1; ; pause = Math.min(pause * 2, 20)) {
        const before = this.#serialiser.texts(run);
        let outcome: { value: T } | { error: unknown };
        try {
          outcome = { value: change() };
        } catch (error) {
          outcome = { error };
        }
        const written = await this.#swap(run, before, this.#serialiser.texts(run), true);
        if (written) return 'value' in outcome ? outcome.value : Promise.reject(outcome.error);
        if (performance.now() > deadline)
          throw new StoreUnavailable(
            this.url,
            `run ${run.id} kept changing under a change for over ${this.times.waitMs} ms; it was not written`,
          );
        await new Promise((resolve) => setTimeout(resolve, pause * Math.random()));
        await this.refresh(run);
      }
    });
  }

  /**
   * Writes the parts that differ between `before` and `after` by compare-and-set: true when written
   * (or nothing to write); false when another process changed one meanwhile or holds the run's lock,
   * with those parts back as in `before` if `putBack`. A change that removed a part is written under
   * the lock (a full rewrite). Other requests' syncs may bring in other processes' changes while the
   * compare-and-set is on its way (nothing is held): a part one of them brought in is newer than
   * `before`, and stays.
   */
  async #swap(run: Run, before: Map<string, string>, after: Map<string, string>, putBack: boolean): Promise<boolean> {
    const changed = new Map([...after].filter(([name, text]) => before.get(name) !== text));
    const removed = [...before.keys()].filter((name) => !after.has(name));
    if (removed.length) {
      await this.#briefly(run, async (token, fetched) => {
        this.#apply(run, fetched, new Set([...changed.keys(), ...removed]));
        await this.commit(run, token, true);
      });
      return true;
    }
    if (!changed.size) return true;
    const basis = new Map([...changed.keys()].map((name) => [name, this.#seenOf(run).versions.get(name) ?? 0]));
    const swapped = await this.store
      .swap(run.id, new Map([...changed].map(([name, text]) => [name, [basis.get(name)!, text]])))
      .catch((error: unknown) => {
        this.#putBack(run, before, changed, basis);
        throw error;
      });
    this.stats.swaps++;
    if ('refused' in swapped) {
      this.stats.swapsRefused++;
      if (putBack) this.#putBack(run, before, changed, basis);
      return false;
    }
    // Read again: a sync meanwhile replaces what this process has seen.
    const seen = this.#seenOf(run);
    for (const [name, text] of changed) {
      seen.committed.set(name, text);
      seen.versions.set(name, swapped.version);
    }
    // Nothing else was written in between: this process has seen everything up to the new version.
    if (swapped.version === seen.version + 1) seen.version = swapped.version;
    return true;
  }

  /**
   * The parts in `changed` back to their text in `before`, those still as the change left them and
   * not brought in newer meanwhile (their version still `basis`).
   */
  #putBack(run: Run, before: Map<string, string>, changed: Map<string, string>, basis: Map<string, number>): void {
    const { versions } = this.#seenOf(run);
    const now = this.#serialiser.texts(run);
    const back = [...changed].filter(
      ([name, text]) => now.get(name) === text && (versions.get(name) ?? 0) === basis.get(name),
    );
    this.#hydrate(run, new Map(back.map(([name]) => [name, before.get(name)])));
  }

  /** The run's parts set to these texts (undefined: the part is gone). */
  #hydrate(run: Run, texts: Map<string, string | undefined>): void {
    const values = new Map<string, unknown>();
    for (const [name, text] of texts) values.set(name, text === undefined ? undefined : JSON.parse(text));
    hydrateRun(run, values);
    for (const [name, text] of texts) if (text !== undefined) this.#serialiser.adopt(name, values.get(name), text);
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
        const runs = new Set([...(heldByRequest.getStore() ?? []), run.id]);
        const result = await heldByRequest.run(runs, work).catch(async (error: unknown) => {
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

  /**
   * Runs `work` alone across processes for `key`: the steps of one sign-in, each of which reads,
   * changes and saves its journey (the attempts left on a code), are one after the other even when
   * two tabs post them to two processes at once. Taken before the run's lock, never after it.
   */
  async exclusive<T>(key: string, work: () => Promise<T>, taken?: string): Promise<T> {
    // Taken already (by sync()): no other request, here or elsewhere, holds it; one of this process waiting for it retries.
    if (taken) return work().finally(() => this.store.dropLock(key, taken).catch(() => {}));
    return this.#queue.run(`exclusive:${key}`, async () => {
      const token = randomBytes(12).toString('base64url');
      const deadline = performance.now() + this.times.waitMs;
      for (let pause = 1; !(await this.store.takeLock(key, token, this.times.ttlMs)); pause = Math.min(pause * 2, 20)) {
        if (performance.now() > deadline)
          throw new StoreUnavailable(
            this.url,
            `${key} stayed locked by another request for over ${this.times.waitMs} ms`,
          );
        await new Promise((resolve) => setTimeout(resolve, pause * (0.5 + Math.random())));
      }
      try {
        return await work();
      } finally {
        await this.store.dropLock(key, token).catch(() => {});
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
    const versions = removed ? new Map<string, number>() : seen.versions;
    for (const name of removed ? now.keys() : changed.keys()) versions.set(name, version);
    this.#seen.set(run.id, { version, committed: now, versions });
    return release;
  }

  /**
   * A run changed by a request that did not hold its lock (a sign-in step that sent a code, a
   * sign-in screen that issued a signature challenge, the support console in its session's run):
   * written now, by compare-and-set when no other process changed the same parts meanwhile; else
   * under the run's lock, merged part by part: what other processes changed meanwhile is taken over
   * first, except the parts this request changed, which are then written over it (an inbox both
   * changed keeps both's messages).
   */
  async commitOutside(run: Run): Promise<void> {
    // Nothing differs: nothing to write (what a locked request wrote meanwhile took this request's changes along).
    if (!this.#unwritten(run).size) return;
    await this.#queue.run(run.id, async () => {
      // Worked out behind this process's locked requests of the run, not before: what one of them changed
      // and has not written yet is not this request's, and keeping it over what Redis has would undo
      // what other processes wrote meanwhile (an SMS sent there, the outbox's next id: a code read twice).
      const now = this.#serialiser.texts(run);
      const ours = this.#unwritten(run, now);
      if (!ours.size) return;
      // Most often no other process changed these parts meanwhile: written without the lock.
      if (await this.#swapUnwritten(run, ours, now)) return;
      await this.#briefly(run, async (token, fetched) => {
        // A message sent here and one sent there to the same inbox meanwhile: both stay.
        for (const name of ours) {
          const theirs = fetched.parts.get(name);
          if (theirs !== undefined && theirs !== this.#seenOf(run).committed.get(name)) mergePart(run, name, theirs);
        }
        this.#apply(run, fetched, ours);
        await this.commit(run, token, true);
      });
    });
  }

  /** The unwritten parts by compare-and-set, against what this process last read or wrote of them; false when refused or a part was removed. */
  async #swapUnwritten(run: Run, ours: Set<string>, now: Map<string, string>): Promise<boolean> {
    const { committed } = this.#seenOf(run);
    if ([...ours].some((name) => !now.has(name))) return false;
    // Compared with what was last written of each unwritten part (nothing, for a new one).
    const before = new Map(now);
    for (const name of ours) {
      const text = committed.get(name);
      if (text === undefined) before.delete(name);
      else before.set(name, text);
    }
    return this.#swap(run, before, now, false);
  }

  /** The parts that differ here from what this process last read or wrote of the run. */
  #unwritten(run: Run, now = this.#serialiser.texts(run)): Set<string> {
    const seen = this.#seenOf(run);
    const ours = new Set([...now].filter(([name, text]) => seen.committed.get(name) !== text).map(([name]) => name));
    for (const name of seen.committed.keys()) if (!now.has(name)) ours.add(name);
    return ours;
  }

  /** Writes a run's state as it is here, whatever Redis has: a new run, the main run seeded, a reset elsewhere. */
  publish(run: Run): Promise<void> {
    return this.#briefly(run, async (token, fetched) => {
      this.#seen.set(run.id, { version: fetched.version, committed: new Map(), versions: new Map() });
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
      seen = { version: 0, committed: new Map(), versions: new Map() };
      // No shared message counter: two processes sending at once would give one id twice.
      run.outbox.useTimeIds();
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
    const back = new Map<string, string | undefined>();
    for (const [name, text] of committed) if (now.get(name) !== text) back.set(name, text);
    for (const name of now.keys()) if (!committed.has(name)) back.set(name, undefined);
    this.#hydrate(run, back);
  }

  /**
   * Takes over what Redis has: the parts that differ from what this process saw, and the removal of
   * the rest on a full read; the parts in `keep` stay as they are here (changed by the request).
   */
  #apply(run: Run, fetched: Fetched, keep = new Set<string>()): void {
    const seen = this.#seenOf(run);
    if (fetched.version <= seen.version) return;
    const changed = new Map<string, string | undefined>();
    for (const [name, text] of fetched.parts)
      if (!keep.has(name) && seen.committed.get(name) !== text) changed.set(name, text);
    if (fetched.full)
      for (const name of seen.committed.keys())
        if (!keep.has(name) && !fetched.parts.has(name)) changed.set(name, undefined);
    this.#hydrate(run, changed);
    const committed = fetched.full ? new Map(fetched.parts) : new Map([...seen.committed, ...fetched.parts]);
    const versions = fetched.full ? new Map(fetched.versions) : new Map([...seen.versions, ...fetched.versions]);
    this.#seen.set(run.id, { version: fetched.version, committed, versions });
  }
}
