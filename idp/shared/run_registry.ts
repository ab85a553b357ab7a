/*
 * The list of isolated runs in Redis, so a run made by POST /__control/runs on one process is usable
 * on every other, and a DELETE on any ends it everywhere. A run unused for two hours (by any
 * process) expires when the next run is made, as in one process.
 */
import { idleLimitMs, mainRun, maxRuns, type Run, type RunRegistry, type Runs, tooManyRuns } from '../runs.ts';
import type { RunStore } from './run_store.ts';
import type { SharedRuns } from './run_sync.ts';

/** How often a process tells Redis that it used a run (the idle clock of every process). */
const touchEveryMs = 60_000;

export class SharedRunRegistry implements RunRegistry {
  readonly #touched = new Map<string, number>();

  constructor(
    readonly store: RunStore,
    readonly runs: Runs,
    readonly shared: () => SharedRuns,
  ) {}

  #key(suffix?: string): string {
    return suffix ? this.store.key('runs', suffix) : this.store.key('runs');
  }

  async nextNumber(): Promise<bigint> {
    return BigInt(await this.store.redis.incr(this.#key('next')));
  }

  async register(run: Run): Promise<void> {
    const redis = this.store.redis;
    const idle = await redis.zrangebyscore(this.#key('used'), 0, Date.now() - idleLimitMs);
    for (const id of idle) await this.unregister(id);
    if ((await redis.hlen(this.#key())) >= maxRuns) throw tooManyRuns();
    await this.shared().publish(run);
    await redis
      .multi()
      .hset(this.#key(), run.id, JSON.stringify({ number: String(run.oidOffset / 10_000_000_000n) }))
      .zadd(this.#key('used'), Date.now(), run.id)
      .incr(this.#key('v'))
      .exec();
  }

  async unregister(id: string): Promise<boolean> {
    const [[, removed] = []] =
      (await this.store.redis.multi().hdel(this.#key(), id).zrem(this.#key('used'), id).incr(this.#key('v')).exec()) ??
      [];
    await this.store.remove(id);
    this.runs.forget(id);
    this.shared().forget(id);
    return removed === 1;
  }

  /** Takes in the runs other processes made, and drops the ones they deleted. */
  async reload(): Promise<void> {
    const listed = await this.store.redis.hgetall(this.#key());
    for (const run of this.runs.list())
      if (run.id !== mainRun && !(run.id in listed)) {
        this.runs.forget(run.id);
        this.shared().forget(run.id);
      }
    const known = new Set(this.runs.list().map((r) => r.id));
    for (const [id, json] of Object.entries(listed))
      if (!known.has(id)) this.runs.add(id, BigInt((JSON.parse(json) as { number: string }).number));
  }

  /** Tells Redis the runs this process used lately (at most once a minute each), for the idle expiry. */
  async touch(): Promise<void> {
    const now = Date.now();
    const due = this.runs
      .list()
      .filter((r) => r.id !== mainRun && r.lastUsedAt - (this.#touched.get(r.id) ?? 0) > touchEveryMs);
    if (!due.length) return;
    for (const run of due) this.#touched.set(run.id, now);
    await this.store.redis.zadd(this.#key('used'), 'XX', 'GT', ...due.flatMap((r) => [r.lastUsedAt, r.id]));
  }
}
