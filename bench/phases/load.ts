/*
 * Phases 2 and 2b, sign-ins under load: full sign-ins per second against one process at each
 * concurrency level, with one persona and spread over every persona that signs in without extra
 * screens; against the emulator, or against bench/reference.ts (a bare oidc-provider with the same
 * two steps) so the emulator's figures can be read against what the library alone does.
 */
import { join } from 'node:path';
import { startEmulator } from '../emulator.ts';
import { DriverLocks, login, type Persona } from '../login.ts';
import { counted, share, type Attempt, type Measure } from '../measure.ts';
import { summarise, type Summary } from '../stats.ts';
import { client, loadRun, plainPersonas, warmProcess, writeClients, type LoadRun } from './sign_ins.ts';

export interface LevelSummary {
  personas: string;
  concurrency: number;
  /** Undisturbed runs / all runs of this level. */
  runsUsed: string;
  loginsPerSec: Summary;
  p50: Summary;
  p95: Summary;
  serverCpuMsPerLogin: Summary;
  serverMainThreadMsPerLogin: Summary;
  driverCpuMsPerLogin: Summary;
  lockWaitMsPerLogin: Summary;
  errors: number;
}

export interface LoadResult {
  emulatorReadyMs: number;
  personasSpread: string[];
  runs: Array<Attempt<LoadRun>>;
  summary: LevelSummary[];
}

/** What is put under load: the emulator, or the bare oidc-provider reference (bench/reference.ts). */
export type Server = 'emulator' | 'reference';

/** `personas`: sign in only as these (the reference takes the emulator's list, so both serve the same mix). */
export async function benchLoad(
  root: string,
  measure: Measure,
  server: Server = 'emulator',
  personas?: string[],
): Promise<LoadResult> {
  const { plan } = measure;
  const clientsFile = await writeClients(root);
  const em = await startEmulator({
    dataDir: join(root, `data-${server}`),
    keysDir: join(root, 'keys'),
    clientsFile,
    ...(server === 'reference' ? { entry: ['--import', 'tsx', 'bench/reference.ts'] } : {}),
  });
  try {
    // Keep only personas that really sign in without extra screens on this emulator.
    const spread: Persona[] = [];
    for (const p of (await plainPersonas()).filter((p) => !personas || personas.includes(p.persona))) {
      try {
        await login({ base: em.url, ...client }, p, new DriverLocks());
        spread.push(p);
      } catch (error) {
        console.log(`  persona ${p.persona} left out: ${(error as Error).message}`);
      }
    }
    const single = spread.filter((p) => p.persona === 'ivanov');
    if (single.length === 0) throw new Error('persona ivanov cannot sign in: fix the fixtures before benchmarking');
    const spreadLabel = `${spread.length} personas`;
    console.log(`  spread over: ${spread.map((p) => p.persona).join(', ')}`);
    await warmProcess(em, plan, spread);

    // Repetitions outermost, so slow drift of the machine spreads over every level instead of biasing one.
    const runs: Array<Attempt<LoadRun>> = [];
    for (let rep = 1; rep <= plan.loadRepetitions; rep++) {
      for (const [label, personas] of [
        ['ivanov', single],
        [spreadLabel, spread],
      ] as const) {
        for (const c of plan.concurrency) {
          // With one loop nothing is shared, so spreading cannot differ from one persona.
          if (personas === spread && c === 1) continue;
          const attempts = await measure.measured(
            () => loadRun(em, plan, personas, label, c, rep, plan.loadSeconds),
            (r) =>
              `  rep ${rep} ${label.padEnd(10)} c=${c}: ${r.loginsPerSec.toFixed(1).padStart(6)}/s  p50 ${r.latencyMs.p50.toFixed(1)} ms  p95 ${r.latencyMs.p95.toFixed(1)} ms  server ${r.serverCpuMsPerLogin.toFixed(2)} ms CPU/login, main thread ${r.serverMainThreadMsPerLogin.toFixed(2)} (${r.serverCores.toFixed(2)} cores, ${(100 * r.serverSystemShare).toFixed(0)}% sys)  driver ${r.driverCpuMsPerLogin.toFixed(2)} ms  lock wait ${r.driverLockWaitMsPerLogin.toFixed(1)} ms${r.errors ? `  ERRORS ${r.errors}: ${r.firstError}` : ''}`,
            [em.pid],
          );
          runs.push(...attempts);
        }
      }
    }
    const summary: LevelSummary[] = [];
    for (const label of ['ivanov', spreadLabel]) {
      for (const c of plan.concurrency) {
        const all = runs.filter((r) => r.personas === label && r.concurrency === c);
        if (!all.length) continue;
        const rs = counted(all);
        summary.push({
          personas: label,
          concurrency: c,
          runsUsed: share(all),
          loginsPerSec: summarise(rs.map((r) => r.loginsPerSec)),
          p50: summarise(rs.map((r) => r.latencyMs.p50)),
          p95: summarise(rs.map((r) => r.latencyMs.p95)),
          serverCpuMsPerLogin: summarise(rs.map((r) => r.serverCpuMsPerLogin)),
          serverMainThreadMsPerLogin: summarise(rs.map((r) => r.serverMainThreadMsPerLogin)),
          driverCpuMsPerLogin: summarise(rs.map((r) => r.driverCpuMsPerLogin)),
          lockWaitMsPerLogin: summarise(rs.map((r) => r.driverLockWaitMsPerLogin)),
          errors: all.reduce((sum, r) => sum + r.errors, 0),
        });
      }
    }
    return { emulatorReadyMs: em.readyMs, personasSpread: spread.map((p) => p.persona), runs, summary };
  } finally {
    await em.stop();
  }
}
