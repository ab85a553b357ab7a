/* The control API: clock, inboxes, faults, the journal story behind a reference code (E1), and its safety rails. */
import test from 'ava';
import Router from '@koa/router';
import { MountedRouter, prefixOf, routesOf } from '../../lib/http/mount.ts';
import { HttpBrowser } from '../../scenarios/runner/http_browser.ts';
import { type Stand, startStand } from '../../scenarios/runner/stand.ts';

let stand: Stand;
test.before(async () => {
  stand = await startStand();
});
test.after.always(() => stand?.close());

test.serial('the clock can be set, frozen and advanced by seconds or ISO durations', async (t) => {
  await stand.control('POST', '/reset');
  const set = await stand.control<{ now: string; frozen: boolean }>('POST', '/clock', {
    set: '2026-01-01T00:00:00Z',
    freeze: true,
  });
  t.deepEqual(set, { now: '2026-01-01T00:00:00.000Z', frozen: true });
  t.is((await stand.control<{ now: string }>('POST', '/clock', { advance: 90 })).now, '2026-01-01T00:01:30.000Z');
  t.is((await stand.control<{ now: string }>('POST', '/clock', { advance: 'P1DT1H' })).now, '2026-01-02T01:01:30.000Z');
  const bad = await fetch(`${stand.idp}/__control/clock`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{"advance":"tomorrow"}',
  });
  t.is(bad.status, 400);
  t.regex(((await bad.json()) as { message: string }).message, /ISO duration/);
});

test.serial('a reference code on an error screen finds the whole story of that attempt (E1)', async (t) => {
  await stand.control('POST', '/reset');
  const b = new HttpBrowser();
  await b.goto(`${stand.rp}/login`);
  await b.click('submit', { identifier: '+79000000001', password: 'Wrong-1' });
  const ref = b.byTestId('ref-code')?.getAttribute('data-ref');
  t.regex(ref ?? '', /^[2-9A-Z]{4}-[2-9A-Z]{4}$/);
  const story = await stand.control<{ record: Record<string, unknown>; story: Array<Record<string, unknown>> }>(
    'GET',
    `/audit/${ref}`,
  );
  t.is(story.record.code, 'login.invalid_credentials');
  t.is(story.record.account, '1000001013');
  t.is(story.record.action, 'login.password');
  t.truthy(story.record.ip);
  t.truthy(story.record.ts);
  const actions = story.story.map((r) => r.action);
  t.true(actions.includes('login.show'), `the story starts at the login screen: ${actions.join(', ')}`);
  t.true(story.story.every((r) => r.trace === story.record.trace));
  const missing = await fetch(`${stand.idp}/__control/audit/ZZZZ-ZZZZ`);
  t.is(missing.status, 404);
});

test.serial('SMS codes land in the inbox by phone; a delayed one appears when the clock reaches it', async (t) => {
  await stand.control('POST', '/reset');
  await stand.control('POST', '/clock', { set: '2026-11-25T09:00:00Z', freeze: true });
  await stand.control('POST', '/faults', { kind: 'sms.delay', seconds: 30 });
  const b = new HttpBrowser();
  await b.goto(`${stand.rp}/login`);
  await b.click('submit', { identifier: 'ivanov@example.test', password: 'Test-1234' });
  const inbox = () =>
    stand.control<{ messages: Array<{ code: string; text: string }> }>('GET', '/inbox/sms?to=%2B79000000001');
  t.is((await inbox()).messages.length, 0);
  await stand.control('POST', '/clock', { advance: 30 });
  const [message] = (await inbox()).messages;
  t.regex(message?.code ?? '', /^\d{6}$/);
  t.true(message?.text.includes(message.code));
});

test.serial(
  'the SMS inbox finds a phone written as the README shows it (unencoded +), with 8 or with spaces',
  async (t) => {
    await stand.control('POST', '/reset');
    const b = new HttpBrowser();
    await b.goto(`${stand.rp}/login`);
    await b.click('submit', { identifier: 'ivanov@example.test', password: 'Test-1234' });
    for (const query of [
      'to=+79000000001',
      'to=%2B79000000001',
      'to=89000000001',
      'to=8%20(900)%20000-00-01',
      'to=+7%20900%20000%2000%2001',
    ]) {
      const res = await fetch(`${stand.idp}/__control/inbox/sms?${query}`);
      const { messages } = (await res.json()) as { messages: Array<{ code: string }> };
      t.is(messages.length, 1, query);
      t.regex(messages[0]?.code ?? '', /^\d{6}$/, query);
    }
    const other = (await (await fetch(`${stand.idp}/__control/inbox/sms?to=+79000000002`)).json()) as {
      messages: unknown[];
    };
    t.is(other.messages.length, 0, 'another phone has its own inbox');
  },
);

