/*
 * Phase 3, the scenario suite: wall time and CPU of `scenarios/cli.ts`, the whole HTTP scenario suite.
 */
import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { children, OtherLoad, processCpuMs, repoRoot } from '../emulator.ts';
import { counted, type Attempt, type Measure } from '../measure.ts';
import { summarise, type Summary } from '../stats.ts';

export interface SuiteRun {
  wallMs: number;
  exitCode: number | null;
  /** CPU of the suite process, from its last /proc sample (every 50 ms), ms. */
  cpuMs: number;
  otherCores: number;
  lastLines: string;
}

async function suiteOnce(): Promise<SuiteRun> {
  const others = new OtherLoad();
  const started = performance.now();
  const child = spawn(process.execPath, ['--import', 'tsx', 'scenarios/cli.ts'], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let out = '';
  const keep = (chunk: Buffer) => {
    out = (out + chunk.toString('utf8')).slice(-4000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  let exitCode: number | null | undefined;
  const exited = new Promise<void>((ok) =>
    child.once('exit', (code) => {
      exitCode = code;
      ok();
    }),
  );
  const wallDeadline = started + 5 * 60_000;
  let cpuMs = 0;
  // /proc/<pid> disappears at exit, so sample while it runs; the last 50 ms are missed, which is noise-level.
  while (exitCode === undefined) {
    try {
      cpuMs = processCpuMs(child.pid!);
    } catch {
      // Already gone.
    }
    if (performance.now() > wallDeadline) child.kill('SIGKILL');
    await Promise.race([exited, sleep(50)]);
  }
  children.delete(child);
  const wallMs = performance.now() - started;
  return {
    wallMs,
    exitCode,
    cpuMs,
    otherCores: others.cores(cpuMs),
    lastLines: out.trim().split('\n').slice(-3).join('\n'),
  };
}

export interface SuiteResult {
  runs: Array<Attempt<SuiteRun>>;
  wall: Summary;
  allPassed: boolean;
}

export async function benchSuite(measure: Measure): Promise<SuiteResult> {
  const { plan } = measure;
  const runs: Array<Attempt<SuiteRun>> = [];
  for (let i = 1; i <= plan.suiteRuns; i++) {
    runs.push(
      ...(await measure.measured(
        suiteOnce,
        (r) =>
          `  run ${i}/${plan.suiteRuns}: ${(r.wallMs / 1000).toFixed(2)} s, ${(r.cpuMs / 1000).toFixed(2)} s CPU, exit ${r.exitCode}${r.exitCode === 0 ? '' : `\n${r.lastLines}`}`,
      )),
    );
  }
  return { runs, wall: summarise(counted(runs).map((r) => r.wallMs)), allPassed: runs.every((r) => r.exitCode === 0) };
}
