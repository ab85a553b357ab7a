/*
 * `npm run bench:soak`: a soak, not a test. Spawns the built emulator (`npm run build`,
 * then `node build/start.js` on a free port with a temporary data folder), drives full sign-ins
 * (bench/login.ts) at a fixed rate for a fixed time, and samples the server's resident memory
 * (VmRSS from /proc/<pid>/status) every 10 s. Prints the series, min/median/max after the warm-up
 * and the least-squares slope in MB per 10 minutes: memory that is bounded shows a flat tail.
 * ESIA_* variables in the environment reach the emulator (e.g. smaller caps). Loopback only; the
 * run ends by itself (a watchdog stops it if it hangs).
 */
import { rmSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { killAll, repoRoot, startEmulator } from './emulator.ts';
import { DriverLocks, login, type Persona } from './login.ts';
import { client, writeClients } from './phases/sign_ins.ts';
import { median } from './stats.ts';
import { parseCli } from '../lib/cli.ts';

const { values: args } = parseCli({
  command: 'npm run bench:soak --',
  summary: 'Sign-ins at a fixed rate against a spawned emulator for N minutes, sampling its RSS every 10 s.',
  options: {
    minutes: { type: 'string', value: 'N', help: 'how long to drive sign-ins (default 30)' },
    rate: {
      type: 'string',
      value: 'R',
      help: 'target sign-ins per second (default 65, about half of what c=8 reaches on 2 cores)',
    },
    concurrency: { type: 'string', value: 'C', help: 'sign-in loops (default 8)' },
    warmup: { type: 'string', value: 'M', help: 'minutes left out of min/median/max and the slope (default 5)' },
    out: { type: 'string', value: 'FILE', help: 'also write the samples and the summary as JSON' },
  },
});
const minutes = Number(args.minutes ?? '30');
const rate = Number(args.rate ?? '65');
const concurrency = Number(args.concurrency ?? '8');
const warmupMinutes = Number(args.warmup ?? '5');
for (const [name, v] of [
  ['minutes', minutes],
  ['rate', rate],
  ['concurrency', concurrency],
  ['warmup', warmupMinutes],
] as const) {
  if (!Number.isFinite(v) || v < 0 || (name !== 'warmup' && v === 0)) {
    console.error(`--${name} must be a positive number, got ${JSON.stringify(args[name])}`);
    process.exit(2);
  }
}
const sampleEveryMs = 10_000;

/** The temporary folder (data, keys, clients file), removed however the soak ends. */
let root: string | undefined;
function abandon(code: number): never {
  killAll();
  if (root) rmSync(root, { recursive: true, force: true });
  process.exit(code);
}
const watchdog = setTimeout(
  () => {
    console.error('soak: watchdog fired; stopping the emulator.');
    abandon(3);
  },
  (minutes + 5) * 60_000,
);
process.on('SIGINT', () => abandon(130));

interface Sample {
  /** Seconds since the load began. */
  t: number;
  rssMb: number;
  signIns: number;
  errors: number;
  /** Sign-ins per second since the previous sample. */
  rate: number;
  load1: number;
}

async function rssMb(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1]);
  return kb / 1024;
}

/** Least-squares slope of y over x. */
function slope(xs: number[], ys: number[]): number {
  const n = xs.length;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += (xs[i]! - mx) * (ys[i]! - my);
    den += (xs[i]! - mx) ** 2;
  }
  return den ? num / den : 0;
}

