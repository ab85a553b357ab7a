/*
 * `npm run bench`: a benchmark, not a test. Measures and prints, as medians with min–max:
 *   1. start-up: spawn `node build/start.js` (what npm start runs) → first 200 from /__health/ready (and the first
 *      run, which generates the keys, on its own);
 *   2. full sign-ins per second against one emulator process at concurrency 1, 4 and 8, with one
 *      persona and spread over every persona that signs in without extra screens; latency p50/p95
 *      and the server's CPU time per sign-in (from /proc);
 *   3. the same sign-ins against bench/reference.ts, a bare oidc-provider with the same two steps,
 *      so the emulator's figures can be read against what the library alone does on this machine;
 *   4. wall time of the scenario suite (`scenarios/cli.ts`).
 * CPU used by other processes on the machine is measured during every run: each run first waits
 * (bounded) for a lull, a run they disturbed anyway is repeated once, and disturbed runs are left
 * out of the medians whenever an undisturbed one exists.
 * Writes every raw number to out/bench-results.json. Traffic goes to localhost only; every loop
 * and wait is bounded and a watchdog ends the run if something hangs.
 * Options: `npm run bench -- --help`. This file is the command line and the order of the phases; each
 * phase is in bench/phases/, the repeating and counting of runs in bench/measure.ts, and the closing
 * summary in bench/report.ts.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseCli } from '../lib/cli.ts';
import { killAll, repoRoot } from './emulator.ts';
import { Measure, planFor } from './measure.ts';
import { benchLoad, type LoadResult } from './phases/load.ts';
import { benchProfile } from './phases/profile.ts';
import { benchStartup } from './phases/startup.ts';
import { benchSuite } from './phases/suite.ts';
import { printSummary, type Results } from './report.ts';

const { values: args } = parseCli({
  command: 'npm run bench --',
  summary:
    'Measures start-up, sign-ins per second (beside a bare oidc-provider) and the scenario suite; writes out/bench-results.json.',
  options: {
    quick: { type: 'boolean', help: '1 repetition, 2 s per load level, no waiting for lulls, no repeats' },
    profile: { type: 'boolean', help: 'also run the emulator once under --cpu-prof during load and summarise it' },
    only: { type: 'string', value: 'a,b', help: 'phases to run: startup, load, reference, suite, profile' },
  },
});
const quick = Boolean(args.quick);
const phases = new Set(
  args.only
    ? args.only.split(',').map((p) => p.trim())
    : ['startup', 'load', 'reference', 'suite', ...(args.profile ? ['profile'] : [])],
);
for (const p of phases) {
  if (!['startup', 'load', 'reference', 'suite', 'profile'].includes(p)) {
    console.error(`Unknown phase "${p}". Phases: startup, load, reference, suite, profile.`);
    process.exit(2);
  }
}

const plan = planFor(quick);
const measure = new Measure(plan);

/** Ends a hung run: a benchmark must stop by itself. A full run takes 3–10 minutes (longer on a busy machine). */
const watchdog = setTimeout(
  () => {
    console.error('bench: watchdog fired; stopping everything it started.');
    killAll();
    process.exit(3);
  },
  (quick ? 6 : 30) * 60_000,
);
process.on('SIGINT', () => {
  killAll();
  process.exit(130);
});

/** Load averages at each phase boundary, for the record. */
const loads: Array<{ at: string; loadavg: number[] }> = [];
const noteLoad = (at: string) => loads.push({ at, loadavg: loadavg().map((l) => Math.round(l * 100) / 100) });

/** Commit measured, and files outside bench/ that differ from it (then the figures are for uncommitted code). */
function revision(): { commit: string; dirty: string[] } {
  try {
    const git = (...args: string[]) =>
      execFileSync('git', args, { cwd: repoRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    const commit = git('rev-parse', 'HEAD').trim();
    const dirty = git('status', '--porcelain')
      .split('\n')
      .map((l) => l.slice(3))
      .filter((f) => f && !f.startsWith('bench/'));
    return { commit, dirty };
  } catch {
    return { commit: 'unknown (not a git checkout)', dirty: [] };
  }
}

function nproc(): number {
  try {
    return Number(execFileSync('nproc', { encoding: 'utf8' }).trim());
  } catch {
    return availableParallelism();
  }
}

async function main(): Promise<number> {
  const root = await mkdtemp(join(tmpdir(), 'esia-bench-'));
  const results: Results = {
    date: new Date().toISOString(),
    mode: plan.mode,
    nproc: nproc(),
    cpu: cpus()[0]?.model ?? 'unknown',
    node: process.version,
    ...revision(),
    platform: `${process.platform} ${process.arch}`,
    scryptN: 'default (1024)',
    plan,
    loads,
  };
  let ok = true;
  console.log(`esia-emulator bench (${plan.mode}) — node ${process.version}, nproc ${results.nproc}, ${results.cpu}`);
  const dirty = results.dirty as string[];
  console.log(
    `commit ${results.commit}${dirty.length ? `, with ${dirty.length} uncommitted change(s) outside bench/` : ''}`,
  );
  try {
    if (phases.has('startup')) {
      noteLoad('startup');
      console.log(`\n[1] start-up: spawn → /__health/ready 200 (ESIA_RP=off), ${plan.startupRuns} runs`);
      results.startup = await benchStartup(root, measure);
    }
    if (phases.has('load')) {
      noteLoad('load');
      console.log(
        `\n[2] full sign-ins: ${plan.loadRepetitions} × ${plan.loadSeconds} s per level, each after ${plan.warmupLogins} warm-up sign-ins`,
      );
      const load = await benchLoad(root, measure);
      results.load = load;
      if (load.summary.some((s) => s.errors > 0)) ok = false;
    }
    if (phases.has('reference')) {
      noteLoad('reference');
      console.log(`\n[2b] the same sign-ins against a bare oidc-provider with the same two steps (bench/reference.ts)`);
      const reference = await benchLoad(
        root,
        measure,
        'reference',
        (results.load as LoadResult | undefined)?.personasSpread,
      );
      results.reference = reference;
      if (reference.summary.some((s) => s.errors > 0)) ok = false;
    }
    if (phases.has('suite')) {
      noteLoad('suite');
      console.log(`\n[3] scenario suite: node --import tsx scenarios/cli.ts, ${plan.suiteRuns} runs`);
      const suite = await benchSuite(measure);
      results.suite = suite;
      if (!suite.allPassed) ok = false;
    }
    if (phases.has('profile')) {
      noteLoad('profile');
      console.log(
        `\n[4] CPU profile: emulator under --cpu-prof, ${plan.profileSeconds} s at c=${plan.profileConcurrency}`,
      );
      results.profile = await benchProfile(root, plan);
    }
    noteLoad('end');
  } finally {
    await rm(root, { recursive: true, force: true });
  }

  results.quietWaitedMs = measure.quietWaitedMs;
  const outFile = join(repoRoot, 'out', 'bench-results.json');
  await mkdir(join(repoRoot, 'out'), { recursive: true });
  await writeFile(outFile, `${JSON.stringify(results, null, 2)}\n`);

  printSummary(results, measure, loads);
  console.log(`\nRaw numbers: ${outFile}`);
  return ok ? 0 : 1;
}

main().then(
  (code) => {
    clearTimeout(watchdog);
    process.exit(code);
  },
  (error: Error) => {
    console.error(`bench failed: ${error.stack ?? error.message}`);
    killAll();
    process.exit(2);
  },
);
