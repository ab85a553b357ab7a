/*
 * Debian's haproxy in the foreground (-db) in front of emulator processes, on the configuration the
 * README documents (docs/haproxy.cfg) with its addresses moved to free ports: the load balancer of
 * a real deployment, for the tests that check the documented configuration works.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { statusOf } from './http_client.ts';

export const haproxyBinary = '/usr/sbin/haproxy';
const documented = join(import.meta.dirname, '..', '..', 'docs', 'haproxy.cfg');

export interface Haproxy {
  url: string;
  /** Resolves once a request through haproxy reaches a ready emulator (its health checks passed). */
  ready(): Promise<void>;
  close(): Promise<void>;
}

/** Why haproxy cannot run here, or undefined; under CI a missing haproxy is a failure, never a skip. */
export function haproxyMissing(): string | undefined {
  if (existsSync(haproxyBinary)) return undefined;
  const why = `${haproxyBinary} is missing (Debian package haproxy: apt-get install haproxy)`;
  if (process.env.CI) throw new Error(`The load-balancer test needs haproxy under CI: ${why}`);
  return why;
}

/** docs/haproxy.cfg with its frontend on `port` and its two servers on `backends` (ports on 127.0.0.1). */
export async function haproxyConfig(port: number, backends: number[]): Promise<string> {
  const text = await readFile(documented, 'utf8');
  const servers = [...text.matchAll(/^\s*server \S+ 127\.0\.0\.1:(\d+)$/gm)];
  if (servers.length !== backends.length)
    throw new Error(`${documented} names ${servers.length} servers, expected ${backends.length}`);
  let out = text.replace(/^(\s*bind 127\.0\.0\.1:)\d+$/m, `$1${port}`);
  servers.forEach((m, i) => {
    out = out.replace(m[0], m[0].replace(`:${m[1]}`, `:${backends[i]}`));
  });
  return out;
}

export async function startHaproxy(port: number, backends: number[], timeoutMs = 120_000): Promise<Haproxy> {
  const missing = haproxyMissing();
  if (missing) throw new Error(missing);
  const dir = await mkdtemp(join(tmpdir(), 'esia-haproxy-'));
  const file = join(dir, 'haproxy.cfg');
  await writeFile(file, await haproxyConfig(port, backends));
  const child = spawn(haproxyBinary, ['-db', '-f', file], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  const exited = () => child.exitCode !== null || child.signalCode !== null;
  const close = async () => {
    if (!exited()) {
      const gone = new Promise((ok) => child.once('exit', ok));
      child.kill('SIGTERM');
      await gone;
    }
    await rm(dir, { recursive: true, force: true });
  };
  const url = `http://localhost:${port}`;
  /** Polls through haproxy until `done(status)`; 0 is «nothing listens yet». */
  const poll = async (done: (status: number) => boolean, what: string) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (done(await statusOf(`${url}/__health/ready`))) return;
      if (exited() || Date.now() > deadline) {
        await close();
        throw new Error(
          `haproxy on :${port}: ${exited() ? 'it exited' : `${what} within ${timeoutMs} ms`}:\n${output}`,
        );
      }
      await sleep(50);
    }
  };
  // Listening first (it answers 503 while no emulator is up), so the port is taken before they start.
  await poll((status) => status !== 0, 'not listening');
  return { url, ready: () => poll((status) => status === 200, 'no emulator behind it ready'), close };
}
