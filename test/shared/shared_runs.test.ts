/*
 * Two emulator processes' worth of instances on one Redis (idp/shared/): a run's state is one truth.
 * Wrong passwords split over both count exactly to the lockout limit; an inbox message, an armed
 * fault and a run made on one are seen, taken once, and usable on the other.
 */
import test from 'ava';
import { connectRedis } from '../../lib/store/redis.ts';
import { redisMissing, type RedisServer, startRedis } from '../helpers/redis_server.ts';
import { form, operatorSession } from '../helpers/support_console.ts';
import { freshPrefix, loginScreen, type SharedIdp, startSharedIdp } from '../helpers/redis_idps.ts';

const missing = redisMissing();
let redis: RedisServer;
let a: SharedIdp;
let b: SharedIdp;
let prefix: string;

test.before(async () => {
  if (missing) return;
  redis = await startRedis();
  prefix = freshPrefix();
  [a, b] = await Promise.all([startSharedIdp(redis.url, prefix), startSharedIdp(redis.url, prefix)]);
});
test.after.always(async () => {
  await Promise.all([a?.close(), b?.close()]);
  await redis?.stop();
});

const maybe = missing ? test.skip : test.serial;
if (missing) test.todo(`shared runs on Redis: ${missing}`);

interface PersonaState {
  persona: string;
  state: { locked: boolean; failedAttempts: number };
}

maybe('50 concurrent wrong passwords split over two instances count exactly the limit and lock', async (t) => {
  await a.control('POST', '/reset');
  const browsers = await Promise.all(Array.from({ length: 50 }, (_, i) => loginScreen((i % 2 ? b : a).url)));
  t.true(browsers.every((br) => br.screen() === 'login'));
  const results = await Promise.all(
    browsers.map(async (br, i) => {
      await br.click('submit', { identifier: '+79000000001', password: `Wrong-pass-${i}` });
      return br.errorCode() || br.screen();
    }),
  );
  const count = (what: string) => results.filter((r) => r === what).length;
  t.is(count('login.invalid_credentials'), 4, 'attempts 1–4 are plain refusals');
  t.is(count('account.locked'), 46, 'the fifth locks, the rest meet the lock');
  for (const instance of [a, b]) {
    const { body } = await instance.control<PersonaState[]>('GET', '/personas');
    const ivanov = body.find((p) => p.persona === 'ivanov');
    t.true(ivanov?.state.locked);
    t.is(ivanov?.state.failedAttempts, 5);
  }
});

maybe('an SMS sent on one instance is in the inbox on the other', async (t) => {
  await a.control('POST', '/reset');
  const br = await loginScreen(a.url);
  await br.click('submit', { identifier: '+79000000001', password: 'Test-1234' });
  t.is(br.screen(), 'otp');
  const { body } = await b.control<{ messages: Array<{ code?: string }> }>('GET', '/inbox/sms?to=%2B79000000001');
  t.is(body.messages.length, 1);
  t.regex(body.messages[0]?.code ?? '', /^\d{6}$/);
});

maybe('a fault armed on one instance fires once in all, on the other instance', async (t) => {
  await a.control('POST', '/reset');
  t.is((await a.control('POST', '/faults', { kind: 'server.error', count: 1 })).status, 200);
  const screen = async (instance: SharedIdp) => (await loginScreen(instance.url)).errorCode() || 'login';
  const onB = await Promise.all([screen(b), screen(b), screen(b)]);
  t.deepEqual(onB.sort(), ['login', 'login', 'oauth.server_error'], 'taken on B, once');
  t.is(await screen(a), 'login', 'and gone on A');
});

maybe('a run made on one instance is used on the other, and deleted there for both', async (t) => {
  const { body: made } = await a.control<{ run: string }>('POST', '/runs');
  await b.control('POST', `/accounts/ivanov/unlock?run=${made.run}`);
  const br = await loginScreen(b.url, made.run);
  await br.click('submit', { identifier: '+79000000001', password: 'Wrong-pass' });
  t.is(br.errorCode(), 'login.invalid_credentials');
  const { body: inA } = await a.control<PersonaState[]>('GET', `/personas?run=${made.run}`);
  t.is(inA.find((p) => p.persona === 'ivanov')?.state.failedAttempts, 1, 'counted in the run, seen on the other');
  const { body: inMain } = await a.control<PersonaState[]>('GET', '/personas');
  t.is(inMain.find((p) => p.persona === 'ivanov')?.state.failedAttempts, 0, 'the main run is untouched');
  t.is((await b.control('DELETE', `/runs/${made.run}`)).status, 200);
  t.is((await a.control('GET', `/personas?run=${made.run}`)).status, 404);
});

maybe(
  'the support console works in its session’s run: a change it makes there is seen on the other instance',
  async (t) => {
    const { body: made } = await a.control<{ run: string }>('POST', '/runs');
    for (let i = 0; i < 5; i++) {
      const br = await loginScreen(b.url, made.run);
      await br.click('submit', { identifier: '+79000000001', password: `Wrong-pass-${i}` });
    }
    const lockedOnA = (await a.control<PersonaState[]>('GET', `/personas?run=${made.run}`)).body;
    t.true(lockedOnA.find((p) => p.persona === 'ivanov')?.state.locked);
    // Signed in within the run; the browser's run cookie then gone: the console still acts in its session's run.
    const operator = await operatorSession(a.url, 'senior', `esia_run=${made.run}`);
    const unlocked = await fetch(`${a.url}/support/accounts/ivanov/unlock`, {
      method: 'POST',
      redirect: 'manual',
      headers: { ...form, cookie: operator.cookie.replace(`esia_run=${made.run}`, '') },
      body: new URLSearchParams({ csrf: operator.csrf, ...operator.formFields }),
    });
    t.is(unlocked.status, 303);
    const { body } = await b.control<PersonaState[]>('GET', `/personas?run=${made.run}`);
    t.like(body.find((p) => p.persona === 'ivanov')?.state, { locked: false, failedAttempts: 0 });
  },
);

maybe('a run idle for two hours on every instance expires when the next run is made, on any instance', async (t) => {
  const { body: idle } = await a.control<{ run: string }>('POST', '/runs');
  t.is((await b.control('GET', `/personas?run=${idle.run}`)).status, 200);
  // Its last use, as every instance reported it, three hours ago.
  const client = await connectRedis(redis.url, { log: () => {} });
  t.teardown(() => client.disconnect());
  await client.zadd(`${prefix}runs:used`, Date.now() - 3 * 3600_000, idle.run);
  const { body: fresh } = await b.control<{ run: string }>('POST', '/runs');
  t.is((await a.control('GET', `/personas?run=${idle.run}`)).status, 404);
  t.is((await b.control('GET', `/personas?run=${idle.run}`)).status, 404);
  t.is((await a.control('GET', `/personas?run=${fresh.run}`)).status, 200);
});
