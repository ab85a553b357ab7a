/*
 * `npm run bench:redis`: a benchmark, not a test. Full sign-ins per second and server CPU per
 * sign-in, in one run, for one emulator process on the embedded lowdb file, one process on Redis,
 * `--workers 2` on Redis, and two separate processes on Redis that share nothing (each on its own
 * prefix, each driven with half the load and half the personas: what two processes can do on this
 * machine before any state is shared), at c = 1, 8 and 32 (each level repeated, medians reported),
 * the ratio two workers / one process; then the Redis round trips and commands of one full sign-in (a counting
 * relay in front of Redis, and INFO commandstats after CONFIG RESETSTAT). Server CPU is the emulator's processes (the
 * primary and its workers) plus redis-server, shown apart. The driver (bench/login.ts) runs in this
 * process on the same cores. Bounded: about three minutes on a quiet 2-core machine (six on a busy
 * one); a watchdog ends it at ten. Loopback only.
 * Raw numbers: out/bench-redis.json.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type AddressInfo, connect, createServer, type Socket } from 'node:net';
import { Redis } from 'ioredis';
import { parseCli } from '../lib/cli.ts';
import { startRedis } from '../scenarios/runner/redis_server.ts';
import { type Emulator, killAll, repoRoot, startEmulator } from './emulator.ts';
import { DriverLocks, login, type Persona } from './login.ts';
import { planFor } from './measure.ts';
import { client, type LoadRun, loadRun, plainPersonas, warmProcess, writeClients } from './phases/sign_ins.ts';
import { median } from './stats.ts';

const { values: args } = parseCli({
  command: 'npm run bench:redis --',
  summary:
    'Sign-ins/s and server CPU per sign-in: one process on lowdb, one on Redis, two workers on Redis (c = 1, 8, 32); Redis commands of one sign-in.',
  options: {
    quick: { type: 'boolean', help: '1 repetition of 2 s per level (default 3 of 3 s)' },
    appendfsync: {
      type: 'string',
      value: 'P',
      help: "redis-server's fsync policy: always (default, what the README recommends), everysec or no",
    },
  },
});
const quick = Boolean(args.quick);
const appendfsync = (args.appendfsync ?? 'always') as 'always' | 'everysec' | 'no';
if (!['always', 'everysec', 'no'].includes(appendfsync)) {
  console.error(`--appendfsync ${appendfsync}: expected always, everysec or no.`);
  process.exit(2);
}
const levels = [1, 8, 32];
const repetitions = quick ? 1 : 3;
const seconds = quick ? 2 : 3;
const plan = { ...planFor(true), warmupLogins: 10, processWarmupSeconds: quick ? 3 : 5, concurrency: levels };

const watchdog = setTimeout(() => {
  console.error('bench:redis: watchdog fired; stopping everything it started.');
  killAll();
  process.exit(3);
}, 10 * 60_000);

interface Setup {
  name: string;
  redis: boolean;
  args: string[];
  /** Two separate emulator processes on separate Redis prefixes, each driven with half the load: nothing shared. */
  apart?: true;
}
const setups: Setup[] = [
  { name: '1 process, lowdb', redis: false, args: [] },
  { name: '1 process, Redis', redis: true, args: [] },
  { name: '2 workers, Redis', redis: true, args: ['--workers', '2'] },
  // The machine's own ceiling for two processes: what splitting the load costs before anything is shared.
  { name: '2 apart, Redis', redis: true, args: [], apart: true },
];

interface Level {
  setup: string;
  concurrency: number;
  signInsPerSec: number;
  p50Ms: number;
  emulatorCpuMsPerSignIn: number;
  redisCpuMsPerSignIn: number;
  otherCores: number;
  errors: number;
  runs: LoadRun[];
}

/**
 * A TCP relay in front of redis-server that counts what the emulator writes to it: each write is a
 * request that waits for its answer (a command, or a MULTI…EXEC or pipeline sent at once), so the
 * count is the round trips (writes sent at the same moment may reach the relay as one).
 */
async function countingRelay(port: number): Promise<{ port: number; writes(): number; close(): Promise<void> }> {
  let writes = 0;
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(port, '127.0.0.1');
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => {});
      s.on('close', () => sockets.delete(s));
    }
    client.on('data', (chunk) => {
      writes++;
      upstream.write(chunk);
    });
    upstream.pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', () => ok()));
  return {
    port: (server.address() as AddressInfo).port,
    writes: () => writes,
    close: () =>
      new Promise<void>((ok) => {
        for (const s of sockets) s.destroy();
        server.close(() => ok());
      }),
  };
}

