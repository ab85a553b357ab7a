/*
 * The scenario browser's transport: node:http(s) on keep-alive connections, no redirects followed,
 * the body read whole. fetch (undici) cost the single-threaded runner about three times as much CPU
 * per request, and a suite makes thousands. https: URLs use Node's default trust, as fetch did.
 */
import { Agent as HttpAgent, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';

export interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  /** Set-Cookie lines, one per cookie. */
  setCookies: string[];
  text: string;
  /** The body as received (a PDF, an image): text is its UTF-8 reading. */
  bytes: Buffer;
}

const agents = { http: new HttpAgent({ keepAlive: true }), https: new HttpsAgent({ keepAlive: true }) };

export function send(
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: string | Buffer } = {},
  retried = false,
): Promise<Reply> {
  const target = new URL(url);
  const secure = target.protocol === 'https:';
  return new Promise((resolve, reject) => {
    const req = (secure ? httpsRequest : httpRequest)(
      target,
      { method: init.method ?? 'GET', headers: init.headers, agent: secure ? agents.https : agents.http },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          const bytes = Buffer.concat(chunks);
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            setCookies: res.headers['set-cookie'] ?? [],
            text: bytes.toString('utf8'),
            bytes,
          });
        });
      },
    );
    req.on('error', (error: NodeJS.ErrnoException) => {
      // A kept-alive connection that the server closed while it sat idle (its keep-alive timeout) fails
      // on reuse before the request was read: sent again once, on a new connection (Node's documented remedy).
      if (!retried && req.reusedSocket && (error.code === 'ECONNRESET' || error.code === 'EPIPE'))
        return resolve(send(url, init, true));
      reject(new Error(`${init.method ?? 'GET'} ${url}: ${error.message}`, { cause: error }));
    });
    req.end(init.body);
  });
}

/** The status of a GET within two seconds, or 0 when nothing answers: for polling a server that is starting. */
export async function statusOf(url: string): Promise<number> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
    await res.arrayBuffer();
    return res.status;
  } catch {
    return 0;
  }
}
