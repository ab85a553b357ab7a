/*
 * "Answered" means "on disk": concurrent state changes (support notes, account PATCHes, wrong
 * passwords, client registrations) against the real start script, `kill -9` after 10, 30, 50, 80
 * and 95 % of them were answered, a restart on the same data folder after each: no answered change
 * is missing. Seeded and bounded (bench/crash.ts runs the same with the larger figures).
 */
import test from 'ava';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crashRound, spawnEmulator, type CrashEmulator } from '../../bench/crash_load.ts';

const keysDir = join(tmpdir(), 'esia-emulator-test-keys');

test('kill -9 at 10/30/50/80/95 % of the answers loses no answered write', async (t) => {
  t.timeout(150_000);
  const dataDir = await mkdtemp(join(tmpdir(), 'esia-crash-'));
  let emulator: CrashEmulator | undefined;
  t.teardown(async () => {
    await emulator?.kill();
    await rm(dataDir, { recursive: true, force: true });
  });
  emulator = await spawnEmulator(dataDir, keysDir);
  const total = 120;
  const lost: string[] = [];
  for (const [round, share] of [0.1, 0.3, 0.5, 0.8, 0.95].entries()) {
    const out = await crashRound(emulator, () => spawnEmulator(dataDir, keysDir), join(dataDir, 'emulator.json'), {
      total,
      killAfter: Math.round(total * share),
      concurrency: 24,
      seed: 1000 + round,
      round,
    });
    emulator = out.emulator;
    const r = out.result;
    t.log(
      `kill after ${Math.round(share * 100)} %: ${r.answered} answered of ${r.sent} sent ${JSON.stringify(r.answeredByKind)}, lost ${JSON.stringify(r.lost)}`,
    );
    t.true(r.answered >= Math.round(total * share), 'the kill came after the asked number of answers');
    lost.push(...r.details.map((d) => `round ${round}: ${d}`));
  }
  t.deepEqual(lost, [], 'answered writes missing after a restart');
});
