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
 * Options: `npm run bench -- --help`.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { awaitQuiet, children, killAll, mainThreadCpuMs, OtherLoad, processCpu, processCpuMs, repoRoot, startEmulator, type Emulator } from './emulator.ts';
import { DriverLocks, login, type Persona, type Target } from './login.ts';
import { summariseProfile, type ProfileSummary } from './profile.ts';
import { fmt, median, percentile, summarise, type Summary } from './stats.ts';
import { parseCli } from '../lib/cli.ts';

const { values: args } = parseCli({
  command: 'npm run bench --',
  summary: 'Measures start-up, sign-ins per second (beside a bare oidc-provider) and the scenario suite; writes out/bench-results.json.',
  options: {
    quick: { type: 'boolean', help: '1 repetition, 2 s per load level, no waiting for lulls, no repeats' },
    profile: { type: 'boolean', help: 'also run the emulator once under --cpu-prof during load and summarise it' },
    only: { type: 'string', value: 'a,b', help: 'phases to run: startup, load, reference, suite, profile' },
  },
});
const quick = Boolean(args.quick);
const phases = new Set(args.only ? args.only.split(',').map((p) => p.trim()) : ['startup', 'load', 'reference', 'suite', ...(args.profile ? ['profile'] : [])]);
for (const p of phases) {
  if (!['startup', 'load', 'reference', 'suite', 'profile'].includes(p)) {
    console.error(`Unknown phase "${p}". Phases: startup, load, reference, suite, profile.`);
    process.exit(2);
  }
}

