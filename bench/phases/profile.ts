/*
 * Phase 4 (optional), a CPU profile under load: the emulator once under --cpu-prof at one
 * concurrency, the profile of its main thread cut to the load window and summarised (bench/profile.ts).
 */
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { repoRoot, startEmulator } from '../emulator.ts';
import type { Plan } from '../measure.ts';
import { summariseProfile, type ProfileSummary } from '../profile.ts';
import { loadRun, plainPersonas, warmProcess, writeClients, type LoadRun } from './sign_ins.ts';

export type ProfileResult = ProfileSummary & {
  logins: number;
  loginsPerSec: number;
  serverCpuMsPerLogin: number;
  otherCores: number;
};

export async function benchProfile(root: string, plan: Plan): Promise<ProfileResult> {
  const clientsFile = await writeClients(root);
  const dir = join(repoRoot, 'out', 'bench-profile');
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const em = await startEmulator({
    dataDir: join(root, 'data-profile'),
    keysDir: join(root, 'keys'),
    clientsFile,
    nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${dir}`],
  });
  let run: LoadRun;
  let window: [number, number] = [0, Number.POSITIVE_INFINITY];
  try {
    const plain = await plainPersonas();
    await warmProcess(em, plan, plain);
    const ivanov = plain.filter((p) => p.persona === 'ivanov');
    run = await loadRun(em, plan, ivanov, 'ivanov', plan.profileConcurrency, 1, plan.profileSeconds, (from, to) => {
      // Bench time since spawn; the profiler starts a little after spawn (node boot), so trim both ends.
      window = [from - em.spawnedAt + 100, to - em.spawnedAt - 100];
    });
    console.log(
      `  ${run.loginsPerSec.toFixed(1)} logins/s, ${run.serverCpuMsPerLogin.toFixed(2)} ms server CPU/login (profiler overhead included), others ${run.otherCores.toFixed(2)} cores`,
    );
  } finally {
    await em.stop();
  }
  // Worker threads (tsx's loader) write their own profiles; the main thread's is the largest.
  const files = await Promise.all(
    (await readdir(dir))
      .filter((f) => f.endsWith('.cpuprofile'))
      .map(async (f) => ({ f, size: (await stat(join(dir, f))).size })),
  );
  const main = files.sort((a, b) => b.size - a.size)[0];
  if (!main) throw new Error(`no .cpuprofile written to ${dir}`);
  const summary = await summariseProfile(join(dir, main.f), repoRoot, window[0], window[1]);
  return {
    ...summary,
    logins: run.logins,
    loginsPerSec: run.loginsPerSec,
    serverCpuMsPerLogin: run.serverCpuMsPerLogin,
    otherCores: run.otherCores,
  };
}
