/*
 * Spawning the emulator for the benchmark exactly as `npm start` does (`npm run build` once, then
 * `node build/start.js`),
 * waiting for readiness, and CPU accounting from /proc: the emulator's own CPU time, and how much
 * CPU other processes on the machine used meanwhile (on a shared 2-core box that is the main source
 * of noise). Every child is tracked so the bench can kill what it started if it is interrupted.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from '../scenarios/runner/stand.ts';

export const repoRoot = new URL('..', import.meta.url).pathname;

let built = false;

/** What `npm start`'s prestart does: type-check and bundle into build/ (not timed; start-up is measured from spawn; an unchanged bundle keeps its V8 code cache, see bundle.ts). */
function buildOnce(): void {
  if (built) return;
  execFileSync('npm', ['run', 'build', '--silent'], { cwd: repoRoot, stdio: 'inherit' });
  built = true;
}

/** Children started by the bench and not yet exited. */
export const children = new Set<ChildProcess>();

export function killAll(): void {
  for (const child of children) child.kill('SIGKILL');
}

let clockTicks: number | undefined;

/** Clock ticks per second for /proc times: 100 on every mainstream Linux (getconf CLK_TCK). */
function ticksPerSecond(): number {
  if (clockTicks === undefined) {
    clockTicks = 100;
    try {
      const n = Number(
        execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim(),
      );
      if (Number.isInteger(n) && n > 0) clockTicks = n;
    } catch {
      // Keep 100.
    }
  }
  return clockTicks;
}

export interface CpuTimes {
  userMs: number;
  systemMs: number;
}

/** User and system CPU time of a process (all its threads), from /proc/<pid>/stat fields 14 and 15. */
export function processCpu(pid: number): CpuTimes {
  return cpuFromStat(`/proc/${pid}/stat`);
}

/**
 * CPU time of the process's main thread only (its JavaScript thread; the thread id equals the pid).
 * The main thread is what saturates first: libuv's pool (scrypt, RSA, file writes) runs beside it.
 */
export function mainThreadCpuMs(pid: number): number {
  const t = cpuFromStat(`/proc/${pid}/task/${pid}/stat`);
  return t.userMs + t.systemMs;
}

function cpuFromStat(path: string): CpuTimes {
  const stat = readFileSync(path, 'utf8');
  // The command name (field 2) may contain spaces and parentheses: split after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const tick = 1000 / ticksPerSecond();
  return { userMs: Number(fields[11]) * tick, systemMs: Number(fields[12]) * tick };
}

/** The process and every process below it (the workers of `--workers N`), from /proc/<pid>/task/<tid>/children. */
export function processTree(pid: number): number[] {
  const out = [pid];
  for (let i = 0; i < out.length; i++) {
    try {
      for (const tid of readdirSync(`/proc/${out[i]}/task`)) {
        const children = readFileSync(`/proc/${out[i]}/task/${tid}/children`, 'utf8').trim();
        if (children) out.push(...children.split(' ').map(Number));
      }
    } catch {
      // The process ended meanwhile: nothing below it.
    }
  }
  return out;
}

export function processCpuMs(pid: number): number {
  const t = processCpu(pid);
  return t.userMs + t.systemMs;
}

/** Busy CPU time of the whole machine in ms (all cores), from /proc/stat: total minus idle and iowait. */
export function machineBusyMs(): number {
  const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!;
  const v = line.trim().split(/\s+/).slice(1, 9).map(Number);
  // user nice system idle iowait irq softirq steal (guest time is already inside user).
  const total = v.reduce((a, b) => a + b, 0);
  return ((total - v[3]! - v[4]!) * 1000) / ticksPerSecond();
}

function benchCpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/**
 * Measures CPU used by processes other than the bench and the ones it names, over a window:
 * machine busy time minus the bench's own and its children's. Reported in cores (1.0 = one core).
 */
export class OtherLoad {
  readonly #machine0 = machineBusyMs();
  readonly #bench0 = benchCpuMs();
  readonly #t0 = performance.now();

  /** `childrenCpuMs`: CPU the bench's children used in the window. */
  cores(childrenCpuMs: number): number {
    const elapsed = performance.now() - this.#t0;
    const others = machineBusyMs() - this.#machine0 - (benchCpuMs() - this.#bench0) - childrenCpuMs;
    // /proc counters tick at 10 ms, so tiny negatives are rounding: clamp.
    return elapsed > 0 ? Math.max(0, others) / elapsed : 0;
  }
}