test.serial('next-login lets a client sign in as a persona without the screens', async (t) => {
  await stand.control('POST', '/reset');
  await stand.control('POST', '/next-login', { client_id: 'fmrm', persona: 'ivanov' });
  const b = new HttpBrowser();
  await b.goto(`${stand.rp}/login`);
  t.is(b.screen(), 'cabinet');
  const again = new HttpBrowser();
  await again.goto(`${stand.rp}/login`);
  t.is(again.screen(), 'login', 'the shortcut is used once');
});

test.serial('PATCH refuses unknown fields and values with the allowed ones named', async (t) => {
  const res = await fetch(`${stand.idp}/__control/accounts/ivanov`, {
    method: 'PATCH',
    headers: { 'content-type': 'application/json' },
    body: '{"status":"gone"}',
  });
  t.is(res.status, 400);
  t.regex(((await res.json()) as { message: string }).message, /active, inactive, restricted/);
});

test('with the control API off, /__control does not exist', async (t) => {
  const off = await startStand({ controlEnabled: false });
  try {
    const res = await fetch(`${off.idp}/__control/reset`, { method: 'POST' });
    t.is(res.status, 404);
  } finally {
    await off.close();
  }
});

test('every page is marked as a test stand, in the page and in a header', async (t) => {
  const res = await fetch(`${stand.idp}/`);
  t.is(res.headers.get('x-test-stand'), 'esia-emulator; not the real ESIA');
  t.regex(await res.text(), /data-testid="test-stand-banner"/);
});

test('every route table answers at its own root, with or without the trailing slash; a look-alike path is a 404', async (t) => {
  for (const path of [
    '/__control',
    '/__control/',
    '/__control/esia',
    '/support',
    '/support/',
    '/plugin',
    '/plugin/',
    '/pki/root.crt',
    '/account',
  ]) {
    const res = await fetch(stand.idp + path, { redirect: 'manual' });
    await res.arrayBuffer();
    t.true(res.status === 200 || res.status === 302, `${path}: ${res.status}`);
  }
  const listing = (await (await fetch(`${stand.idp}/__control`)).json()) as { endpoints: string[] };
  t.true(listing.endpoints.some((e) => e.startsWith('POST /__control/reset')));
  for (const path of ['/supportx', '/__controlx', '/pkix/root.crt', '/interactionx']) {
    const res = await fetch(stand.idp + path, { redirect: 'manual' });
    await res.arrayBuffer();
    t.is(res.status, 404, path);
  }
});

/** A concrete path a route matches: each parameter or wildcard filled in, optional parts kept. */
const samplePath = (path: string) => path.replace(/[:*]\w+/g, 'x').replace(/[{}]/g, '');

test('every route a route table declares is reached through the dispatch, whose prefixes come from the routes', async (t) => {
  const tables = stand.emulator!.idp.routeTables;
  t.true(tables.length >= 6, tables.map((table) => table.name).join(', '));
  const firstUnder = new Map<string, { table: string; path: string }>();
  for (const table of tables) {
    for (const route of routesOf(table.router)) {
      t.is(typeof route.path, 'string', `${table.name}: a RegExp route has no prefix to derive`);
      const path = samplePath(String(route.path));
      const method = route.methods.at(-1)!;
      t.true(
        table.router.match(path, method).route,
        `${table.name}: ${path} is a path of ${method} ${String(route.path)}`,
      );
      t.true(
        table.reaches(path),
        `${table.name}: ${method} ${String(route.path)} is declared but the dispatch (${table.prefixes.join(', ')}) never runs the table for it`,
      );
      const prefix = table.prefixes.find((p) => path.startsWith(p))!;
      if (method === 'GET' && !firstUnder.has(prefix)) firstUnder.set(prefix, { table: table.name, path });
    }
  }
  // One real request per prefix: the table answers (not the 404 of a request no table took).
  for (const [prefix, { table, path }] of firstUnder) {
    const res = await fetch(stand.idp + path, { redirect: 'manual' });
    await res.arrayBuffer();
    t.not(res.status, 404, `${table}: GET ${path} (under ${prefix})`);
  }
});

test('the prefixes of a table are the first path segments of its routes, also of routes added after mounting', (t) => {
  t.is(prefixOf('/aas/oauth2/ac'), '/aas/');
  t.is(prefixOf('/rs/prns/:oid'), '/rs/');
  t.is(prefixOf('/support'), '/support');
  t.is(prefixOf('/interaction/:uid'), '/interaction/');
  t.is(prefixOf('/:anything'), '/');
  const router = new Router();
  router.get('/one/a', () => undefined);
  const table = new MountedRouter('sample', router);
  t.deepEqual([table.reaches('/one/a'), table.reaches('/two/b')], [true, false]);
  router.get('/two/:id', () => undefined);
  t.true(table.reaches('/two/b'), 'a route added after mounting is reached too');
});