/**
 * One full sign-in (password, the SMS code read from the control API, code, token) against one
 * emulator process on Redis, after one for warming up: the commands Redis ran (INFO commandstats
 * after CONFIG RESETSTAT) and the round trips the emulator made (the counting relay).
 */
async function redisCostOfOneSignIn(
  redisUrl: string,
  redisPort: number,
  root: string,
  clientsFile: string,
): Promise<{ commands: Record<string, number>; roundTrips: number }> {
  const relay = await countingRelay(redisPort);
  const em = await startEmulator({
    dataDir: join(root, 'data-round-trips'),
    keysDir: join(root, 'keys'),
    clientsFile,
    env: { ESIA_STORE: `redis://127.0.0.1:${relay.port}`, ESIA_REDIS_PREFIX: 'bench-round-trips:' },
  });
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  try {
    const [who] = await plainPersonas();
    await login({ base: em.url, ...client }, who!, new DriverLocks());
    await redis.call('CONFIG', 'RESETSTAT');
    const before = relay.writes();
    await login({ base: em.url, ...client }, who!, new DriverLocks());
    const roundTrips = relay.writes() - before;
    const info = await redis.info('commandstats');
    const commands: Record<string, number> = {};
    for (const [, name, calls] of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) {
      if (!/^(info|config)/.test(name!)) commands[name!] = Number(calls);
    }
    return { commands, roundTrips };
  } finally {
    redis.disconnect();
    await em.stop();
    await relay.close();
  }
}

/** The personas that sign in on this emulator (a policy persona refuses the bench's client). */
async function signingPersonas(em: Emulator, setup: string): Promise<Persona[]> {
  const personas: Persona[] = [];
  for (const p of await plainPersonas()) {
    await login({ base: em.url, ...client }, p, new DriverLocks()).then(
      () => personas.push(p),
      (error: Error) => console.log(`  ${setup}: persona ${p.persona} left out: ${error.message}`),
    );
  }
  if (!personas.length) throw new Error(`${setup}: no persona signs in`);
  return personas;
}

/**
 * One level on two emulators at once, each with half the concurrency and its own half of the
 * personas: the sign-ins of both per second, their CPU per sign-in; c = 1 cannot be split (one runs).
 */
async function loadApart(
  pair: Array<{ em: Emulator; personas: Persona[] }>,
  name: string,
  c: number,
  rep: number,
): Promise<LoadRun> {
  const [a, b] = pair as [(typeof pair)[0], (typeof pair)[0]];
  if (c < 2) return loadRun(a.em, plan, a.personas, name, c, rep, seconds);
  const [x, y] = await Promise.all([
    loadRun(a.em, plan, a.personas, name, Math.ceil(c / 2), rep, seconds),
    loadRun(b.em, plan, b.personas, name, Math.floor(c / 2), rep, seconds),
  ]);
  const logins = x.logins + y.logins;
  const per = (f: (r: LoadRun) => number) => (f(x) * x.logins + f(y) * y.logins) / logins;
  return {
    ...x,
    concurrency: c,
    logins,
    errors: x.errors + y.errors,
    firstError: x.firstError ?? y.firstError,
    loginsPerSec: x.loginsPerSec + y.loginsPerSec,
    latencyMs: { ...x.latencyMs, p50: per((r) => r.latencyMs.p50) },
    serverCpuMs: x.serverCpuMs + y.serverCpuMs,
    serverCpuMsPerLogin: (x.serverCpuMs + y.serverCpuMs) / logins,
    serverMainThreadMsPerLogin: per((r) => r.serverMainThreadMsPerLogin),
    // redis-server is counted by the first emulator's run alone (it is one process for both).
    storeCpuMsPerLogin: ((x.storeCpuMsPerLogin ?? 0) * x.logins) / logins,
    serverCores: x.serverCores + y.serverCores,
    // Each run counts the other emulator among the other processes: taken out.
    otherCores: Math.max(0, x.otherCores - y.serverCores),
  };
}

