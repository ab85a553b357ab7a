/*
 * The audit journal on Redis across instances: two emulators on one Redis (one key prefix, one keys
 * folder). A reference code shown by the first is found by the support console of the second, where
 * the operator signed in on the first is still signed in; `npm run audit:verify` (the real CLI)
 * checks both processes' chains together, and names the record someone edited in Redis, and the
 * chain whose newest record was cut off.
 */
import test from 'ava';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Keyspace } from '../lib/store/keyspace.ts';
import { connectRedis } from '../lib/store/redis.ts';
import { auditKeys } from '../idp/adapters/redis_audit_journal.ts';
import { redisMissing, startRedis } from './helpers/redis_server.ts';
import { twoStandsOnRedis } from './helpers/redis_stands.ts';
import { operatorSession } from './helpers/support_console.ts';

const missing = redisMissing();
const redisTest = missing ? test.skip : test;
const run = promisify(execFile);

async function auditVerify(env: Record<string, string>): Promise<{ code: number; out: string }> {
  try {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'idp/audit/cli.ts'], {
      env: { ...process.env, ...env },
    });
    return { code: 0, out: stdout.trim() };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, out: `${e.stdout}${e.stderr}`.trim() };
  }
}

redisTest(
  'a reference code of one emulator is found by the console of another; audit:verify checks both chains and finds an edit and a cut end',
  async (t) => {
    const server = await startRedis();
    t.teardown(() => server.stop());
    const { a, b, bUrl, prefix } = await twoStandsOnRedis(server.url);
    t.teardown(() => Promise.all([a.close(), b.close()]));

    const page = await (await fetch(`${a.idp}/no-such-page`)).text();
    const ref = /data-ref="([\w-]+)"/.exec(page)?.[1];
    t.truthy(ref, 'the first emulator shows a reference code');

    const operator = await operatorSession(a.idp, 'operator');
    const found = await fetch(`${bUrl}/support/ref?code=${ref}`, { headers: { cookie: operator.cookie } });
    t.is(found.status, 200, 'the operator signed in on the first is known to the second, which finds the code');
    const text = await found.text();
    t.true(text.includes(ref!));
    t.true(text.includes('/no-such-page'), 'the record of the first emulator is shown');

    await Promise.all([a.emulator!.idp.services.journal.flush(), b.emulator!.idp.services.journal.flush()]);
    const env = { ESIA_STORE: server.url, ESIA_REDIS_PREFIX: prefix, ESIA_KEYS_DIR: a.keysDir! };
    const intact = await auditVerify(env);
    t.is(intact.code, 0, intact.out);
    t.regex(intact.out, /^audit journal intact: \d+ records in 2 chain\(s\) on Redis; head [0-9a-f]{64}$/);

    const redis = await connectRedis(server.url, { log: () => {} });
    t.teardown(() => redis.disconnect());
    const keys = new Keyspace(redis, prefix);
    const [first] = await redis.zrange(auditKeys.chains(keys), 0, 0);
    const chain = auditKeys.chain(keys, first!);
    const line = (await redis.lindex(chain, 0))!;
    await redis.lset(chain, 0, line.replace(/"ip":"[^"]*"/, '"ip":"10.0.0.66"'));
    const broken = await auditVerify(env);
    t.is(broken.code, 1, broken.out);
    t.true(broken.out.startsWith(`audit journal BROKEN at ${chain}:1 (hash-mismatch)`), broken.out);

    // Put back, then cut the newest record off the other chain: its signed head names what is gone.
    await redis.lset(chain, 0, line);
    const [, second] = await redis.zrange(auditKeys.chains(keys), 0, 1);
    const other = auditKeys.chain(keys, second!);
    await redis.rpop(other);
    const cut = await auditVerify(env);
    t.is(cut.code, 1, cut.out);
    t.true(cut.out.startsWith(`audit journal BROKEN at ${other} (head)`), cut.out);
  },
);
