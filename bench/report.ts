/*
 * The bench's closing summary: one block per phase, medians with min–max over undisturbed runs, and
 * the CPU profile's tables when it was taken. Every raw number is in out/bench-results.json.
 */
import { share, type Measure, type Plan } from './measure.ts';
import type { LoadResult } from './phases/load.ts';
import type { ProfileResult } from './phases/profile.ts';
import type { StartupResult } from './phases/startup.ts';
import type { SuiteResult } from './phases/suite.ts';
import type { ProfileSummary } from './profile.ts';
import { fmt, median } from './stats.ts';

/** What the bench writes to out/bench-results.json: the machine, the plan, and each phase's result. */
export type Results = Record<string, unknown> & { nproc: number };

export function printSummary(
  results: Results,
  measure: Measure,
  loads: Array<{ at: string; loadavg: number[] }>,
): void {
  const { plan } = measure;
  console.log(`\n══ Summary (${plan.mode}; median (min–max) over undisturbed runs) ══`);
  const startup = results.startup as StartupResult | undefined;
  if (startup) {
    console.log(
      `Start-up to ready   ${fmt(startup.readyMs, 0)} ms (CPU ${fmt(startup.cpuMs, 0)} ms; runs ${share(startup.runs)}); first run incl. key generation ${startup.firstRunWithKeygen.readyMs.toFixed(0)} ms`,
    );
  }
  for (const [title, load] of [
    ['Full sign-ins', results.load],
    ['Reference (bare oidc-provider, same driver)', results.reference],
  ] as Array<[string, LoadResult | undefined]>) {
    if (!load) continue;
    console.log(`${title}, ${plan.loadSeconds} s per run`);
    console.log(
      '  personas    conc  runs  logins/s             p50 ms                p95 ms                server CPU ms/login  main thread ms/login  driver CPU ms/login  lock wait ms  errors',
    );
    for (const s of load.summary) {
      console.log(
        `  ${s.personas.padEnd(11)} ${String(s.concurrency).padStart(4)}  ${s.runsUsed.padEnd(4)}  ${fmt(s.loginsPerSec).padEnd(20)} ${fmt(s.p50).padEnd(21)} ${fmt(s.p95).padEnd(21)} ${fmt(s.serverCpuMsPerLogin, 2).padEnd(20)} ${fmt(s.serverMainThreadMsPerLogin, 2).padEnd(21)} ${fmt(s.driverCpuMsPerLogin, 2).padEnd(20)} ${s.lockWaitMsPerLogin.median.toFixed(1).padEnd(12)}  ${s.errors}`,
      );
    }
    console.log(
      `  (spread: ${load.personasSpread.join(', ')}; loop i signs in as persona i mod n. Lock wait: driver-side, see bench/login.ts)`,
    );
    // CPU time per sign-in barely moves when other processes steal cores, unlike rates and latencies.
    const server = median(load.runs.map((r) => r.serverCpuMsPerLogin));
    const main = median(load.runs.map((r) => r.serverMainThreadMsPerLogin));
    const driver = median(load.runs.map((r) => r.driverCpuMsPerLogin));
    console.log(
      `  CPU per sign-in over all ${load.runs.length} runs: server ${server.toFixed(2)} ms (main thread ${main.toFixed(2)}), driver ${driver.toFixed(2)} ms ⇒ ceilings ≈ ${(1000 / main).toFixed(0)}/s for one main thread, ≈ ${((1000 * results.nproc) / (server + driver)).toFixed(0)}/s for this box's ${results.nproc} cores with the driver on them`,
    );
  }
  const suite = results.suite as SuiteResult | undefined;
  if (suite) {
    const s = suite.wall;
    console.log(
      `Scenario suite      ${fmt({ ...s, median: s.median / 1000, min: s.min / 1000, max: s.max / 1000 }, 2)} s (runs ${share(suite.runs)}); exit codes ${suite.runs.map((r) => r.exitCode).join(', ')}`,
    );
  }
  console.log(
    `Waited for lulls: ${(measure.quietWaitedMs / 1000).toFixed(0)} s of a ${plan.quietBudgetSeconds} s budget`,
  );
  console.log(`Load averages at phase starts: ${loads.map((l) => `${l.at} ${l.loadavg.join('/')}`).join('; ')}`);
  if (results.profile) printProfile(results.profile as ProfileResult, plan);
}

function printProfile(p: ProfileResult, plan: Plan): void {
  console.log(
    `\nCPU profile of the emulator: ${plan.profileSeconds} s at c=${plan.profileConcurrency} (ivanov), ${p.loginsPerSec.toFixed(1)} logins/s, ${p.logins} logins, others ${p.otherCores.toFixed(2)} cores`,
  );
  console.log(`  main thread: busy ${p.busyMs.toFixed(0)} ms, idle ${p.idleMs.toFixed(0)} ms; ${p.file}`);
  console.log(
    '  (samples are wall-clock: when the cores are oversubscribed, time waiting for a core lands on the frame that was running, often a syscall)',
  );
  const table = (title: string, rows: ProfileSummary['topSelf'], n: number) => {
    console.log(`  ${title}`);
    for (const r of rows.slice(0, n))
      console.log(`    ${r.pct.toFixed(1).padStart(5)}%  ${r.ms.toFixed(0).padStart(6)} ms  ${r.name}`);
  };
  table('self time by package / folder:', p.byPackage, 15);
  table('top self time by function:', p.topSelf, 25);
  table('inclusive time of project functions:', p.projectInclusive, 15);
}