async function main(): Promise<number> {
  const root = await mkdtemp(join(tmpdir(), 'esia-bench-redis-'));
  const redis = await startRedis({ appendfsync });
  const clientsFile = await writeClients(root);
  const results: Level[] = [];
  let cost = { commands: {} as Record<string, number>, roundTrips: Number.NaN };
  let ok = true;
  console.log(
    `bench:redis — ${repetitions} × ${seconds} s per level, c = ${levels.join(', ')}; redis-server appendfsync ${appendfsync}`,
  );
  try {
    for (const [i, setup] of setups.entries()) {
      const ems: Emulator[] = [];
      for (const part of setup.apart ? ['a', 'b'] : ['']) {
        const em = await startEmulator({
          dataDir: join(root, `data-${i}${part}`),
          keysDir: join(root, 'keys'),
          clientsFile,
          args: setup.args,
          ...(setup.redis ? { env: { ESIA_STORE: redis.url, ESIA_REDIS_PREFIX: `bench-${i}${part}:` } } : {}),
        });
        ems.push(em);
      }
      if (setup.redis) ems[0]!.storePid = redis.pid();
      try {
        const personas = await signingPersonas(ems[0]!, setup.name);
        const pair = ems.map((em, k) => ({ em, personas: personas.filter((_, j) => j % ems.length === k) }));
        await Promise.all(pair.map((p) => warmProcess(p.em, plan, p.personas)));
        const runs: LoadRun[] = [];
        for (let rep = 1; rep <= repetitions; rep++) {
          for (const c of levels)
            runs.push(
              setup.apart
                ? await loadApart(pair, setup.name, c, rep)
                : await loadRun(ems[0]!, plan, personas, setup.name, c, rep, seconds),
            );
        }
        for (const c of levels) {
          const mine = runs.filter((r) => r.concurrency === c);
          const level: Level = {
            setup: setup.name,
            concurrency: c,
            signInsPerSec: median(mine.map((r) => r.loginsPerSec)),
            p50Ms: median(mine.map((r) => r.latencyMs.p50)),
            emulatorCpuMsPerSignIn: median(mine.map((r) => r.serverCpuMsPerLogin)),
            redisCpuMsPerSignIn: median(mine.map((r) => r.storeCpuMsPerLogin ?? 0)),
            otherCores: median(mine.map((r) => r.otherCores)),
            errors: mine.reduce((n, r) => n + r.errors, 0),
            runs: mine,
          };
          results.push(level);
          if (level.errors) ok = false;
          console.log(
            `  ${setup.name.padEnd(17)} c=${String(c).padEnd(3)} ${level.signInsPerSec.toFixed(1).padStart(6)}/s  p50 ${level.p50Ms.toFixed(0).padStart(4)} ms  CPU/sign-in: emulator ${level.emulatorCpuMsPerSignIn.toFixed(1)} ms + redis ${level.redisCpuMsPerSignIn.toFixed(1)} ms  others ${level.otherCores.toFixed(2)} cores${level.errors ? `  ERRORS ${level.errors}: ${mine.find((r) => r.firstError)?.firstError}` : ''}`,
          );
        }
      } finally {
        for (const em of ems) await em.stop();
      }
    }
    cost = await redisCostOfOneSignIn(redis.url, redis.port, root, clientsFile);
  } finally {
    await redis.stop();
    await rm(root, { recursive: true, force: true });
  }

  const rate = (setup: string, c: number) =>
    results.find((r) => r.setup === setup && r.concurrency === c)?.signInsPerSec ?? Number.NaN;
  const ratios = levels.map((c) => ({
    concurrency: c,
    workersOverRedisProcess: rate('2 workers, Redis', c) / rate('1 process, Redis', c),
    workersOverLowdbProcess: rate('2 workers, Redis', c) / rate('1 process, lowdb', c),
    apartOverRedisProcess: rate('2 apart, Redis', c) / rate('1 process, Redis', c),
  }));
  console.log('\n  two workers / one process (sign-ins per second):');
  for (const r of ratios)
    console.log(
      `    c=${String(r.concurrency).padEnd(3)} ×${r.workersOverRedisProcess.toFixed(2)} over one process on Redis, ×${r.workersOverLowdbProcess.toFixed(2)} over one process on lowdb; two processes sharing nothing ×${r.apartOverRedisProcess.toFixed(2)}`,
    );
  const total = Object.values(cost.commands).reduce((a, b) => a + b, 0);
  console.log(
    `\n  one full sign-in on Redis (one process): ${cost.roundTrips} round trips, ${total} commands — ${Object.entries(
      cost.commands,
    )
      .sort((a, b) => b[1] - a[1])
      .map(([name, calls]) => `${name} ${calls}`)
      .join(', ')}`,
  );
  const outFile = join(repoRoot, 'out', 'bench-redis.json');
  await mkdir(join(repoRoot, 'out'), { recursive: true });
  await writeFile(
    outFile,
    `${JSON.stringify({ date: new Date().toISOString(), appendfsync, repetitions, seconds, results, ratios, ...cost }, null, 2)}\n`,
  );
  console.log(`\nRaw numbers: ${outFile}`);
  return ok ? 0 : 1;
}

main().then(
  (code) => {
    clearTimeout(watchdog);
    process.exit(code);
  },
  (error: Error) => {
    console.error(`bench:redis failed: ${error.stack ?? error.message}`);
    killAll();
    process.exit(2);
  },
);