const plan = {
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
let quietBudgetMs = plan.quietBudgetSeconds * 1000;

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

const client = { clientId: 'bench', clientSecret: 'bench-local-test-secret', redirectUri: 'http://localhost:9/cb' };

/** Load averages at each phase boundary, for the record. */
const loads: Array<{ at: string; loadavg: number[] }> = [];
const noteLoad = (at: string) => loads.push({ at, loadavg: loadavg().map((l) => Math.round(l * 100) / 100) });

type Attempt<T> = T & { attempt: number; disturbed: boolean; quietWaitMs: number };

/**
 * Runs `once` until other processes leave it alone, at most 1 + plan.retries times, each attempt
 * after waiting (bounded) for a lull; returns every attempt. `pids`: the bench's idle children.
 */
async function measured<T extends { otherCores: number }>(once: () => Promise<T>, show: (r: Attempt<T>) => string, pids: number[] = []): Promise<Array<Attempt<T>>> {
  const out: Array<Attempt<T>> = [];
  for (let attempt = 1; attempt <= 1 + plan.retries; attempt++) {
    const wait = Math.min(plan.quietWaitSeconds * 1000, quietBudgetMs);
    const quietWaitMs = wait > 0 ? await awaitQuiet(plan.disturbedCores, wait, pids) : 0;
    quietBudgetMs -= quietWaitMs;
    const r = await once();
    const disturbed = r.otherCores > plan.disturbedCores;
    const a = { ...r, attempt, disturbed, quietWaitMs };
    out.push(a);
    console.log(`${show(a)}  others ${r.otherCores.toFixed(2)} cores${quietWaitMs >= 1000 ? ` (after ${(quietWaitMs / 1000).toFixed(0)} s wait)` : ''}${disturbed ? `  DISTURBED${attempt <= plan.retries ? ', again' : ''}` : ''}`);
    if (!disturbed) break;
  }
  return out;
}

/** What a median is taken over: the undisturbed runs, or every run when all were disturbed. */
function counted<T extends { disturbed: boolean }>(runs: T[]): T[] {
  const clean = runs.filter((r) => !r.disturbed);
  return clean.length ? clean : runs;
}

const share = (runs: Array<{ disturbed: boolean }>) => `${runs.filter((r) => !r.disturbed).length}/${runs.length}`;

// ─── 1. Start-up ────────────────────────────────────────────────────────────────────────────────

interface StartupRun {
  readyMs: number;
  cpuMs: number;
  otherCores: number;
}

interface StartupResult {
  firstRunWithKeygen: StartupRun;
  runs: Array<Attempt<StartupRun>>;
  readyMs: Summary;
  cpuMs: Summary;
}

async function benchStartup(root: string): Promise<StartupResult> {
  // One keys folder for all runs: the first run generates the RSA key, the others reuse it.
  const keysDir = join(root, 'keys');
  let n = 0;
  const once = async (): Promise<StartupRun> => {
    const em = await startEmulator({ dataDir: join(root, `data-startup-${n++}`), keysDir });
    await em.stop();
    return { readyMs: em.readyMs, cpuMs: em.startupCpuMs, otherCores: em.startupOtherCores };
  };
  const first = await once();
  console.log(`  first run (generates keys): ${first.readyMs.toFixed(0)} ms, ${first.cpuMs.toFixed(0)} ms CPU  others ${first.otherCores.toFixed(2)} cores`);
  const runs: Array<Attempt<StartupRun>> = [];
  for (let i = 1; i <= plan.startupRuns; i++) {
    runs.push(...(await measured(once, (r) => `  run ${i}/${plan.startupRuns}: ${r.readyMs.toFixed(0)} ms, ${r.cpuMs.toFixed(0)} ms CPU`)));
  }
  const used = counted(runs);
  return { firstRunWithKeygen: first, runs, readyMs: summarise(used.map((r) => r.readyMs)), cpuMs: summarise(used.map((r) => r.cpuMs)) };
}

// ─── 2. Sign-ins under load ─────────────────────────────────────────────────────────────────────

interface PersonaFixture extends Persona {
  status: string;
  phoneConfirmed: boolean;
  emailConfirmed: boolean;
  passwordMustChange: boolean;
  passwordChangedAt: string;
  lockedAt: string | null;
  agreementAcceptedAt: string | null;
}

/**
 * Personas whose sign-in is password → code → done: active, phone and e-mail confirmed, not locked,
 * no forced or age-expired password change, agreement already accepted (the emulator's own rules).
 */
async function plainPersonas(): Promise<Persona[]> {
  const { personas } = JSON.parse(await readFile(join(repoRoot, 'config/personas.json'), 'utf8')) as { personas: PersonaFixture[] };
  const maxAgeMs = 180 * 24 * 3600 * 1000;
  return personas
    .filter(
      (p) =>
        p.status === 'active' &&
        p.phoneConfirmed &&
        p.emailConfirmed &&
        !p.passwordMustChange &&
        p.lockedAt === null &&
        p.agreementAcceptedAt !== null &&
        Date.now() - Date.parse(p.passwordChangedAt) <= maxAgeMs,
    )
    .map(({ persona, phone, password }) => ({ persona, phone, password }));
}

interface LoadRun {
  personas: string;
  concurrency: number;
  repetition: number;
  logins: number;
  errors: number;
  firstError?: string;
  elapsedMs: number;
  loginsPerSec: number;
  latencyMs: { p50: number; p95: number; min: number; max: number };
  serverCpuMs: number;
  serverCpuMsPerLogin: number;
  /** CPU of the server's main (JavaScript) thread alone, ms per sign-in: it saturates first. */
  serverMainThreadMsPerLogin: number;
  /** Kernel share of the server's CPU (system / (user + system)). */
  serverSystemShare: number;
  driverCpuMsPerLogin: number;
  /** Time sign-ins waited for the driver's per-persona inbox lock, ms per sign-in. */
  driverLockWaitMsPerLogin: number;
  /** Server CPU / wall time: 1.0 = one core busy the whole window. */
  serverCores: number;
  /** CPU used by other processes on the machine during the window, in cores: the main source of noise. */
  otherCores: number;
}

async function control(em: Emulator, method: string, path: string): Promise<void> {
  const res = await fetch(`${em.url}/__control${path}`, { method, signal: AbortSignal.timeout(15_000) });
  await res.arrayBuffer();
  if (!res.ok) throw new Error(`control ${method} ${path}: ${res.status}`);
}

/** Runs `loops` sign-in loops; loop i signs in as personas[i % n], so with n ≥ loops no two loops share an inbox. */
async function drive(target: Target, personas: Persona[], loops: number, locks: DriverLocks, keepGoing: () => boolean, onDone: (ms: number) => void, onError: (e: Error) => void) {
  await Promise.all(
    Array.from({ length: loops }, async (_, i) => {
      const who = personas[i % personas.length]!;
      while (keepGoing()) {
        const started = performance.now();
        try {
          await login(target, who, locks);
          onDone(performance.now() - started);
        } catch (error) {
          onError(error as Error);
        }
      }
    }),
  );
}

async function loadRun(
  em: Emulator,
  personas: Persona[],
  label: string,
  concurrency: number,
  repetition: number,
  seconds: number,
  onWindow?: (from: number, to: number) => void,
): Promise<LoadRun> {
  const target: Target = { base: em.url, ...client };
  // Each run starts from the fixture baseline, so stored sessions and grants do not pile up across runs.
  await control(em, 'POST', '/reset');

  let warmLeft = plan.warmupLogins;
  const warmErrors: Error[] = [];
  await drive(target, personas, concurrency, new DriverLocks(), () => warmLeft-- > 0, () => {}, (e) => warmErrors.push(e));
  if (warmErrors.length) throw new Error(`warm-up sign-ins failed (${warmErrors.length}/${plan.warmupLogins}): ${warmErrors[0]!.message}`);

  const locks = new DriverLocks();
  const latencies: number[] = [];
  let errors = 0;
  let firstError: string | undefined;
  const cpu0 = processCpu(em.pid);
  const main0 = mainThreadCpuMs(em.pid);
  const others = new OtherLoad();
  const driver0 = process.cpuUsage();
  const t0 = performance.now();
  const deadline = t0 + seconds * 1000;
  await drive(
    target,
    personas,
    concurrency,
    locks,
    // Bounded twice: by time, and by failures if something is broken.
    () => performance.now() < deadline && errors < 200,
    (ms) => latencies.push(ms),
    (e) => {
      errors++;
      firstError ??= e.message;
    },
  );
  // Loops finish their sign-in in flight, so the window is until the last one ends.
  const elapsedMs = performance.now() - t0;
  onWindow?.(t0, t0 + elapsedMs);
  const cpu1 = processCpu(em.pid);
  const mainMs = mainThreadCpuMs(em.pid) - main0;
  const user = cpu1.userMs - cpu0.userMs;
  const system = cpu1.systemMs - cpu0.systemMs;
  const serverCpuMs = user + system;
  const otherCores = others.cores(serverCpuMs);
  const driver = process.cpuUsage(driver0);
  const n = latencies.length;
  return {
    personas: label,
    concurrency,
    repetition,
    logins: n,
    errors,
    ...(firstError ? { firstError } : {}),
    elapsedMs,
    loginsPerSec: (n * 1000) / elapsedMs,
    latencyMs: { p50: percentile(latencies, 50), p95: percentile(latencies, 95), min: Math.min(...latencies), max: Math.max(...latencies) },
    serverCpuMs,
    serverCpuMsPerLogin: serverCpuMs / n,
    serverMainThreadMsPerLogin: mainMs / n,
    serverSystemShare: serverCpuMs ? system / serverCpuMs : 0,
    driverCpuMsPerLogin: (driver.user + driver.system) / 1000 / n,
    driverLockWaitMsPerLogin: locks.waitedMs / n,
    serverCores: serverCpuMs / elapsedMs,
    otherCores,
  };
}

/**
 * Sign-ins at c=4 for a while so both processes reach JIT steady state: on a 2-core box the rate
 * keeps climbing for 10–15 s (server CPU per sign-in falls by about 40 %, the driver's by 60 %).
 */
async function warmProcess(em: Emulator, personas: Persona[]): Promise<void> {
  const until = performance.now() + plan.processWarmupSeconds * 1000;
  let n = 0;
  const errors: Error[] = [];
  await drive({ base: em.url, ...client }, personas, 4, new DriverLocks(), () => performance.now() < until && errors.length < 20, () => n++, (e) => errors.push(e));
  if (errors.length) throw new Error(`process warm-up sign-ins failed (${errors.length}): ${errors[0]!.message}`);
  console.log(`  process warm-up: ${n} sign-ins in ${plan.processWarmupSeconds} s`);
}

async function writeClients(root: string): Promise<string> {
  const file = join(root, 'clients.json');
  const bench = { client_id: client.clientId, client_secret: client.clientSecret, client_name: 'Benchmark', redirect_uris: [client.redirectUri], scope: 'openid', first_party: true };
  await writeFile(file, JSON.stringify({ clients: [bench] }));
  return file;
}

interface LevelSummary {
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

interface LoadResult {
  emulatorReadyMs: number;
  personasSpread: string[];
  runs: Array<Attempt<LoadRun>>;
  summary: LevelSummary[];
}

/** What is put under load: the emulator, or the bare oidc-provider reference (bench/reference.ts). */
type Server = 'emulator' | 'reference';

/** `personas`: sign in only as these (the reference takes the emulator's list, so both serve the same mix). */
async function benchLoad(root: string, server: Server = 'emulator', personas?: string[]): Promise<LoadResult> {
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
    await warmProcess(em, spread);

    // Repetitions outermost, so slow drift of the machine spreads over every level instead of biasing one.
    const runs: Array<Attempt<LoadRun>> = [];
    for (let rep = 1; rep <= plan.loadRepetitions; rep++) {
      for (const [label, personas] of [['ivanov', single], [spreadLabel, spread]] as const) {
        for (const c of plan.concurrency) {
          // With one loop nothing is shared, so spreading cannot differ from one persona.
          if (personas === spread && c === 1) continue;
          const attempts = await measured(
            () => loadRun(em, personas, label, c, rep, plan.loadSeconds),
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

// ─── 3. Scenario suite ──────────────────────────────────────────────────────────────────────────

interface SuiteRun {
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
  const child = spawn(process.execPath, ['--import', 'tsx', 'scenarios/cli.ts'], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
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
  return { wallMs, exitCode, cpuMs, otherCores: others.cores(cpuMs), lastLines: out.trim().split('\n').slice(-3).join('\n') };
}

async function benchSuite(): Promise<{ runs: Array<Attempt<SuiteRun>>; wall: Summary; allPassed: boolean }> {
  const runs: Array<Attempt<SuiteRun>> = [];
  for (let i = 1; i <= plan.suiteRuns; i++) {
    runs.push(
      ...(await measured(suiteOnce, (r) => `  run ${i}/${plan.suiteRuns}: ${(r.wallMs / 1000).toFixed(2)} s, ${(r.cpuMs / 1000).toFixed(2)} s CPU, exit ${r.exitCode}${r.exitCode === 0 ? '' : `\n${r.lastLines}`}`)),
    );
  }
  return { runs, wall: summarise(counted(runs).map((r) => r.wallMs)), allPassed: runs.every((r) => r.exitCode === 0) };
}

// ─── 4. CPU profile under load (optional) ───────────────────────────────────────────────────────

type ProfileResult = ProfileSummary & { logins: number; loginsPerSec: number; serverCpuMsPerLogin: number; otherCores: number };

async function benchProfile(root: string): Promise<ProfileResult> {
  const clientsFile = await writeClients(root);
  const dir = join(repoRoot, 'out', 'bench-profile');
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const em = await startEmulator({ dataDir: join(root, 'data-profile'), keysDir: join(root, 'keys'), clientsFile, nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${dir}`] });
  let run: LoadRun;
  let window: [number, number] = [0, Number.POSITIVE_INFINITY];
  try {
    const plain = await plainPersonas();
    await warmProcess(em, plain);
    const ivanov = plain.filter((p) => p.persona === 'ivanov');
    run = await loadRun(em, ivanov, 'ivanov', plan.profileConcurrency, 1, plan.profileSeconds, (from, to) => {
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
  const files = await Promise.all((await readdir(dir)).filter((f) => f.endsWith('.cpuprofile')).map(async (f) => ({ f, size: (await stat(join(dir, f))).size })));
  const main = files.sort((a, b) => b.size - a.size)[0];
  if (!main) throw new Error(`no .cpuprofile written to ${dir}`);
  const summary = await summariseProfile(join(dir, main.f), repoRoot, window[0], window[1]);
  return { ...summary, logins: run.logins, loginsPerSec: run.loginsPerSec, serverCpuMsPerLogin: run.serverCpuMsPerLogin, otherCores: run.otherCores };
}

function printProfile(p: ProfileResult): void {
  console.log(`\nCPU profile of the emulator: ${plan.profileSeconds} s at c=${plan.profileConcurrency} (ivanov), ${p.loginsPerSec.toFixed(1)} logins/s, ${p.logins} logins, others ${p.otherCores.toFixed(2)} cores`);
  console.log(`  main thread: busy ${p.busyMs.toFixed(0)} ms, idle ${p.idleMs.toFixed(0)} ms; ${p.file}`);
  console.log('  (samples are wall-clock: when the cores are oversubscribed, time waiting for a core lands on the frame that was running, often a syscall)');
  const table = (title: string, rows: ProfileSummary['topSelf'], n: number) => {
    console.log(`  ${title}`);
    for (const r of rows.slice(0, n)) console.log(`    ${r.pct.toFixed(1).padStart(5)}%  ${r.ms.toFixed(0).padStart(6)} ms  ${r.name}`);
  };
  table('self time by package / folder:', p.byPackage, 15);
  table('top self time by function:', p.topSelf, 25);
  table('inclusive time of project functions:', p.projectInclusive, 15);
}

// ─── Main ───────────────────────────────────────────────────────────────────────────────────────

/** Commit measured, and files outside bench/ that differ from it (then the figures are for uncommitted code). */
function revision(): { commit: string; dirty: string[] } {
  try {
    const git = (...args: string[]) => execFileSync('git', args, { cwd: repoRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
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
  const results: Record<string, unknown> & { nproc: number } = {
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
  console.log(`commit ${results.commit}${dirty.length ? `, with ${dirty.length} uncommitted change(s) outside bench/` : ''}`);
  try {
    if (phases.has('startup')) {
      noteLoad('startup');
      console.log(`\n[1] start-up: spawn → /__health/ready 200 (ESIA_RP=off), ${plan.startupRuns} runs`);
      results.startup = await benchStartup(root);
    }
    if (phases.has('load')) {
      noteLoad('load');
      console.log(`\n[2] full sign-ins: ${plan.loadRepetitions} × ${plan.loadSeconds} s per level, each after ${plan.warmupLogins} warm-up sign-ins`);
      const load = await benchLoad(root);
      results.load = load;
      if (load.summary.some((s) => s.errors > 0)) ok = false;
    }
    if (phases.has('reference')) {
      noteLoad('reference');
      console.log(`\n[2b] the same sign-ins against a bare oidc-provider with the same two steps (bench/reference.ts)`);
      const reference = await benchLoad(root, 'reference', (results.load as LoadResult | undefined)?.personasSpread);
      results.reference = reference;
      if (reference.summary.some((s) => s.errors > 0)) ok = false;
    }
    if (phases.has('suite')) {
      noteLoad('suite');
      console.log(`\n[3] scenario suite: node --import tsx scenarios/cli.ts, ${plan.suiteRuns} runs`);
      const suite = await benchSuite();
      results.suite = suite;
      if (!suite.allPassed) ok = false;
    }
    if (phases.has('profile')) {
      noteLoad('profile');
      console.log(`\n[4] CPU profile: emulator under --cpu-prof, ${plan.profileSeconds} s at c=${plan.profileConcurrency}`);
      results.profile = await benchProfile(root);
    }
    noteLoad('end');
  } finally {
    await rm(root, { recursive: true, force: true });
  }

  results.quietWaitedMs = plan.quietBudgetSeconds * 1000 - quietBudgetMs;
  const outFile = join(repoRoot, 'out', 'bench-results.json');
  await mkdir(join(repoRoot, 'out'), { recursive: true });
  await writeFile(outFile, `${JSON.stringify(results, null, 2)}\n`);

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
    console.log('  personas    conc  runs  logins/s             p50 ms                p95 ms                server CPU ms/login  main thread ms/login  driver CPU ms/login  lock wait ms  errors');
    for (const s of load.summary) {
      console.log(
        `  ${s.personas.padEnd(11)} ${String(s.concurrency).padStart(4)}  ${s.runsUsed.padEnd(4)}  ${fmt(s.loginsPerSec).padEnd(20)} ${fmt(s.p50).padEnd(21)} ${fmt(s.p95).padEnd(21)} ${fmt(s.serverCpuMsPerLogin, 2).padEnd(20)} ${fmt(s.serverMainThreadMsPerLogin, 2).padEnd(21)} ${fmt(s.driverCpuMsPerLogin, 2).padEnd(20)} ${s.lockWaitMsPerLogin.median.toFixed(1).padEnd(12)}  ${s.errors}`,
      );
    }
    console.log(`  (spread: ${load.personasSpread.join(', ')}; loop i signs in as persona i mod n. Lock wait: driver-side, see bench/login.ts)`);
    // CPU time per sign-in barely moves when other processes steal cores, unlike rates and latencies.
    const server = median(load.runs.map((r) => r.serverCpuMsPerLogin));
    const main = median(load.runs.map((r) => r.serverMainThreadMsPerLogin));
    const driver = median(load.runs.map((r) => r.driverCpuMsPerLogin));
    console.log(
      `  CPU per sign-in over all ${load.runs.length} runs: server ${server.toFixed(2)} ms (main thread ${main.toFixed(2)}), driver ${driver.toFixed(2)} ms ⇒ ceilings ≈ ${(1000 / main).toFixed(0)}/s for one main thread, ≈ ${((1000 * results.nproc) / (server + driver)).toFixed(0)}/s for this box's ${results.nproc} cores with the driver on them`,
    );
  }
  const suite = results.suite as { wall: Summary; allPassed: boolean; runs: Array<Attempt<SuiteRun>> } | undefined;
  if (suite) {
    const s = suite.wall;
    console.log(
      `Scenario suite      ${fmt({ ...s, median: s.median / 1000, min: s.min / 1000, max: s.max / 1000 }, 2)} s (runs ${share(suite.runs)}); exit codes ${suite.runs.map((r) => r.exitCode).join(', ')}`,
    );
  }
  console.log(`Waited for lulls: ${((plan.quietBudgetSeconds * 1000 - quietBudgetMs) / 1000).toFixed(0)} s of a ${plan.quietBudgetSeconds} s budget`);
  console.log(`Load averages at phase starts: ${loads.map((l) => `${l.at} ${l.loadavg.join('/')}`).join('; ')}`);
  if (results.profile) printProfile(results.profile as ProfileResult);
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
