/*
 * `npm run bench:crash`: the crash figures — ~970 concurrent state changes (support notes, account
 * PATCHes, wrong passwords, client registrations) against `start.ts` as a child process, `kill -9`
 * after 10, 30, 50, 80 and 95 % of them were answered, a restart on the same data folder after each,
 * and how many answered changes were missing. Exit code 1 when any was. Loopback only, bounded.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseCli } from '../lib/cli.ts';
import { crashRound, spawnEmulator } from './crash_load.ts';

const { values } = parseCli({
  command: 'npm run bench:crash --',
  summary:
    'Kills the emulator with SIGKILL in the middle of concurrent state changes, restarts it on the same data folder, and counts the answered changes that were lost. Exit code 1 when there is any.',
  options: {
    total: { type: 'string', value: 'N', help: 'changes sent per round (default 970)' },
    concurrency: { type: 'string', value: 'N', help: 'requests in flight (default 32)' },
    seed: { type: 'string', value: 'N', help: 'the seed of round 1 (default 20261203); round k uses seed + k' },
  },
});
const total = Number(values.total ?? 970);
const concurrency = Number(values.concurrency ?? 32);
const seed = Number(values.seed ?? 20261203);

const dataDir = await mkdtemp(join(tmpdir(), 'esia-bench-crash-'));
const keysDir = join(tmpdir(), 'esia-emulator-test-keys');
let emulator = await spawnEmulator(dataDir, keysDir);
let lostInAll = 0;
try {
  for (const [round, share] of [0.1, 0.3, 0.5, 0.8, 0.95].entries()) {
    const out = await crashRound(emulator, () => spawnEmulator(dataDir, keysDir), join(dataDir, 'emulator.json'), {
      total,
      killAfter: Math.round(total * share),
      concurrency,
      seed: seed + round,
      round,
    });
    emulator = out.emulator;
    const { answered, sent, lost, answeredByKind } = out.result;
    const lostCount = Object.values(lost).reduce((a, b) => a + b, 0);
    lostInAll += lostCount;
    console.log(
      `kill -9 after ${String(Math.round(share * 100)).padStart(2)} %: ${answered} answered of ${sent} sent (notes ${answeredByKind.notes}, PATCH ${answeredByKind.patches}, wrong passwords ${answeredByKind.wrongPasswords}, clients ${answeredByKind.clients}); lost ${lostCount} ${JSON.stringify(lost)}`,
    );
    for (const d of out.result.details) console.log(`  lost: ${d}`);
  }
} finally {
  await emulator.kill();
  await rm(dataDir, { recursive: true, force: true });
}
console.log(lostInAll === 0 ? 'No answered change was lost.' : `${lostInAll} answered changes lost.`);
process.exitCode = lostInAll === 0 ? 0 : 1;
