/*
 * Timed sign-in runs shared by the load and profile phases: the personas that sign in without extra
 * screens, loops of full sign-ins against one server, and the CPU accounting of a run (server, its
 * main thread, the driver, and other processes on the machine).
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  mainThreadCpuMs,
  OtherLoad,
  processCpu,
  processCpuMs,
  processTree,
  repoRoot,
  type Emulator,
} from '../emulator.ts';
import { DriverLocks, login, type Persona, type Target } from '../login.ts';
import type { Plan } from '../measure.ts';
import { percentile } from '../stats.ts';

export const client = {
  clientId: 'bench',
  clientSecret: 'bench-local-test-secret',
  redirectUri: 'http://localhost:9/cb',
};

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
export async function plainPersonas(): Promise<Persona[]> {
  const { personas } = JSON.parse(await readFile(join(repoRoot, 'config/personas.json'), 'utf8')) as {
    personas: PersonaFixture[];
  };
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

export interface LoadRun {
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
  /** CPU of the server's main (JavaScript) threads alone (one per process), ms per sign-in: they saturate first. */
  serverMainThreadMsPerLogin: number;
  /** CPU of the redis-server the emulator shares state in, ms per sign-in (on Redis only). */
  storeCpuMsPerLogin?: number;
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

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
const treeCpu = (pids: number[]) => {
  const each = pids.map(processCpu);
  return { userMs: sum(each.map((c) => c.userMs)), systemMs: sum(each.map((c) => c.systemMs)) };
};

async function control(em: Emulator, method: string, path: string): Promise<void> {
  const res = await fetch(`${em.url}/__control${path}`, { method, signal: AbortSignal.timeout(15_000) });
  await res.arrayBuffer();
  if (!res.ok) throw new Error(`control ${method} ${path}: ${res.status}`);
}

/** Runs `loops` sign-in loops; loop i signs in as personas[i % n], so with n ≥ loops no two loops share an inbox. */
async function drive(
  target: Target,
  personas: Persona[],
  loops: number,
  locks: DriverLocks,
  keepGoing: () => boolean,
  onDone: (ms: number) => void,
  onError: (e: Error) => void,
) {
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

export async function loadRun(
  em: Emulator,
  plan: Plan,
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
  await drive(
    target,
    personas,
    concurrency,
    new DriverLocks(),
    () => warmLeft-- > 0,
    () => {},
    (e) => warmErrors.push(e),
  );
  if (warmErrors.length)
    throw new Error(`warm-up sign-ins failed (${warmErrors.length}/${plan.warmupLogins}): ${warmErrors[0]!.message}`);

  const locks = new DriverLocks();
  const latencies: number[] = [];
  let errors = 0;
  let firstError: string | undefined;
  // Every process of the server: the one emulator, or the primary and its workers (`--workers N`).
  const pids = processTree(em.pid);
  const cpu0 = treeCpu(pids);
  const main0 = sum(pids.map(mainThreadCpuMs));
  const store0 = em.storePid ? processCpuMs(em.storePid) : 0;
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
  const cpu1 = treeCpu(pids);
  const mainMs = sum(pids.map(mainThreadCpuMs)) - main0;
  const user = cpu1.userMs - cpu0.userMs;
  const system = cpu1.systemMs - cpu0.systemMs;
  const serverCpuMs = user + system;
  const storeCpuMs = em.storePid ? processCpuMs(em.storePid) - store0 : 0;
  const otherCores = others.cores(serverCpuMs + storeCpuMs);
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
    latencyMs: {
      p50: percentile(latencies, 50),
      p95: percentile(latencies, 95),
      min: Math.min(...latencies),
      max: Math.max(...latencies),
    },
    serverCpuMs,
    serverCpuMsPerLogin: serverCpuMs / n,
    serverMainThreadMsPerLogin: mainMs / n,
    ...(em.storePid ? { storeCpuMsPerLogin: storeCpuMs / n } : {}),
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
export async function warmProcess(em: Emulator, plan: Plan, personas: Persona[]): Promise<void> {
  const until = performance.now() + plan.processWarmupSeconds * 1000;
  let n = 0;
  const errors: Error[] = [];
  await drive(
    { base: em.url, ...client },
    personas,
    4,
    new DriverLocks(),
    () => performance.now() < until && errors.length < 20,
    () => n++,
    (e) => errors.push(e),
  );
  if (errors.length) throw new Error(`process warm-up sign-ins failed (${errors.length}): ${errors[0]!.message}`);
  console.log(`  process warm-up: ${n} sign-ins in ${plan.processWarmupSeconds} s`);
}

export async function writeClients(root: string): Promise<string> {
  const file = join(root, 'clients.json');
  const bench = {
    client_id: client.clientId,
    client_secret: client.clientSecret,
    client_name: 'Benchmark',
    redirect_uris: [client.redirectUri],
    scope: 'openid',
    first_party: true,
  };
  await writeFile(file, JSON.stringify({ clients: [bench] }));
  return file;
}
