/*
 * The load driver: one full browser-like sign-in (authorization request with PKCE → login form →
 * password → SMS code from the control API → code → redirect with the authorization code → token
 * exchange). A minimal HTTP/1.1 client on keep-alive sockets (fetch cost the driver 7 ms of CPU per
 * sign-in, node:http 3 ms), manual redirects and a tiny cookie map per login: the driver shares the
 * CPU cores with the server, so it must stay cheap and its own cost is measured separately.
 */
import { createHash, randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';

export interface Target {
  /** Emulator origin, e.g. http://localhost:41234. */
  base: string;
  clientId: string;
  clientSecret: string;
  redirectUri: string;
}

export interface Persona {
  persona: string;
  phone: string;
  password: string;
}

export class LoginError extends Error {
  override name = 'LoginError';
}

interface Cookie {
  value: string;
  path: string;
}

/** Cookies of one simulated browser: name → value and path (oidc-provider scopes some to /interaction/<uid>). */
class Jar {
  readonly #cookies = new Map<string, Cookie>();

  header(pathname: string): string {
    let out = '';
    for (const [name, c] of this.#cookies) {
      if (pathname.startsWith(c.path)) out += `${out ? '; ' : ''}${name}=${c.value}`;
    }
    return out;
  }

  store(setCookies: string[]): void {
    for (const line of setCookies) {
      const parts = line.split(';');
      const eq = parts[0]!.indexOf('=');
      const name = parts[0]!.slice(0, eq).trim();
      const value = parts[0]!.slice(eq + 1).trim();
      let path = '/';
      let expired = value === '';
      for (let i = 1; i < parts.length; i++) {
        const attr = parts[i]!.trim().toLowerCase();
        if (attr.startsWith('path=')) path = parts[i]!.trim().slice(5);
        else if (attr === 'max-age=0' || attr.startsWith('expires=thu, 01 jan 1970')) expired = true;
      }
      if (expired) this.#cookies.delete(name);
      else this.#cookies.set(name, { value, path });
    }
  }
}

/**
 * Serialises async work per key inside the driver. Needed because every concurrent sign-in of one
 * persona receives its SMS in the same inbox: "post the password, then read the newest code" must
 * not interleave with another sign-in of that persona, or it would read someone else's code.
 */
export class DriverLocks {
  readonly #tails = new Map<string, Promise<unknown>>();
  /** Total time sign-ins spent waiting for this lock, ms (reported, since it is driver-made contention). */
  waitedMs = 0;

  async run<T>(key: string, work: () => Promise<T>): Promise<T> {
    const queued = performance.now();
    const previous = this.#tails.get(key) ?? Promise.resolve();
    const result = previous.then(() => {
      this.waitedMs += performance.now() - queued;
      return work();
    });
    const tail = result.catch(() => undefined);
    this.#tails.set(key, tail);
    void tail.then(() => {
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    });
    return result;
  }
}

const b64url = (buf: Buffer) => buf.toString('base64url');

/** What the driver reads from a response: status, headers (names in lower case) and the body text. */
interface Reply {
  status: number;
  headers: Map<string, string[]>;
  body: string;
}

const timeoutMs = 15_000;
const crlf2 = Buffer.from('\r\n\r\n');

/**
 * One keep-alive HTTP/1.1 connection to the emulator, one request at a time. A minimal client on a
 * socket: the server is ours and answers with Content-Length (chunked is handled too), so parsing
 * is a header split. It costs the driver a fraction of node:http's per-request work.
 */
class Connection {
  readonly socket: Socket;
  #buffer: Buffer = Buffer.alloc(0);
  #head?: {
    status: number;
    headers: Map<string, string[]>;
    bodyStart: number;
    length?: number;
    chunked: boolean;
    close: boolean;
  };
  #pending?: { resolve: (r: Reply) => void; reject: (e: Error) => void; what: string };
  closed = false;

  constructor(
    host: string,
    port: number,
    readonly onIdle: (c: Connection) => void,
  ) {
    this.socket = connect({ host, port, noDelay: true });
    this.socket.on('data', (chunk: Buffer) => {
      this.#buffer = this.#buffer.length ? Buffer.concat([this.#buffer, chunk]) : chunk;
      this.#parse();
    });
    this.socket.on('timeout', () =>
      this.#fail(new LoginError(`${this.#pending?.what ?? 'idle connection'}: no answer within ${timeoutMs} ms`)),
    );
    this.socket.on('error', (e) => this.#fail(e));
    this.socket.on('close', () =>
      this.#fail(new LoginError(`${this.#pending?.what ?? 'idle connection'}: connection closed before the answer`)),
    );
  }

  send(raw: string, what: string): Promise<Reply> {
    return new Promise((resolve, reject) => {
      this.#pending = { resolve, reject, what };
      this.socket.setTimeout(timeoutMs);
      this.socket.write(raw);
    });
  }

  #fail(error: Error): void {
    this.closed = true;
    this.socket.destroy();
    const p = this.#pending;
    this.#pending = undefined;
    p?.reject(error);
  }

  #parse(): void {
    if (!this.#head) {
      const end = this.#buffer.indexOf(crlf2);
      if (end < 0) return;
      const lines = this.#buffer.toString('latin1', 0, end).split('\r\n');
      const status = Number(lines[0]!.split(' ')[1]);
      const headers = new Map<string, string[]>();
      for (let i = 1; i < lines.length; i++) {
        const colon = lines[i]!.indexOf(':');
        const name = lines[i]!.slice(0, colon).toLowerCase();
        const value = lines[i]!.slice(colon + 1).trim();
        const list = headers.get(name);
        if (list) list.push(value);
        else headers.set(name, [value]);
      }
      const length = headers.get('content-length')?.[0];
      this.#head = {
        status,
        headers,
        bodyStart: end + 4,
        length: length === undefined ? undefined : Number(length),
        chunked: /chunked/i.test(headers.get('transfer-encoding')?.[0] ?? ''),
        close: /close/i.test(headers.get('connection')?.[0] ?? ''),
      };
    }
    const h = this.#head;
    let body: Buffer | undefined;
    let used = 0;
    if (h.chunked) {
      const parts: Buffer[] = [];
      let at = h.bodyStart;
      for (;;) {
        const eol = this.#buffer.indexOf('\r\n', at);
        if (eol < 0) return;
        const size = parseInt(this.#buffer.toString('latin1', at, eol), 16);
        if (this.#buffer.length < eol + 2 + size + 2) return;
        if (size === 0) {
          used = eol + 4;
          break;
        }
        parts.push(this.#buffer.subarray(eol + 2, eol + 2 + size));
        at = eol + 2 + size + 2;
      }
      body = Buffer.concat(parts);
    } else {
      const length = h.length ?? 0;
      if (this.#buffer.length < h.bodyStart + length) return;
      body = this.#buffer.subarray(h.bodyStart, h.bodyStart + length);
      used = h.bodyStart + length;
    }
    const reply: Reply = { status: h.status, headers: h.headers, body: body.toString('utf8') };
    this.#buffer = this.#buffer.subarray(used);
    this.#head = undefined;
    const p = this.#pending;
    this.#pending = undefined;
    this.socket.setTimeout(0);
    if (h.close) {
      this.closed = true;
      this.socket.end();
    } else {
      this.onIdle(this);
    }
    p?.resolve(reply);
  }
}

/** Idle keep-alive connections per origin, reused across sign-ins as a browser reuses them. */
const idle = new Map<string, Connection[]>();

function send(
  base: string,
  path: string,
  method: string,
  headers: Record<string, string>,
  body?: string,
): Promise<Reply> {
  let pool = idle.get(base);
  if (!pool) {
    pool = [];
    idle.set(base, pool);
  }
  let conn: Connection | undefined;
  while ((conn = pool.pop()) && conn.closed);
  if (!conn) {
    const u = new URL(base);
    const list = pool;
    conn = new Connection(u.hostname, Number(u.port), (c) => list.push(c));
  }
  let raw = `${method} ${path} HTTP/1.1\r\nhost: ${base.slice(base.indexOf('//') + 2)}\r\n`;
  for (const name in headers) raw += `${name}: ${headers[name]}\r\n`;
  if (body !== undefined) raw += `content-length: ${Buffer.byteLength(body)}\r\n`;
  raw += `\r\n${body ?? ''}`;
  return conn.send(raw, `${method} ${path}`);
}

async function request(
  t: Target,
  jar: Jar,
  url: string,
  init: { method?: string; form?: Record<string, string>; auth?: string } = {},
): Promise<Reply> {
  // Locations are absolute paths or absolute URLs on the emulator's origin.
  const path = url.startsWith('/') ? url : url.slice(new URL(url).origin.length);
  const headers: Record<string, string> = {};
  const cookie = jar.header(path);
  if (cookie) headers.cookie = cookie;
  if (init.auth) headers.authorization = init.auth;
  let body: string | undefined;
  if (init.form) {
    body = new URLSearchParams(init.form).toString();
    headers['content-type'] = 'application/x-www-form-urlencoded';
  }
  const res = await send(t.base, path, init.method ?? 'GET', headers, body);
  const setCookie = res.headers.get('set-cookie');
  if (setCookie) jar.store(setCookie);
  return res;
}

/** Expects a redirect and returns its Location. */
function redirected(res: Reply, step: string, expect: string): string {
  const location = res.headers.get('location')?.[0] ?? '';
  if (res.status < 300 || res.status > 399 || !location.includes(expect)) {
    // The emulator's pages name their error (body data-error-code): say which refusal it was.
    const code = /data-error-code="([^"]+)"/.exec(res.body)?.[1];
    throw new LoginError(
      `${step}: expected a redirect to …${expect}…, got ${res.status} ${location || '(no Location)'}${code ? ` (${code})` : ''}`,
    );
  }
  return location;
}

