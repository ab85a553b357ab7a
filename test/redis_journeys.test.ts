/*
 * A sign-in's journey (interactions/journeys.ts) on Redis goes from one emulator process to another:
 * two emulators on one Redis (one key prefix, the same keys); the password is entered on the first,
 * the SMS code screen opens on the second, in the stage the first left it in, and the code entered
 * there finishes the sign-in back at the client.
 */
import test from 'ava';
import { HttpBrowser } from '../scenarios/runner/http_browser.ts';
import { authorization, callbackOf, ivanov, registerClient } from './helpers/oidc_client.ts';
import { redisMissing, startRedis } from './helpers/redis_server.ts';
import { twoStandsOnRedis } from './helpers/redis_stands.ts';

const missing = redisMissing();
const redisTest = missing ? test.skip : test;

redisTest('the password on one emulator, the SMS code on another: the sign-in goes on where it was', async (t) => {
  const server = await startRedis();
  t.teardown(() => server.stop());
  const { a, b, bUrl } = await twoStandsOnRedis(server.url);
  t.teardown(() => Promise.all([a.close(), b.close()]));
  const client = await registerClient(a, { first_party: true });
  const browser = new HttpBrowser();
  await browser.goto((await authorization(client)).url.href);
  await browser.click('submit', { identifier: ivanov.phone, password: ivanov.password });
  t.is(browser.screen(), 'otp');
  const path = new URL(browser.requirePage().url).pathname;

  await browser.goto(`${bUrl}${path}`);
  t.is(browser.screen(), 'otp', `on the second emulator: ${browser.errorCode()}`);
  const { messages } = await a.control<{ messages: Array<{ code: string }> }>(
    'GET',
    `/inbox/sms?to=${encodeURIComponent(ivanov.phone)}`,
  );
  await browser.click('submit', { code: messages[0]!.code });
  t.truthy(callbackOf(client, browser)?.searchParams.get('code'), `${browser.screen()} ${browser.errorCode()}`);
});
