/*
 * `npm start -- --workers 2` on Redis, the real start script as a child process: two emulator
 * workers share the emulator's port and the relying parties run once, in the primary; a sign-in
 * through ФМРМ completes; a worker killed with kill -9 is logged and replaced while the other keeps
 * serving; SIGTERM to the primary stops every process.
 */
import test from 'ava';
import { freePort, freePortRange } from '../scenarios/runner/stand.ts';
import { type RedisServer, redisMissing, startRedis } from './helpers/redis_server.ts';
import { signInThrough } from './helpers/sign_in.ts';
import { startScript } from './helpers/start_script.ts';

const missing = redisMissing();
if (missing) console.log(`--workers on Redis skipped: ${missing}`);
const check = missing ? test.skip : test.serial;

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function until(what: () => boolean, ms: number, why: () => string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!what()) {
    if (Date.now() > deadline) throw new Error(why());
    await new Promise((ok) => setTimeout(ok, 50));
  }
}

let redis: RedisServer | undefined;
test.after.always(async () => {
  await redis?.stop();
});

check(
  '--workers 2 on Redis: one port, the relying parties once; a killed worker is replaced; SIGTERM stops all',
  async (t) => {
    t.timeout(300_000);
    redis = await startRedis({ appendfsync: 'always' });
    const [idpPort, rpPort] = [await freePort(), await freePortRange(4)];
    const { child, output: printed } = await startScript(t, ['--workers', '2'], {
      ESIA_STORE: redis.url,
      ESIA_PORT: String(idpPort),
      RP_PORT: String(rpPort),
    });
    let output = printed();
    const line = /Emulator processes\s+2 workers on one port \(1: pid (\d+), 2: pid (\d+)\), primary pid (\d+)/.exec(
      output,
    );
    t.truthy(line, output);
    const [first, second, primary] = [Number(line![1]), Number(line![2]), Number(line![3])];
    t.is(primary, child.pid!);
    t.regex(output, new RegExp(`Shared state\\s+Redis ${redis.url.replace(/[/.]/g, '\\$&')}`));
    t.is(output.split('ЭМУЛЯТОР ЕСИА — ТЕСТОВЫЙ СТЕНД').length, 2, 'one banner: the relying parties start once');
    const idp = `http://localhost:${idpPort}`;
    const rp = `http://localhost:${rpPort}`;
    for (let i = 0; i < 2; i++) {
      const { screen, browser } = await signInThrough(rp, idp);
      t.is(screen, 'cabinet', `sign-in ${i + 1}: ${browser.errorCode()}`);
    }

    process.kill(first, 'SIGKILL');
    await until(
      () => /worker 1 replaced: pid \d+/.test((output = printed())),
      120_000,
      () => `worker 1 not replaced:\n${output}`,
    );
    t.regex(output, new RegExp(`worker 1 \\(pid ${first}\\) ended unexpectedly \\(SIGKILL\\); starting a replacement`));
    const replacement = Number(/worker 1 replaced: pid (\d+)/.exec(output)![1]);
    t.true(alive(second) && alive(replacement));
    for (let i = 0; i < 2; i++) {
      const { screen, browser } = await signInThrough(rp, idp);
      t.is(screen, 'cabinet', `sign-in ${i + 1} after the replacement: ${browser.errorCode()}`);
    }

    const exited = new Promise<number | null>((ok) => child.once('exit', ok));
    child.kill('SIGTERM');
    t.is(await exited, 0, output);
    await until(
      () => !alive(second) && !alive(replacement),
      10_000,
      () => 'workers outlived the primary',
    );
    t.pass();
  },
);
