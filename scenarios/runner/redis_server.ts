/*
 * A private redis-server (Debian's /usr/bin/redis-server) for one test or one scenario run: a free loopback port, a temp
 * folder as its --dir, the append-only file on and RDB snapshots off, no machine-wide service. stop()
 * ends it and removes the folder; kill() is kill -9 (the folder stays, for restart()); restart() brings
 * it back on the same port and folder, so what the append-only file kept is there again.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const redisServerBinary = '/usr/bin/redis-server';

export interface RedisServer {
  url: string;
  port: number;
  dir: string;
  /** Ends the server (SIGTERM: it flushes its append-only file) and removes its folder. */
  stop(): Promise<void>;
  /** kill -9: nothing flushed beyond what the fsync policy already wrote. The folder stays. */
  kill(): Promise<void>;
  /** Starts it again (after stop of the process by SIGTERM if it still runs) on the same port and folder. */
  restart(): Promise<void>;
  /** The server's process id (0 while it is not running), for the benchmark's CPU accounting. */
  pid(): number;
}

/**
 * Why the Redis tests of this machine cannot run (redis-server missing), or undefined when they can.
 * Under CI a missing redis-server is a failure, never a skip.
 */
export function redisMissing(): string | undefined {
  if (existsSync(redisServerBinary)) return undefined;
  const why = `${redisServerBinary} is missing (Debian package redis-server: apt-get install redis-server)`;
  if (process.env.CI) throw new Error(`The Redis tests need redis-server under CI: ${why}`);
  return why;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Answers PING with +PONG (raw RESP, so the helper tests Redis and not the client under test). */
function pong(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let reply = '';
    socket.setTimeout(500, () => socket.destroy());
    socket.on('connect', () => socket.write('*1\r\n$4\r\nPING\r\n'));
    socket.on('data', (chunk) => {
      reply += chunk.toString();
      if (reply.includes('\r\n')) socket.end();
    });
    socket.on('close', () => resolve(reply.startsWith('+PONG')));
    socket.on('error', () => resolve(false));
  });
}

const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

export async function startRedis(options: { appendfsync?: 'always' | 'everysec' | 'no' } = {}): Promise<RedisServer> {
  const missing = redisMissing();
  if (missing) throw new Error(missing);
  const dir = mkdtempSync(join(tmpdir(), 'esia-redis-'));
  const port = await freePort();
  const args = [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--dir',
    dir,
    '--appendonly',
    'yes',
    '--appendfsync',
    options.appendfsync ?? 'everysec',
    '--save',
    '',
    '--daemonize',
    'no',
    '--logfile',
    join(dir, 'redis.log'),
  ];
  let child: ChildProcess | undefined;

  const launch = async () => {
    const spawned = spawn(redisServerBinary, args, { stdio: 'ignore' });
    child = spawned;
    running.add(spawned);
    let exited = false;
    spawned.once('exit', () => {
      exited = true;
      running.delete(spawned);
    });
    const deadline = Date.now() + 10_000;
    while (!(await pong(port))) {
      if (exited) throw new Error(`redis-server exited at start (port ${port}); see ${join(dir, 'redis.log')}`);
      if (Date.now() > deadline) throw new Error(`redis-server did not answer PING on port ${port} within 10 s`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  const end = async (signal: NodeJS.Signals) => {
    const current = child;
    child = undefined;
    if (!current || current.exitCode !== null || current.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => current.once('exit', () => resolve()));
    current.kill(signal);
    await exited;
  };

  await launch();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    dir,
    stop: async () => {
      await end('SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    },
    kill: () => end('SIGKILL'),
    pid: () => child?.pid ?? 0,
    restart: async () => {
      await end('SIGTERM');
      await launch();
    },
  };
}
