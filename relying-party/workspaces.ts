/*
 * A relying party's state per run of the stand. The emulator isolates runs (POST /__control/runs on
 * it); a scenario playing in run X signs in as run X's personas and must meet a register, documents
 * and a clock of its own here too, or two lanes of the suite would edit one person's data at once.
 * The run is the one the stand names: the `esia_run` cookie (cookies ignore the port, so the cookie the
 * runner sets for the emulator reaches the relying parties on localhost too), or `X-Esia-Run` /
 * `?run=` on a control call. The main run is persisted in the data folder; the others live in memory,
 * made on first use and forgotten after two idle hours.
 */
import type { Context } from 'koa';
import { ControlledClock } from '../lib/clock.ts';
import { Store } from '../lib/store/store.ts';
import { baselineData, type RpData, rpDataProblem, type Seed, type Seeder } from './data.ts';
import type { Postman } from './postman.ts';

export const mainRun = 'main';
const runCookie = 'esia_run';
/** The emulator's run ids (idp/runs.ts): anything else is not a run, so it cannot grow the map. */
const runId = /^run-[0-9a-f]{12}$/;
const idleLimitMs = 2 * 60 * 60 * 1000;
const maxRuns = 200;

/** Where a run's data lives: the main run's file (lib/store Store), or memory. */
interface Backing {
  readonly data: RpData;
  changed(): void;
  replace(data: RpData): void;
  flush(): Promise<void>;
}

class MemoryBacking implements Backing {
  constructor(public data: RpData) {}
  changed(): void {}
  replace(data: RpData): void {
    this.data = data;
  }
  async flush(): Promise<void> {}
}

export class Workspace {
  /** Every date the relying party shows or decides by (days left, 7 days on review, 12 months of history). */
  readonly clock = new ControlledClock();
  lastUsedAt = Date.now();

  constructor(
    readonly id: string,
    private readonly backing: Backing,
    /** The relying party's outgoing e-mail (notifications.ts sends through it); undefined: no e-mail. */
    readonly postman?: Postman,
  ) {}

  get data(): RpData {
    return this.backing.data;
  }

  /** Call after mutating data: the main run's file is written (coalesced), the others are memory. */
  changed(): void {
    this.backing.changed();
  }

  /** Resolves once the main run's data as of now is on disk (at once for the other runs). */
  durable(): Promise<void> {
    return this.backing.flush();
  }

  replace(data: RpData): void {
    this.backing.replace(data);
  }
}

/** What a feature does when its run is reset, besides the data going back to the seed (e.g. delete uploaded files). */
export type ResetHook = (workspace: Workspace) => Promise<void>;

export class Workspaces {
  readonly #runs = new Map<string, Workspace>();
  readonly #resetHooks: ResetHook[] = [];

  private constructor(
    private readonly store: Store<RpData>,
    private readonly seed: () => Promise<Seed>,
    private readonly seeders: readonly Seeder[],
    readonly main: Workspace,
    private readonly postman: Postman | undefined,
  ) {}

  /** Opens (and locks) the main run's file; creates it from the seed when it does not exist. */
  static async open(
    path: string,
    {
      seed,
      seeders,
      flushDelayMs = 200,
      postman,
    }: { seed: () => Promise<Seed>; seeders: readonly Seeder[]; flushDelayMs?: number; postman?: Postman },
  ): Promise<Workspaces> {
    const first = await seed();
    const store = await Store.open(path, () => baselineData(first, Date.now(), seeders), {
      flushDelayMs,
      validate: rpDataProblem,
    });
    return new Workspaces(store, seed, seeders, new Workspace(mainRun, store, postman), postman);
  }

  /** A feature's own cleanup on reset, registered once at start. */
  onReset(hook: ResetHook): void {
    this.#resetHooks.push(hook);
  }

  /** The run a page request belongs to: its `esia_run` cookie, else the main run. */
  forPage(ctx: Context): Promise<Workspace> {
    return this.get(ctx.cookies.get(runCookie, { signed: false }));
  }

  /** The run a control call names (`X-Esia-Run` or `?run=`), else the main run. */
  forControl(ctx: Context): Promise<Workspace> {
    const named = ctx.get('x-esia-run') || (typeof ctx.query.run === 'string' ? ctx.query.run : undefined);
    return this.get(named);
  }

  /** The workspace of a run id; an unknown or malformed id is the main run's only when absent. */
  async get(id: string | undefined): Promise<Workspace> {
    if (!id || id === mainRun || !runId.test(id)) return this.main;
    const known = this.#runs.get(id);
    if (known) {
      known.lastUsedAt = Date.now();
      return known;
    }
    this.#expire();
    const workspace = new Workspace(
      id,
      new MemoryBacking(baselineData(await this.seed(), Date.now(), this.seeders)),
      this.postman,
    );
    this.#runs.set(id, workspace);
    return workspace;
  }

  /**
   * Back to the seed: the data regenerated from the fixtures (re-read, so edits apply without a
   * restart) at the clock's instant, after the clock is set when `at` is given, then each feature's hook.
   */
  async reset(workspace: Workspace, at?: { instant: number; frozen: boolean }): Promise<void> {
    if (at) workspace.clock.set(at.instant, at.frozen);
    else workspace.clock.reset();
    workspace.replace(baselineData(await this.seed(), workspace.clock.now(), this.seeders));
    for (const hook of this.#resetHooks) await hook(workspace);
    await workspace.durable();
  }

  /** The runs in memory now, the main run first. */
  list(): Workspace[] {
    return [this.main, ...this.#runs.values()];
  }

  close(): Promise<void> {
    return this.store.close();
  }

  #expire(): void {
    const now = Date.now();
    for (const [id, ws] of this.#runs) if (now - ws.lastUsedAt > idleLimitMs) this.#runs.delete(id);
    // Past the cap the least recently used goes: its scenario has long finished.
    while (this.#runs.size >= maxRuns) {
      const oldest = [...this.#runs.values()].sort((a, b) => a.lastUsedAt - b.lastUsedAt)[0]!;
      this.#runs.delete(oldest.id);
    }
  }
}
