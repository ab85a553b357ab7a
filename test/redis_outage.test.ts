/*
 * Redis lost while the emulator runs (a real redis-server, killed and started again under a stand on
 * ESIA_STORE=redis://…): the sign-in screens show «Сервис временно недоступен» with a reference code
 * (503, no stack), and so does the support console; the control API and the token endpoint answer
 * 503 JSON; nothing crashes (an unhandled rejection would fail this file), and once Redis is back
 * the service resumes by itself: the sign-in begun before the outage finishes.
 */
import test from 'ava';
import { randomUUID } from 'node:crypto';
import { HttpBrowser } from '../scenarios/runner/http_browser.ts';
import { startStand } from '../scenarios/runner/stand.ts';
import { authorization, registerClient, signInAsIvanov } from './helpers/oidc_client.ts';
import { redisMissing, startRedis } from './helpers/redis_server.ts';
import { operatorSession } from './helpers/support_console.ts';

const missing = redisMissing();
const redisTest = missing ? test.skip : test;

/** Tries until `attempt` stops throwing (Redis reconnecting), at most 10 s. */
async function eventually<T>(attempt: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      return await attempt();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

redisTest('Redis lost: 503 page with a reference code, 503 JSON, no crash; back by itself when Redis is', async (t) => {
  // fsync on every write: kill -9 then loses nothing the emulator was answered for.
  const server = await startRedis({ appendfsync: 'always' });
  t.teardown(() => server.stop());
  const stand = await startStand({ store: server.url, redisPrefix: `t-${randomUUID().slice(0, 8)}:` });
  t.teardown(() => stand.close());
  const client = await registerClient(stand);
  const before = new HttpBrowser();
  await before.goto((await authorization(client)).url.href);
  t.is(before.screen(), 'login');

  const operator = await operatorSession(stand.idp, 'operator');
  await server.kill();
  const browser = new HttpBrowser();
  await browser.goto((await authorization(client)).url.href);
  const page = browser.requirePage();
  t.is(page.status, 503);
  t.is(browser.errorCode(), 'store.unavailable');
  t.true(page.html.includes('Сервис временно недоступен'), page.html.slice(0, 300));
  t.regex(page.html, /data-ref="[\w-]+"/, 'a reference code');
  t.false(/\bat .+\.ts:\d+/.test(page.html), 'no stack trace');

  const register = await fetch(`${stand.idp}/__control/clients`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ client_id: 'during-outage', redirect_uris: ['http://localhost:1/cb'], client_secret: 's' }),
  });
  t.is(register.status, 503);
  const body = (await register.json()) as { error: string; message: string; ref: string };
  t.is(body.error, 'store.unavailable');
  t.regex(body.message, /^Redis at redis:\/\/127\.0\.0\.1:\d+ is unavailable: /);
  t.truthy(body.ref);

  const token = await fetch(`${stand.idp}/token`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `Basic ${Buffer.from(`${client.id}:${client.secret}`).toString('base64')}`,
    },
    body: 'grant_type=authorization_code&code=whatever&redirect_uri=x',
  });
  t.is(token.status, 503);
  t.is(((await token.json()) as { error: string }).error, 'store.unavailable');

  const esia = await fetch(`${stand.idp}/aas/oauth2/v3/te`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: 'client_id=PROTO01&grant_type=authorization_code&code=c0de',
  });
  t.is(esia.status, 503, "the ESIA face's token endpoint");
  t.is(((await esia.json()) as { error: string }).error, 'store.unavailable');

  const consolePage = await operator.get('/support');
  t.is(consolePage.status, 503, 'the support console, whose sessions are in Redis');
  t.regex(await consolePage.text(), /data-error-code="store\.unavailable"/);

  await server.restart();
  // The sign-in begun before the outage goes on where it was.
  await eventually(async () => {
    await before.goto(`${stand.idp}${new URL(before.requirePage().url).pathname}`);
    if (before.screen() !== 'login') throw new Error(`screen ${before.screen()} (${before.errorCode()})`);
  });
  await signInAsIvanov(stand, before);
  t.is(before.screen(), 'consent');
  await before.click('consent-allow');
  t.is((await operator.get('/support')).status, 200, 'the operator is still signed in');
  t.true(
    before.requirePage().url.startsWith(client.redirectUri),
    `${before.screen()} ${before.errorCode()} ${before.requirePage().url}`,
  );
});
