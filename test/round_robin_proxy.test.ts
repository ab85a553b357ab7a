/* The round-robin proxy of the two-process stand: one request per backend in turn, a new connection each, headers kept. */
import test from 'ava';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startRoundRobinProxy } from '../scenarios/runner/round_robin_proxy.ts';
import { statusOf } from '../scenarios/runner/http_client.ts';
import { freePort } from '../scenarios/runner/stand.ts';

async function backend(name: string): Promise<{ server: Server; origin: string; sockets: Set<unknown> }> {
  const sockets = new Set<unknown>();
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      res.setHeader('set-cookie', [`a=${name}`, `b=${name}`]);
      res.end(JSON.stringify({ name, host: req.headers.host, method: req.method, url: req.url, body }));
    });
  });
  server.on('connection', (s) => sockets.add(s));
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', () => ok()));
  return { server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, sockets };
}

test('each request goes to the next backend on its own connection, with the Host, the body and every Set-Cookie kept', async (t) => {
  const [one, two] = [await backend('one'), await backend('two')];
  const proxy = await startRoundRobinProxy([one.origin, two.origin]);
  t.teardown(async () => {
    await proxy.close();
    one.server.close();
    two.server.close();
  });
  const seen: string[] = [];
  for (let i = 0; i < 6; i++) {
    const res = await fetch(`${proxy.url}/x?i=${i}`, { method: 'POST', body: `n=${i}` });
    const json = (await res.json()) as { name: string; host: string; url: string; body: string };
    seen.push(json.name);
    t.is(json.host, new URL(proxy.url).host, 'the public origin reaches the backend');
    t.is(json.url, `/x?i=${i}`);
    t.is(json.body, `n=${i}`);
    t.deepEqual(res.headers.getSetCookie(), [`a=${json.name}`, `b=${json.name}`]);
    t.is(res.headers.get('connection'), 'close');
  }
  t.deepEqual(seen, ['one', 'two', 'one', 'two', 'one', 'two']);
  t.deepEqual(proxy.served, [3, 3]);
  t.is(one.sockets.size, 3, 'a new connection to the backend for every request');
});

test('a request whose backend refuses the connection goes to the next one: every request is answered by the live one', async (t) => {
  const one = await backend('one');
  const proxy = await startRoundRobinProxy([one.origin, `http://127.0.0.1:${await freePort()}`]);
  t.teardown(async () => {
    await proxy.close();
    one.server.close();
  });
  const statuses: number[] = [];
  for (let i = 0; i < 4; i++) {
    const res = await fetch(proxy.url);
    statuses.push(res.status);
    await res.arrayBuffer();
  }
  t.deepEqual(statuses, [200, 200, 200, 200]);
  // Many at once too: a refused request goes to the backend after the one that refused, whatever the others did meanwhile.
  const together = await Promise.all(Array.from({ length: 20 }, () => statusOf(proxy.url)));
  t.deepEqual(together, Array(20).fill(200));
  t.deepEqual(proxy.served, [24, 0]);
});

test('a backend that fails once it has the request answers 502 (a posted form is not sent twice)', async (t) => {
  const one = await backend('one');
  const broken = createServer((req) => req.socket.destroy());
  await new Promise<void>((ok) => broken.listen(0, '127.0.0.1', () => ok()));
  const proxy = await startRoundRobinProxy([`http://127.0.0.1:${(broken.address() as AddressInfo).port}`, one.origin]);
  t.teardown(async () => {
    await proxy.close();
    one.server.close();
    broken.close();
  });
  const res = await fetch(proxy.url, { method: 'POST', body: 'x=1' });
  t.is(res.status, 502);
  t.regex(await res.text(), /backend http:\/\/127\.0\.0\.1:\d+ failed: ECONNRESET/);
  t.is(((await (await fetch(proxy.url)).json()) as { name: string }).name, 'one');
});
