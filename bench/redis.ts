/*
 * `npm run bench:redis`: a benchmark, not a test. Full sign-ins per second and server CPU per
 * sign-in, in one run, for one emulator process on the embedded lowdb file, one process on Redis,
 * and `--workers 2` on Redis, at c = 1, 8 and 32 (each level repeated, medians reported), the ratio
 * two workers / one process; then the Redis commands one full sign-in makes (INFO commandstats
 * after CONFIG RESETSTAT around a single sign-in). Server CPU is the emulator's processes (the
 * primary and its workers) plus redis-server, shown apart. The driver (bench/login.ts) runs in this
 * process on the same cores. Bounded: about two minutes, a watchdog ends it at five. Loopback only.
 * Raw numbers: out/bench-redis.json.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { parseCli } from '../lib/cli.ts';
import { startRedis } from '../scenarios/runner/redis_server.ts';
import { killAll, repoRoot, startEmulator } from './emulator.ts';
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
  },
});
const quick = Boolean(args.quick);
const levels = [1, 8, 32];
const repetitions = quick ? 1 : 3;
const seconds = quick ? 2 : 3;
const plan = { ...planFor(true), warmupLogins: 10, processWarmupSeconds: quick ? 3 : 5, concurrency: levels };

const watchdog = setTimeout(() => {
  console.error('bench:redis: watchdog fired; stopping everything it started.');
  killAll();
  process.exit(3);
}, 5 * 60_000);

interface Setup {
  name: string;
  redis: boolean;
  args: string[];
}
const setups: Setup[] = [
  { name: '1 process, lowdb', redis: false, args: [] },
  { name: '1 process, Redis', redis: true, args: [] },
  { name: '2 workers, Redis', redis: true, args: ['--workers', '2'] },
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

/** The Redis commands of one full sign-in (password, SMS code read from the control API, code, token), by command. */
async function commandsOfOneSignIn(url: string, base: string, who: Persona): Promise<Record<string, number>> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  try {
    await redis.call('CONFIG', 'RESETSTAT');
    await login({ base, ...client }, who, new DriverLocks());
    const info = await redis.info('commandstats');
    const out: Record<string, number> = {};
    for (const [, name, calls] of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) {
      if (name !== 'info' && name !== 'config') out[name!] = Number(calls);
    }
    return out;
  } finally {
    redis.disconnect();
  }
}

async function main(): Promise<number> {
  const root = await mkdtemp(join(tmpdir(), 'esia-bench-redis-'));
  // The persistence the README recommends for no acknowledged write lost.
  const redis = await startRedis({ appendfsync: 'always' });
  const clientsFile = await writeClients(root);
  const results: Level[] = [];
  let commands: Record<string, number> = {};
  let ok = true;
  console.log(
    `bench:redis — ${repetitions} × ${seconds} s per level, c = ${levels.join(', ')}; redis-server appendfsync always`,
  );
  try {
    for (const [i, setup] of setups.entries()) {
      const em = await startEmulator({
        dataDir: join(root, `data-${i}`),
        keysDir: join(root, 'keys'),
        clientsFile,
        args: setup.args,
        ...(setup.redis ? { env: { ESIA_STORE: redis.url, ESIA_REDIS_PREFIX: `bench-${i}:` } } : {}),
      });
      if (setup.redis) em.storePid = redis.pid();
      try {
        const personas: Persona[] = [];
        for (const p of await plainPersonas()) {
          await login({ base: em.url, ...client }, p, new DriverLocks()).then(
            () => personas.push(p),
            (error: Error) => console.log(`  ${setup.name}: persona ${p.persona} left out: ${error.message}`),
          );
        }
        if (!personas.length) throw new Error(`${setup.name}: no persona signs in`);
        await warmProcess(em, plan, personas);
        const runs: LoadRun[] = [];
        for (let rep = 1; rep <= repetitions; rep++) {
          for (const c of levels) runs.push(await loadRun(em, plan, personas, setup.name, c, rep, seconds));
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
        if (setup.redis && setup.args.length === 0)
          commands = await commandsOfOneSignIn(redis.url, em.url, personas[0]!);
      } finally {
        await em.stop();
      }
    }
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
  }));
  console.log('\n  two workers / one process (sign-ins per second):');
  for (const r of ratios)
    console.log(
      `    c=${String(r.concurrency).padEnd(3)} ×${r.workersOverRedisProcess.toFixed(2)} over one process on Redis, ×${r.workersOverLowdbProcess.toFixed(2)} over one process on lowdb`,
    );
  const total = Object.values(commands).reduce((a, b) => a + b, 0);
  console.log(
    `\n  Redis commands of one full sign-in (one process): ${total} — ${Object.entries(commands)
      .sort((a, b) => b[1] - a[1])
      .map(([name, calls]) => `${name} ${calls}`)
      .join(', ')}`,
  );
  const outFile = join(repoRoot, 'out', 'bench-redis.json');
  await mkdir(join(repoRoot, 'out'), { recursive: true });
  await writeFile(
    outFile,
    `${JSON.stringify({ date: new Date().toISOString(), repetitions, seconds, results, ratios, commands }, null, 2)}\n`,
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
