/*
 * Phase 1, start-up: spawn `node build/start.js` (what npm start runs) → first 200 from
 * /__health/ready, with the first run (which generates the keys) on its own.
 */
import { join } from 'node:path';
import { startEmulator } from '../emulator.ts';
import { counted, type Attempt, type Measure } from '../measure.ts';
import { summarise, type Summary } from '../stats.ts';

interface StartupRun {
  readyMs: number;
  cpuMs: number;
  otherCores: number;
}

export interface StartupResult {
  firstRunWithKeygen: StartupRun;
  runs: Array<Attempt<StartupRun>>;
  readyMs: Summary;
  cpuMs: Summary;
}

export async function benchStartup(root: string, measure: Measure): Promise<StartupResult> {
  const { plan } = measure;
  // One keys folder for all runs: the first run generates the RSA key, the others reuse it.
  const keysDir = join(root, 'keys');
  let n = 0;
  const once = async (): Promise<StartupRun> => {
    const em = await startEmulator({ dataDir: join(root, `data-startup-${n++}`), keysDir });
    await em.stop();
    return { readyMs: em.readyMs, cpuMs: em.startupCpuMs, otherCores: em.startupOtherCores };
  };
  const first = await once();
  console.log(
    `  first run (generates keys): ${first.readyMs.toFixed(0)} ms, ${first.cpuMs.toFixed(0)} ms CPU  others ${first.otherCores.toFixed(2)} cores`,
  );
  const runs: Array<Attempt<StartupRun>> = [];
  for (let i = 1; i <= plan.startupRuns; i++) {
    runs.push(
      ...(await measure.measured(
        once,
        (r) => `  run ${i}/${plan.startupRuns}: ${r.readyMs.toFixed(0)} ms, ${r.cpuMs.toFixed(0)} ms CPU`,
      )),
    );
  }
  const used = counted(runs);
  return {
    firstRunWithKeygen: first,
    runs,
    readyMs: summarise(used.map((r) => r.readyMs)),
    cpuMs: summarise(used.map((r) => r.cpuMs)),
  };
}
