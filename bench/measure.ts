/*
 * How the bench repeats and counts runs: the plan (how many runs, how long, how patient), and the
 * rule that a run disturbed by other processes is repeated once and left out of the medians
 * whenever an undisturbed one exists.
 */
import { awaitQuiet } from './emulator.ts';

export function planFor(quick: boolean) {
  return {
    mode: quick ? 'quick' : 'full',
    startupRuns: quick ? 1 : 5,
    loadRepetitions: quick ? 1 : 3,
    loadSeconds: quick ? 2 : 5,
    warmupLogins: 20,
    /** Once per emulator process before anything is measured: 20 sign-ins leave V8 far from steady state. */
    processWarmupSeconds: quick ? 3 : 15,
    concurrency: [1, 4, 8],
    suiteRuns: quick ? 1 : 3,
    profileSeconds: quick ? 3 : 8,
    profileConcurrency: 4,
    /** A run during which other processes used more CPU than this (in cores) counts as disturbed. */
    disturbedCores: 0.25,
    /** Extra attempts for a disturbed run. */
    retries: quick ? 0 : 1,
    /** Before each run, wait up to this long for other processes to go quiet… */
    quietWaitSeconds: quick ? 0 : 10,
    /** …but no more than this in total over the whole bench. */
    quietBudgetSeconds: quick ? 0 : 180,
  };
}

export type Plan = ReturnType<typeof planFor>;

export type Attempt<T> = T & { attempt: number; disturbed: boolean; quietWaitMs: number };

/** Runs measurements under one plan, spending one budget of waiting for lulls over the whole bench. */
export class Measure {
  #quietBudgetMs: number;

  constructor(readonly plan: Plan) {
    this.#quietBudgetMs = plan.quietBudgetSeconds * 1000;
  }

  /** How long the bench has waited for lulls so far. */
  get quietWaitedMs(): number {
    return this.plan.quietBudgetSeconds * 1000 - this.#quietBudgetMs;
  }

  /**
   * Runs `once` until other processes leave it alone, at most 1 + plan.retries times, each attempt
   * after waiting (bounded) for a lull; returns every attempt. `pids`: the bench's idle children.
   */
  async measured<T extends { otherCores: number }>(
    once: () => Promise<T>,
    show: (r: Attempt<T>) => string,
    pids: number[] = [],
  ): Promise<Array<Attempt<T>>> {
    const { plan } = this;
    const out: Array<Attempt<T>> = [];
    for (let attempt = 1; attempt <= 1 + plan.retries; attempt++) {
      const wait = Math.min(plan.quietWaitSeconds * 1000, this.#quietBudgetMs);
      const quietWaitMs = wait > 0 ? await awaitQuiet(plan.disturbedCores, wait, pids) : 0;
      this.#quietBudgetMs -= quietWaitMs;
      const r = await once();
      const disturbed = r.otherCores > plan.disturbedCores;
      const a = { ...r, attempt, disturbed, quietWaitMs };
      out.push(a);
      console.log(
        `${show(a)}  others ${r.otherCores.toFixed(2)} cores${quietWaitMs >= 1000 ? ` (after ${(quietWaitMs / 1000).toFixed(0)} s wait)` : ''}${disturbed ? `  DISTURBED${attempt <= plan.retries ? ', again' : ''}` : ''}`,
      );
      if (!disturbed) break;
    }
    return out;
  }
}

/** What a median is taken over: the undisturbed runs, or every run when all were disturbed. */
export function counted<T extends { disturbed: boolean }>(runs: T[]): T[] {
  const clean = runs.filter((r) => !r.disturbed);
  return clean.length ? clean : runs;
}

export const share = (runs: Array<{ disturbed: boolean }>) =>
  `${runs.filter((r) => !r.disturbed).length}/${runs.length}`;