export interface EmulatorOptions {
  dataDir: string;
  keysDir: string;
  clientsFile?: string;
  /** Extra node flags, e.g. --cpu-prof. */
  nodeArgs?: string[];
  /** What to run instead of build/start.js, e.g. ['--import', 'tsx', 'bench/reference.ts']. */
  entry?: string[];
  /** Arguments after the entry, e.g. ['--workers', '2']. */
  args?: string[];
  /** Settings on top of the bench's own, e.g. ESIA_STORE. */
  env?: Record<string, string>;
}

export interface Emulator {
  child: ChildProcess;
  pid: number;
  /** The redis-server it shares state in, if any: its CPU is the server side's too, counted apart. */
  storePid?: number;
  url: string;
  /** performance.now() just before spawn(). */
  spawnedAt: number;
  /** Milliseconds from spawn() to the first 200 from /__health/ready. */
  readyMs: number;
  /** The emulator's CPU time until ready, ms. */
  startupCpuMs: number;
  /** CPU other processes used while it started, in cores. */
  startupOtherCores: number;
  stop(): Promise<void>;
}

/** Spawns the emulator alone (no relying parties, no log) and resolves once it is ready. */
export async function startEmulator(options: EmulatorOptions, timeoutMs = 60_000): Promise<Emulator> {
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ESIA_RP: 'off',
    ESIA_LOG: 'off',
    ESIA_PORT: String(port),
    ESIA_SMTP_PORT: '0',
    ESIA_DATA_DIR: options.dataDir,
    ESIA_KEYS_DIR: options.keysDir,
  };
  if (options.clientsFile) env.ESIA_CLIENTS = options.clientsFile;
  // Nothing the bench did not ask for: an inherited ESIA_* (e.g. a cost or issuer override) would skew the figures.
  for (const key of [
    'ESIA_ISSUER',
    'ESIA_SCRYPT_N',
    'ESIA_LOCKOUT_LIMIT',
    'ESIA_PERSONAS',
    'ESIA_CONTROL',
    'ESIA_HOST',
    'ESIA_STORE',
    'ESIA_REDIS_PREFIX',
    'ESIA_WORKERS',
  ])
    delete env[key];
  Object.assign(env, options.env);

  buildOnce();
  const others = new OtherLoad();
  const spawnedAt = performance.now();
  const child = spawn(
    process.execPath,
    [...(options.nodeArgs ?? []), ...(options.entry ?? ['build/start.js']), ...(options.args ?? [])],
    {
      cwd: repoRoot,
      env,
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  children.add(child);
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    if (stderr.length < 8192) stderr += chunk;
  });
  let exited: number | null | undefined;
  const exit = new Promise<void>((ok) =>
    child.once('exit', (code) => {
      exited = code;
      children.delete(child);
      ok();
    }),
  );
  const url = `http://localhost:${port}`;
  const stop = async () => {
    if (exited !== undefined) return;
    child.kill('SIGTERM');
    // SIGTERM lets start.ts close the store (and write a --cpu-prof profile); SIGKILL only if it hangs.
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exit;
    clearTimeout(timer);
  };

  const deadline = spawnedAt + timeoutMs;
  for (;;) {
    if (exited !== undefined) throw new Error(`emulator exited with ${exited} before it was ready:\n${stderr}`);
    if (performance.now() > deadline) {
      await stop();
      throw new Error(`emulator not ready within ${timeoutMs} ms:\n${stderr}`);
    }
    const tick = performance.now();
    try {
      const res = await fetch(`${url}/__health/ready`, { signal: AbortSignal.timeout(2000) });
      await res.arrayBuffer();
      if (res.status === 200) {
        const readyMs = performance.now() - spawnedAt;
        const startupCpuMs = processCpuMs(child.pid!);
        return {
          child,
          pid: child.pid!,
          url,
          spawnedAt,
          readyMs,
          startupCpuMs,
          startupOtherCores: others.cores(startupCpuMs),
          stop,
        };
      }
    } catch {
      // Not listening yet (ECONNREFUSED): keep polling.
    }
    // Poll every 5 ms, counted from the start of the previous attempt.
    const wait = 5 - (performance.now() - tick);
    if (wait > 0) await sleep(wait);
  }
}

/**
 * Waits until other processes use at most `cores` over a 500 ms window (bench children `pids`
 * excluded), for at most `maxMs`. Returns the time waited. Runs on a shared machine start in a lull.
 */
export async function awaitQuiet(cores: number, maxMs: number, pids: number[] = []): Promise<number> {
  const started = performance.now();
  const childCpu = () => pids.reduce((sum, pid) => sum + processCpuMs(pid), 0);
  for (;;) {
    const others = new OtherLoad();
    const c0 = childCpu();
    await sleep(500);
    const waited = performance.now() - started;
    if (others.cores(childCpu() - c0) <= cores || waited >= maxMs) return waited;
  }
}
