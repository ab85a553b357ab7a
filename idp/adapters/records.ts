/*
 * Short-lived records by id (ESIA codes and tokens, sign-ins in flight, sign-in journeys, console
 * sessions, signature and WebAuthn challenges), in this process's memory or in Redis, chosen once by
 * ESIA_STORE. Either way a record is taken, or spent, by one caller only: on Redis through a single
 * atomic command (GETDEL, SET NX), so two processes never both redeem one code. Lifetimes here are
 * real time and generous, only to bound memory: what a record's own lifetime is (on the run's clock)
 * the services check when it is presented.
 */
export interface Records<V> {
  /** Keeps `value` under `id` for `ttlMs`; `tags` name groups deleted together (deleteTagged). */
  put(id: string, value: V, options: PutOptions): Promise<void>;
  get(id: string): Promise<V | undefined>;
  /** Takes the record out: the first caller gets it, any other (in any process) undefined. */
  take(id: string): Promise<V | undefined>;
  delete(id: string): Promise<void>;
  /** Marks `id` spent (kept `ttlMs`): true for the first caller only. */
  spend(id: string, ttlMs: number): Promise<boolean>;
  spent(id: string): Promise<boolean>;
  /** Deletes every record put with this tag (a run's reset, a session's logout). */
  deleteTagged(tag: string): Promise<void>;
}

export interface PutOptions {
  ttlMs: number;
  tags?: string[];
  /** Only replace a record that is still there (a sign-in ended meanwhile stays ended). */
  existing?: boolean;
}

/** How a record is written to Redis as JSON, and read back (a run by its id, a system by its mnemonic). */
export interface Codec<V> {
  encode(value: V): unknown;
  /** undefined when what it names is gone (the run was deleted): the record counts as absent. */
  decode(json: unknown): V | undefined;
}

/** Makes the records of one kind (`name` becomes part of their Redis keys; `cap` lowers the memory cap). */
export type RecordsFactory = <V>(name: string, codec: Codec<V>, cap?: number) => Records<V>;

export const plainJson = <V>(): Codec<V> => ({ encode: (v) => v, decode: (j) => j as V });

interface Entry<V> {
  value: V;
  expiresAt: number;
  tags?: string[];
}

/**
 * In memory: values kept as they are (objects, not copies), at most `cap`; past it the least
 * recently put goes. Putting a record again moves it to the end.
 */
export class MemoryRecords<V> implements Records<V> {
  readonly #entries = new Map<string, Entry<V>>();
  readonly #spent = new Map<string, number>();

  constructor(
    readonly cap: number,
    readonly now: () => number = Date.now,
  ) {}

  get size(): number {
    return this.#entries.size;
  }

  /** The ids kept, oldest first (tests). */
  ids(): string[] {
    return [...this.#entries.keys()];
  }

  async put(id: string, value: V, options: PutOptions): Promise<void> {
    if (options.existing && !this.#live(id)) return;
    this.#entries.delete(id);
    while (this.#entries.size >= this.cap) this.#entries.delete(this.#entries.keys().next().value as string);
    this.#entries.set(id, { value, expiresAt: this.now() + options.ttlMs, tags: options.tags });
  }

  #live(id: string): Entry<V> | undefined {
    const entry = this.#entries.get(id);
    if (entry && entry.expiresAt <= this.now()) {
      this.#entries.delete(id);
      return undefined;
    }
    return entry;
  }

  async get(id: string): Promise<V | undefined> {
    return this.#live(id)?.value;
  }

  async take(id: string): Promise<V | undefined> {
    const entry = this.#live(id);
    this.#entries.delete(id);
    return entry?.value;
  }

  async delete(id: string): Promise<void> {
    this.#entries.delete(id);
  }

  async spend(id: string, ttlMs: number): Promise<boolean> {
    // Checked and marked with no await between: concurrent callers in this process see one another.
    if (this.#isSpent(id)) return false;
    while (this.#spent.size >= this.cap) this.#spent.delete(this.#spent.keys().next().value as string);
    this.#spent.set(id, this.now() + ttlMs);
    return true;
  }

  async spent(id: string): Promise<boolean> {
    return this.#isSpent(id);
  }

  #isSpent(id: string): boolean {
    const until = this.#spent.get(id);
    if (until !== undefined && until <= this.now()) this.#spent.delete(id);
    return until !== undefined && until > this.now();
  }

  async deleteTagged(tag: string): Promise<void> {
    for (const [id, entry] of this.#entries) if (entry.tags?.includes(tag)) this.#entries.delete(id);
  }
}

/** The memory factory: every kind capped at `cap` (config.memory.storeCap), or its own lower cap. */
export const memoryRecords =
  (cap: number): RecordsFactory =>
  <V>(_name: string, _codec: Codec<V>, own?: number) =>
    new MemoryRecords<V>(Math.min(cap, own ?? cap));

/** How long a record is kept for a lifetime checked when presented: long enough to answer «expired». */
export const keptFor = (lifetimeSeconds: number) => Math.max(lifetimeSeconds * 6000, 30 * 60_000);

/**
 * A record that refers to its run (`run`, optional): written as the run's id, read back as the run,
 * and absent when that run is gone.
 */
export function withRun<V extends { run?: R }, R extends { id: string }>(runs: {
  get(id: string | undefined): R | undefined;
}): Codec<V> {
  return {
    encode: (value) => ({ ...value, run: value.run?.id }),
    decode: (json) => {
      const record = json as Omit<V, 'run'> & { run?: string };
      if (record.run === undefined) return record as unknown as V;
      const run = runs.get(record.run);
      return run ? ({ ...record, run } as unknown as V) : undefined;
    },
  };
}
