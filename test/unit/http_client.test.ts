/* The scenario browser's transport: a kept-alive connection the server dropped is retried once on a new one. */
import test from 'ava';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { send } from '../../scenarios/runner/http_client.ts';

/** Answers the first request of each connection; resets the connection on the second (as a server whose keep-alive timeout just expired). */
function flakyServer(): Promise<{ url: string; connections: () => number; close(): Promise<void> }> {
  const served = new WeakMap<Socket, number>();
  let connections = 0;
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const n = (served.get(req.socket) ?? 0) + 1;
    served.set(req.socket, n);
    if (n > 1) return void req.socket.resetAndDestroy();
    res.end(`ok ${req.method}`);
  });
  server.on('connection', () => connections++);
  return new Promise((ok) =>
    server.listen(0, '127.0.0.1', () =>
      ok({
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
        connections: () => connections,
        close: () => new Promise<void>((done) => server.close(() => done())),
      }),
    ),
  );
}

test('a reset on a reused connection is sent again on a new one, POST included', async (t) => {
  const server = await flakyServer();
  t.is((await send(server.url)).text, 'ok GET');
  t.is((await send(server.url, { method: 'POST', body: 'a=1' })).text, 'ok POST');
  t.is((await send(server.url)).text, 'ok GET');
  t.is(server.connections(), 3, 'each retry used a new connection');
  await server.close();
});

test('a refused connection is an error naming the request, not retried forever', async (t) => {
  const server = await flakyServer();
  await server.close();
  await t.throwsAsync(send(server.url), { message: /^GET http:\/\/127\.0\.0\.1:\d+\/: .*ECONNREFUSED/ });
});
