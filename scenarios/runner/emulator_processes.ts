/*
 * The emulator as several operating-system processes on one shared store, behind the round-robin
 * proxy (or haproxy): what a team runs with two emulators behind a load balancer, small enough for a test. Each
 * process is the real start script (`start.ts`, relying parties off) on its own port and data
 * folder, so nothing is shared in memory; all of them name the proxy as their issuer. The first one
 * starts alone (it creates what a first start creates: keys, the store's initial state), then the rest.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { statusOf } from './http_client.ts';
import { startHaproxy } from './haproxy.ts';
import { startRoundRobinProxy, type RoundRobinProxy } from './round_robin_proxy.ts';

const root = join(import.meta.dirname, '..', '..');

export interface EmulatorProcess {
  /** Where this process listens itself (not through the proxy). */
  origin: string;
  pid(): number;
  /** `kill -9`: the process ends at once, without closing anything. */
  kill9(): Promise<void>;
  /** SIGTERM and wait; then start(): the same process again, same port and environment. */
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Everything it printed (the last 64 KB), for failure messages. */
  output(): string;
}

export interface EmulatorProcesses {
  /** The balancer's origin: the issuer every process names. */
  url: string;
  /** The round-robin proxy in front (absent behind haproxy): it counts the requests each process answered. */
  roundRobin?: RoundRobinProxy;
  processes: EmulatorProcess[];
  close(): Promise<void>;
}

export interface EmulatorProcessOptions {
  count: number;
  /** Port of the proxy (the public origin); the processes listen on `ports`. */
  port: number;
  ports: number[];
  /** Each process's data folder is a subfolder of this. */
  dir: string;
  /** ESIA_* settings every process gets (ESIA_STORE, ESIA_KEYS_DIR, ESIA_CLIENTS…). */
  env: Record<string, string>;
  startTimeoutMs?: number;
  /** What stands in front: the round-robin proxy of the tests (default), or haproxy on docs/haproxy.cfg. */
  balancer?: 'round-robin' | 'haproxy';
  /** The first process's SMTP listener (mail files into the shared inboxes, so one is enough); none when absent. */
  smtpPort?: number;
}

function emulatorProcess(index: number, port: number, env: NodeJS.ProcessEnv, timeoutMs: number): EmulatorProcess {
  const origin = `http://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;
  let output = '';
  const exited = () => !child || child.exitCode !== null || child.signalCode !== null;
  const waitExit = () => (exited() ? Promise.resolve() : new Promise<void>((ok) => child!.once('exit', () => ok())));
  const start = async () => {
    output = '';
    child = spawn(process.execPath, ['--import', 'tsx', 'start.ts'], {
      cwd: root,
      env: { ...env, ESIA_PORT: String(port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-65_536);
    };
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (exited()) throw new Error(`emulator process ${index} exited while starting:\n${output}`);
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`emulator process ${index} not ready in ${timeoutMs} ms:\n${output}`);
      }
      const status = await statusOf(`${origin}/__health/ready`);
      if (status === 200) return;
      await sleep(50);
    }
  };
  return {
    origin,
    pid: () => child?.pid ?? 0,
    kill9: async () => {
      child?.kill('SIGKILL');
      await waitExit();
    },
    stop: async () => {
      if (exited()) return;
      const timer = setTimeout(() => child?.kill('SIGKILL'), 10_000);
      child!.kill('SIGTERM');
      await waitExit();
      clearTimeout(timer);
    },
    start,
    output: () => output,
  };
}

export async function startEmulatorProcesses(options: EmulatorProcessOptions): Promise<EmulatorProcesses> {
  const url = `http://localhost:${options.port}`;
  const processes = await Promise.all(
    options.ports.slice(0, options.count).map(async (port, i) => {
      const dataDir = join(options.dir, `emulator-${i + 1}`);
      await mkdir(dataDir, { recursive: true });
      const env: NodeJS.ProcessEnv = {
        ...process.env,
        ESIA_RP: 'off',
        ESIA_LOG: 'off',
        ESIA_MTLS_PORT: 'off',
        ...options.env,
        ESIA_ISSUER: url,
        ESIA_DATA_DIR: dataDir,
        ...(i === 0 && options.smtpPort !== undefined
          ? { ESIA_SMTP_PORT: String(options.smtpPort) }
          : { ESIA_SMTP: 'off' }),
      };
      delete env.ESIA_WORKERS;
      return emulatorProcess(i + 1, port, env, options.startTimeoutMs ?? 90_000);
    }),
  );
  const stopAll = () => Promise.all(processes.map((p) => p.stop()));
  // The balancer first, so its port (the issuer) is taken before the processes start naming it.
  const haproxy =
    options.balancer === 'haproxy'
      ? await startHaproxy(options.port, options.ports.slice(0, options.count))
      : undefined;
  const roundRobin = haproxy
    ? undefined
    : await startRoundRobinProxy(
        processes.map((p) => p.origin),
        options.port,
      );
  const balancer = (haproxy ?? roundRobin)!;
  try {
    await processes[0]!.start();
    await Promise.all(processes.slice(1).map((p) => p.start()));
    await haproxy?.ready();
  } catch (error) {
    await Promise.all([stopAll(), balancer.close()]);
    throw error;
  }
  const running = balancer;
  return {
    url,
    ...(roundRobin ? { roundRobin } : {}),
    processes,
    close: async () => {
      await running.close();
      await stopAll();
    },
  };
}
