/*
 * A small HTTP proxy for tests: each request goes to the next backend in turn, on a new connection
 * (keep-alive off on both sides), so consecutive requests of one sign-in land on different emulator
 * processes. The Host header is kept, so each process sees the public origin (the issuer) it serves.
 * Like a balancer with `retry-on conn-failure`, a request whose backend refuses the connection goes
 * to the next one (nothing reached the refusing one, so nothing is repeated); a backend that fails
 * once it has the request answers 502, since a form posted twice is not the same as once.
 */
import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RoundRobinProxy {
  url: string;
  port: number;
  /** Requests answered by each backend, in the order of `backends`. */
  served: number[];
  /** Called with the backend that answered each request (index into `backends`), for tests that follow one. */
  onAnswer?: (backend: number, req: IncomingMessage) => void;
  close(): Promise<void>;
}

/** `backends`: origins such as http://127.0.0.1:41234. `port`: where to listen (0: any free port). */
export async function startRoundRobinProxy(backends: string[], port = 0): Promise<RoundRobinProxy> {
  const targets = backends.map((b) => new URL(b));
  const served = targets.map(() => 0);
  let next = 0;
  /** `retry`: the backend after the one that refused (not the shared turn, which other requests moved on). */
  const send = (req: IncomingMessage, res: ServerResponse, body: Buffer, tries: number, retry?: number) => {
    const index = retry ?? next;
    if (retry === undefined) next = (next + 1) % targets.length;
    const target = targets[index]!;
    const upstream = request(
      {
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, connection: 'close' },
        agent: false,
      },
      (answer) => {
        served[index]!++;
        proxy.onAnswer?.(index, req);
        // Raw pairs keep repeated headers (several Set-Cookie) as they came; the connection closes after.
        const headers: string[] = [];
        for (let i = 0; i < answer.rawHeaders.length; i += 2) {
          const name = answer.rawHeaders[i]!;
          if (!/^(connection|keep-alive)$/i.test(name)) headers.push(name, answer.rawHeaders[i + 1]!);
        }
        res.writeHead(answer.statusCode ?? 502, [...headers, 'connection', 'close']);
        answer.pipe(res);
      },
    );
    upstream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ECONNREFUSED' && tries + 1 < targets.length)
        return send(req, res, body, tries + 1, (index + 1) % targets.length);
      if (res.headersSent) return void res.destroy();
      res.writeHead(502, { 'content-type': 'text/plain; charset=utf-8', connection: 'close' });
      res.end(`round-robin proxy: backend ${target.origin} failed: ${error.code ?? error.message}`);
    });
    upstream.end(body);
  };
  const server = createServer({ keepAlive: false }, (req, res) => {
    // The body is kept whole (test traffic is small), so a refused request can go to the next backend.
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => send(req, res, Buffer.concat(chunks), 0));
  });
  // No keep-alive towards the client either: a sign-in's next request must be free to go elsewhere.
  server.keepAliveTimeout = 0;
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(port, '127.0.0.1', () => ok());
  });
  const actual = (server.address() as AddressInfo).port;
  const proxy: RoundRobinProxy = {
    url: `http://localhost:${actual}`,
    port: actual,
    served,
    close: () =>
      new Promise<void>((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
  return proxy;
}