async function main(): Promise<number> {
  root = await mkdtemp(join(tmpdir(), 'esia-soak-'));
  const clientsFile = await writeClients(root);
  const em = await startEmulator({ dataDir: join(root, 'data'), keysDir: join(root, 'keys'), clientsFile });
  try {
    const target = { base: em.url, ...client };
    // Personas whose sign-in is password and code only: each is tried once, the others are left out.
    const fixtures = JSON.parse(await readFile(join(repoRoot, 'config/personas.json'), 'utf8')) as {
      personas: Persona[];
    };
    const personas: Persona[] = [];
    const left: string[] = [];
    for (const { persona, phone, password } of fixtures.personas) {
      const p = { persona, phone, password };
      try {
        await login(target, p, new DriverLocks());
        personas.push(p);
      } catch {
        left.push(persona);
      }
    }
    if (personas.length === 0) throw new Error('no persona signs in with password and code: fix the fixtures first');
    console.log(
      `soak: ${minutes} min at ${rate} sign-ins/s target, ${concurrency} loops over ${personas.length} personas; RSS every ${sampleEveryMs / 1000} s`,
    );
    console.log(
      `personas: ${personas.map((p) => p.persona).join(', ')} (left out, more than password and code: ${left.join(', ') || 'none'})`,
    );
    const settings = Object.entries(process.env).filter(([k]) =>
      /^ESIA_(SESSION_TTL|REFRESH_TOKEN_TTL|STORE_CAP)$/.test(k),
    );
    console.log(`settings: ${settings.length ? settings.map(([k, v]) => `${k}=${v}`).join(' ') : 'the defaults'}`);
    console.log(
      `emulator pid ${em.pid} on ${em.url}, ready in ${em.readyMs.toFixed(0)} ms, RSS ${(await rssMb(em.pid)).toFixed(1)} MB`,
    );

    const locks = new DriverLocks();
    const started = performance.now();
    const endAt = started + minutes * 60_000;
    let slot = 0;
    let signIns = 0;
    let errors = 0;
    let firstError: string | undefined;
    // Loops take numbered slots 1/rate apart and wait for theirs; a loop that falls behind starts at once, so the achieved rate shows what the machine gave.
    const loops = Array.from({ length: concurrency }, async (_, i) => {
      const who = personas[i % personas.length]!;
      for (;;) {
        const at = started + (slot++ * 1000) / rate;
        // Slots are handed out at the target rate; a machine slower than that reaches the end time first.
        if (at >= endAt || performance.now() >= endAt) return;
        const wait = at - performance.now();
        if (wait > 0) await sleep(wait);
        try {
          await login(target, who, locks);
          signIns++;
        } catch (error) {
          errors++;
          firstError ??= (error as Error).message;
        }
      }
    });

    const samples: Sample[] = [];
    let previous = { t: 0, signIns: 0 };
    const sampler = (async () => {
      for (let next = started; next <= endAt; next += sampleEveryMs) {
        const wait = next - performance.now();
        if (wait > 0) await sleep(wait);
        const t = (performance.now() - started) / 1000;
        const s: Sample = {
          t: Math.round(t),
          rssMb: Math.round((await rssMb(em.pid)) * 10) / 10,
          signIns,
          errors,
          rate: t - previous.t >= 1 ? Math.round(((signIns - previous.signIns) / (t - previous.t)) * 10) / 10 : 0,
          load1: Math.round(loadavg()[0]! * 100) / 100,
        };
        previous = { t, signIns };
        samples.push(s);
        console.log(
          `t=${String(s.t).padStart(5)} s  RSS ${s.rssMb.toFixed(1).padStart(7)} MB  sign-ins ${String(s.signIns).padStart(7)}  ${s.rate.toFixed(1).padStart(6)}/s  errors ${s.errors}  load ${s.load1}`,
        );
      }
    })();
    await Promise.all([...loops, sampler]);

    const elapsed = (performance.now() - started) / 1000;
    const tail = samples.filter((s) => s.t >= warmupMinutes * 60);
    const rss = tail.map((s) => s.rssMb);
    const summary = {
      minutes,
      targetRate: rate,
      concurrency,
      personas: personas.length,
      signIns,
      errors,
      firstError,
      achievedRate: Math.round((signIns / elapsed) * 10) / 10,
      rssStartMb: samples[0]?.rssMb,
      warmupMinutes,
      afterWarmup: rss.length
        ? {
            samples: rss.length,
            minMb: Math.min(...rss),
            medianMb: median(rss),
            maxMb: Math.max(...rss),
            slopeMbPer10Min:
              Math.round(
                slope(
                  tail.map((s) => s.t),
                  rss,
                ) *
                  600 *
                  10,
              ) / 10,
          }
        : undefined,
      load1: { median: median(samples.map((s) => s.load1)), max: Math.max(...samples.map((s) => s.load1)) },
    };
    console.log(`\nsummary: ${JSON.stringify(summary, null, 2)}`);
    if (args.out) await writeFile(args.out, JSON.stringify({ summary, samples }, null, 2));
    return errors > 0 ? 1 : 0;
  } finally {
    await em.stop();
    await rm(root, { recursive: true, force: true });
  }
}

main()
  .then((code) => {
    clearTimeout(watchdog);
    process.exitCode = code;
  })
  .catch((error: Error) => {
    console.error(`soak failed: ${error.message}`);
    abandon(1);
  });
