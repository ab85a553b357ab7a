/*
 * A one-time SMS code is single use across emulator processes on one Redis: the code sent on one,
 * read from the inbox of the other, entered on both at once, lets exactly one in. The second entry
 * meets a sign-in that has moved on (or ended), never a second login.
 */
import test from 'ava';
import { randomUUID } from 'node:crypto';
import { HttpBrowser } from '../../scenarios/runner/http_browser.ts';
import { type Stand, startStand } from '../../scenarios/runner/stand.ts';
import { authorization, callbackOf, ivanov, registerClient } from '../helpers/oidc_client.ts';
import { redisMissing, startRedis } from '../helpers/redis_server.ts';

const missing = redisMissing();
const redisTest = missing ? test.skip : test.serial;
if (missing) test.todo(`one-time codes on Redis: ${missing}`);

let stands: Stand[] = [];
test.before(async () => {
  if (missing) return;
  const server = await startRedis();
  const shared = { store: server.url, redisPrefix: `t-${randomUUID().slice(0, 8)}:` };
  stands = await Promise.all([startStand(shared), startStand(shared)]);
  stopRedis = () => server.stop();
});
let stopRedis = async () => {};
test.after.always(async () => {
  await Promise.all(stands.map((s) => s.close()));
  await stopRedis();
});

/** A sign-in of Ivanov on A at the code screen, and `tabs` more tabs of the same browser on it, alternately on B and A. */
async function atCodeScreen(tabs: number) {
  const [a, b] = stands as [Stand, Stand];
  await a.control('POST', '/reset');
  const client = await registerClient(a, { first_party: true });
  const first = new HttpBrowser();
  await first.goto((await authorization(client)).url.href);
  await first.click('submit', { identifier: ivanov.phone, password: ivanov.password });
  const path = new URL(first.requirePage().url).pathname;
  const others = await Promise.all(
    Array.from({ length: tabs }, async (_, i) => {
      const tab = new HttpBrowser();
      tab.jar = first.jar;
      await tab.goto(`${(i % 2 ? a : b).idp}${path}`);
      return tab;
    }),
  );
  return { a, b, client, first, others };
}

redisTest('wrong codes entered at once on two emulators spend exactly the attempts a code has', async (t) => {
  const { a, first, others } = await atCodeScreen(8);
  t.true(others.every((tab) => tab.screen() === 'otp'));
  const results = await Promise.all(
    others.map(async (tab) => {
      await tab.click('submit', { code: '000000' });
      return tab.errorCode();
    }),
  );
  const count = (code: string) => results.filter((r) => r === code).length;
  t.is(count('otp.invalid'), 2, results.join(', '));
  t.is(count('otp.attempts_exhausted'), 6);
  const { messages } = await a.control<{ messages: Array<{ code: string }> }>(
    'GET',
    `/inbox/sms?to=${encodeURIComponent(ivanov.phone)}`,
  );
  await first.click('submit', { code: messages[0]!.code });
  t.is(first.errorCode(), 'otp.attempts_exhausted', 'the right code comes too late');
});

redisTest('the same SMS code entered on two emulators at once signs in once', async (t) => {
  // The sign-in's code screen on A, and the same browser (one cookie jar) has it open on B too.
  const { b, client, first: onA, others } = await atCodeScreen(1);
  const onB = others[0]!;
  t.is(onA.screen(), 'otp');
  t.is(onB.screen(), 'otp', onB.errorCode());
  // Sent by A, read from B's inbox.
  const { messages } = await b.control<{ messages: Array<{ code: string }> }>(
    'GET',
    `/inbox/sms?to=${encodeURIComponent(ivanov.phone)}`,
  );
  const code = messages[0]!.code;
  await Promise.all([onA.click('submit', { code }), onB.click('submit', { code })]);
  const signedIn = [onA, onB].filter((browser) => callbackOf(client, browser)?.searchParams.get('code'));
  t.is(signedIn.length, 1, [onA, onB].map((br) => `${br.screen()} ${br.errorCode()}`).join(' | '));
});
