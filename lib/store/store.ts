/*
 * The emulator's persistence: one JSON file held in memory (lowdb). A busy emulator mutates data
 * hundreds of times a second, so changed() only marks the data dirty and bursts coalesce into one
 * atomic write per flushDelayMs. A caller that must not answer before its change is on disk awaits
 * durable(): group commit, every change made while a write runs goes into the next one, and each
 * waiter is released by the first successful write that began after its change. The file is
 * locked for the Store's lifetime because lowdb keeps a private in-memory copy: two processes
 * would silently lose updates.
 * Generic on purpose: it knows nothing of accounts or sessions.
 */
import { Low } from 'lowdb';
import type { Adapter } from 'lowdb';
import { resolve } from 'node:path';
import { describeProblem, type FieldProblem } from '../errors.ts';
import { noteChange } from './write_scope.ts';
import { acquireLock, DataFileError, readJsonFile, removeStaleTempFiles, writeJsonFileAtomic } from './json_file.ts';

export interface StoreOptions {
  /** How long changed() waits before writing, to coalesce a burst of changes into one write. */
  flushDelayMs: number;
  /** Failed background writes land here (the data stays dirty and is retried on the next change or flush). */
  onError?: (err: unknown) => void;
  /** The first field of an existing file that does not fit (e.g. `accounts`, expected a list, got a string), or undefined when it fits. */
  validate?: (data: object) => FieldProblem | undefined;
}

// lowdb adapter over our crash-safe primitives (lowdb's own TextFile uses steno, see json_file.ts).
class AtomicJsonFile<T> implements Adapter<T> {
  constructor(private readonly path: string) {}
  async read(): Promise<T | null> {
    return (await readJsonFile<T>(this.path)) ?? null;
  }
  write(data: T): Promise<void> {
    return writeJsonFileAtomic(this.path, data);
  }
}

export class Store<T extends object> {
  readonly path: string;
  private readonly db: Low<T>;
  private readonly flushDelayMs: number;
  private readonly onError: (err: unknown) => void;
  private readonly release: () => Promise<void>;
  private dirty = false;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private closing: Promise<void> | undefined;
  private released = false;
  private writeCount = 0;
  /** Bumped by every change; the data as of generation g is on disk once durableGeneration >= g. */
  private generationCount = 0;
  private durableGeneration = 0;
  /** The generation the running write serialised. */
  private runningGeneration = 0;

  private constructor(path: string, db: Low<T>, options: StoreOptions, release: () => Promise<void>) {
    this.path = path;
    this.db = db;
    this.flushDelayMs = options.flushDelayMs;
    this.onError =
      options.onError ??
      ((err) =>
        console.error(
          `[store] Could not write ${path}; will retry on the next change: ${err instanceof Error ? err.message : String(err)}`,
        ));
    this.release = release;
  }

  /** Locks the file, then loads it, or creates it with initial() (written at once) if it is missing. */
  static async open<T extends object>(path: string, initial: () => T, options: StoreOptions): Promise<Store<T>> {
    const abs = resolve(path);
    const release = await acquireLock(abs);
    try {
      await removeStaleTempFiles(abs); // safe: the lock makes us the only writer
      const adapter = new AtomicJsonFile<T>(abs);
      const existing = await adapter.read();
      if (existing !== null && (typeof existing !== 'object' || Array.isArray(existing))) {
        throw new DataFileError(
          'corrupt',
          abs,
          `Data file ${abs} does not contain a JSON object. It was left untouched. Fix or delete it, or run \`npm run reset\`.`,
        );
      }
      const problem = existing === null ? undefined : options.validate?.(existing);
      if (problem) {
        throw new DataFileError(
          'corrupt',
          abs,
          `Data file ${describeProblem(abs, problem)}. It was left untouched. Fix or delete it, or run \`npm run reset\`.`,
        );
      }
      const db = new Low<T>(adapter, existing ?? initial()); // initial() only when there is no file
      if (existing === null) await db.write();
      const store = new Store(abs, db, options, release);
      if (existing === null) store.writeCount = 1;
      return store;
    } catch (err) {
      await release();
      throw err;
    }
  }

  /** The live data. Mutate it in place, then call changed(). */
  get data(): T {
    return this.db.data;
  }

  /** File writes done so far (including the initial creation). */
  get writes(): number {
    return this.writeCount;
  }

  /** Counts changes: the generation of the latest one. */
  get generation(): number {
    return this.generationCount;
  }

  /**
   * Marks the data dirty; one write follows within flushDelayMs, however many calls come in. The
   * current write scope (write_scope.ts) notes the change, so its request waits for it.
   */
  changed(): void {
    this.dirty = true;
    this.generationCount += 1;
    noteChange(this, this.generationCount);
    this.schedule();
  }

  /** Swaps the whole data (e.g. a reset) and persists it like any change. */
  replace(data: T): void {
    this.db.data = data;
    this.changed();
  }

  /** Resolves once the data as of this call is on disk. Rejects if that write fails. */
  flush(): Promise<void> {
    return this.durable(this.generationCount);
  }

  /**
   * Resolves once the data as of change `generation` is on disk, writing at once (no flushDelayMs)
   * if no write is running. Concurrent callers share writes; rejects if the write that held the
   * change failed (e.g. ENOSPC), and the data stays dirty for the next attempt.
   */
  async durable(generation: number): Promise<void> {
    while (this.durableGeneration < generation) {
      if (this.released) return; // changes after close() are not persisted (and the lock is gone)
      if (this.running) {
        // A write already running may have serialised the data before this change: wait, then look again.
        const covers = this.runningGeneration >= generation;
        const failure = await this.running.then(
          () => undefined,
          (err: unknown) => ({ err }),
        );
        if (covers && failure) throw failure.err;
        continue;
      }
      this.cancelTimer();
      await this.writeNow();
    }
  }

  /** Flushes and releases the lock. Idempotent; changes made afterwards are not persisted. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.cancelTimer();
      try {
        await this.flush();
      } finally {
        this.released = true;
        await this.release();
      }
    })();
    return this.closing;
  }

  private schedule(): void {
    if (this.timer || this.running || this.closing) return; // a running write reschedules when it ends
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.flush().catch((err: unknown) => this.onError(err));
    }, this.flushDelayMs);
    this.timer.unref(); // a pending flush must never keep the process alive
  }

  private cancelTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private writeNow(): Promise<void> {
    // Low.write() hands the data to writeJsonFileAtomic, which serialises it synchronously, so
    // clearing dirty here is exact: any later mutation sets it again and gets its own write.
    this.dirty = false;
    const generation = this.generationCount;
    this.runningGeneration = generation;
    let ok = false;
    const write = this.db.write().then(
      () => {
        ok = true;
        this.writeCount += 1;
        this.durableGeneration = Math.max(this.durableGeneration, generation);
      },
      (err: unknown) => {
        this.dirty = true; // retried on the next change or flush, not in a loop against a full disk
        throw err;
      },
    );
    this.running = write.finally(() => {
      this.running = undefined;
      if (ok && this.dirty && !this.closing) this.schedule(); // changes arrived mid-write: exactly one more write
    });
    this.running.catch(() => {}); // errors reach the caller through `write`
    return write;
  }
}