/** Expects the page and returns its form token (the hidden csrf_token every form of the emulator carries). */
function page(res: Reply, step: string, mustContain: string): string {
  if (res.status !== 200 || !res.body.includes(mustContain))
    throw new LoginError(`${step}: expected 200 with ${mustContain}, got ${res.status}`);
  return /name="csrf_token" value="([^"]+)"/.exec(res.body)?.[1] ?? '';
}

/** One complete sign-in; throws LoginError naming the step that went wrong. */
export async function login(t: Target, who: Persona, locks: DriverLocks): Promise<void> {
  const jar = new Jar();
  const verifier = b64url(randomBytes(32));
  const challenge = b64url(createHash('sha256').update(verifier).digest());
  const state = b64url(randomBytes(12));
  const nonce = b64url(randomBytes(12));
  const authUrl = `/auth?${new URLSearchParams({
    client_id: t.clientId,
    response_type: 'code',
    scope: 'openid',
    redirect_uri: t.redirectUri,
    state,
    nonce,
    code_challenge: challenge,
    code_challenge_method: 'S256',
  })}`;

  const interaction = redirected(await request(t, jar, authUrl), 'GET /auth', '/interaction/');
  const uid = new URL(interaction, t.base).pathname.split('/')[2]!;
  const loginToken = page(await request(t, jar, interaction), 'GET login form', 'name="password"');

  const code = await locks.run(who.persona, async () => {
    const form = { identifier: who.phone, password: who.password, remember: 'no', csrf_token: loginToken };
    redirected(
      await request(t, jar, `/interaction/${uid}/login`, { method: 'POST', form }),
      'POST password',
      `/interaction/${uid}`,
    );
    const inbox = await send(t.base, `/__control/inbox/sms?to=${encodeURIComponent(who.phone)}`, 'GET', {});
    if (inbox.status !== 200) throw new LoginError(`inbox of ${who.phone}: ${inbox.status}`);
    const { messages } = JSON.parse(inbox.body) as { messages: Array<{ code?: string }> };
    const newest = messages[0]?.code;
    if (!newest) throw new LoginError(`inbox of ${who.phone}: no code`);
    return newest;
  });
  // A browser follows the 303 to the code screen; so does the driver.
  const codeToken = page(await request(t, jar, `/interaction/${uid}`), 'GET code form', 'name="code"');

  const resume = redirected(
    await request(t, jar, `/interaction/${uid}/otp`, { method: 'POST', form: { code, csrf_token: codeToken } }),
    'POST code (an /interaction/ redirect means an extra screen)',
    `/auth/${uid}`,
  );
  const back = new URL(redirected(await request(t, jar, resume), 'GET /auth/<uid>', t.redirectUri));
  const authCode = back.searchParams.get('code');
  if (!authCode || back.searchParams.get('state') !== state)
    throw new LoginError(`redirect: missing code or wrong state: ${back}`);

  const basic = `Basic ${Buffer.from(`${encodeURIComponent(t.clientId)}:${encodeURIComponent(t.clientSecret)}`).toString('base64')}`;
  const tokenRes = await request(t, jar, '/token', {
    method: 'POST',
    auth: basic,
    form: { grant_type: 'authorization_code', code: authCode, redirect_uri: t.redirectUri, code_verifier: verifier },
  });
  const tokens = JSON.parse(tokenRes.body) as { id_token?: string; error?: string; error_description?: string };
  if (tokenRes.status !== 200 || typeof tokens.id_token !== 'string') {
    throw new LoginError(`POST /token: ${tokenRes.status} ${tokens.error ?? ''} ${tokens.error_description ?? ''}`);
  }
  // Checking the nonce proves the id_token belongs to this sign-in; verifying the signature would only add driver CPU.
  const claims = JSON.parse(Buffer.from(tokens.id_token.split('.')[1] ?? '', 'base64url').toString('utf8')) as {
    nonce?: string;
  };
  if (claims.nonce !== nonce) throw new LoginError('id_token: nonce differs from the one sent');
}
