/*
 * A bounded, seeded fuzzer of the stand's public endpoints: malformed paths, parameters, methods,
 * content types, bodies, encodings and credentials, sent over raw HTTP (so lengths, encodings and
 * chunking can lie). The same seed sends the same requests. A finding is any 5xx or a stack trace.
 * Used by test/idp/fuzz.test.ts (a few thousand requests) and bench/fuzz.ts (32,000, for the figures).
 */
import { request } from 'node:http';

/** Endpoint groups: an app of the stand and paths under it, with `:uid`/`:oid`/`:id` to fill in. */
export const endpointGroups: Array<{ name: string; app: 'idp' | 'rp'; paths: string[] }> = [
  { name: 'oidc authorization', app: 'idp', paths: ['/auth', '/auth/:uid'] },
  { name: 'oidc token', app: 'idp', paths: ['/token', '/token/introspection', '/token/revocation'] },
  {
    name: 'oidc userinfo, logout, discovery',
    app: 'idp',
    paths: ['/me', '/session/end', '/session/end/confirm', '/.well-known/openid-configuration', '/jwks'],
  },
  {
    name: 'sign-in screens',
    app: 'idp',
    paths: [
      '/interaction/:uid',
      '/interaction/:uid/login',
      '/interaction/:uid/otp',
      '/interaction/:uid/otp/resend',
      '/interaction/:uid/password',
      '/interaction/:uid/agreement',
      '/interaction/:uid/abort',
    ],
  },
  {
    name: 'recovery and factors',
    app: 'idp',
    paths: [
      '/interaction/:uid/recovery',
      '/interaction/:uid/recovery/code',
      '/interaction/:uid/recovery/password',
      '/interaction/:uid/totp',
      '/interaction/:uid/key',
      '/interaction/:uid/biometric/start',
      '/interaction/:uid/biometric/finish',
    ],
  },
  {
    name: 'electronic signature',
    app: 'idp',
    paths: [
      '/interaction/:uid/certificate',
      '/interaction/:uid/certificate/start',
      '/interaction/:uid/certificate/tls',
      '/plugin',
      '/plugin/api/certificates',
      '/plugin/api/sign',
      '/plugin/api/import',
    ],
  },
  {
    name: 'esia authorization',
    app: 'idp',
    paths: ['/aas/oauth2/ac', '/aas/oauth2/v2/ac', '/aas/oauth2/consent', '/idp/ext/Logout'],
  },
  { name: 'esia token', app: 'idp', paths: ['/aas/oauth2/te', '/aas/oauth2/v3/te'] },
  {
    name: 'esia person api',
    app: 'idp',
    paths: ['/rs/prns/:oid', '/rs/prns/:oid/ctts', '/rs/prns/:oid/addrs', '/rs/prns/:oid/docs', '/rs/orgs/:oid'],
  },
  { name: 'pki', app: 'idp', paths: ['/pki/root.crt', '/pki/crl', '/pki/ocsp', '/pki/ocsp/:id'] },
  {
    name: 'support console',
    app: 'idp',
    paths: [
      '/support',
      '/support/login',
      '/support/logout',
      '/support/search',
      '/support/ref',
      '/support/accounts/:oid',
      '/support/accounts/:oid/note',
    ],
  },
  {
    name: 'control api',
    app: 'idp',
    paths: [
      '/__control',
      '/__control/clock',
      '/__control/inbox/sms',
      '/__control/audit/:id',
      '/__control/accounts/:id',
      '/__control/clients',
      '/__control/runs/:id/enter',
      '/__control/certificates/:id',
    ],
  },
  {
    name: 'account settings and trainer',
    app: 'idp',
    paths: ['/account', '/account/factors', '/trainer', '/trainer/:id', '/trainer/run/:id'],
  },
  {
    name: 'static and health',
    app: 'idp',
    paths: ['/static/esia.css', '/static/:id', '/__health/ready', '/favicon.ico', '/'],
  },
  {
    name: 'relying party',
    app: 'rp',
    paths: ['/', '/login', '/callback', '/cabinet', '/application/sign', '/logout', '/logout/local', '/logged-out'],
  },
  { name: 'relying party, other paths', app: 'rp', paths: ['/:id', '/callback/:id', '/static/:id'] },
];

/** mulberry32: small, fast, and the same numbers for the same seed. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface FuzzRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: Buffer;
  /** Send the body chunked, declaring no length. */
  chunked?: boolean;
}

const segments = [
  '%',
  '%FF%FE',
  '%E0%A4%A',
  '..',
  '%2e%2e%2f',
  'a'.repeat(3000),
  'тест',
  '\u0000'.replace('\u0000', '%00'),
  '<script>',
  "'",
  '"',
  '{}',
  '[]',
  'null',
  '-1',
  '9'.repeat(40),
  '%C0%AF',
];
const values = [
  '',
  '%',
  '%zz',
  '%FF',
  'x'.repeat(5000),
  '[]',
  '{"a":1}',
  'null',
  '-1',
  '0',
  '1e309',
  'тест',
  '<img src=x onerror=alert(1)>',
  '../../etc/passwd',
  'http://evil.example/',
  '//evil.example',
  'javascript:alert(1)',
  '\r\nX-Injected: 1',
];
const names = [
  'client_id',
  'redirect_uri',
  'response_type',
  'scope',
  'state',
  'code',
  'grant_type',
  'refresh_token',
  'client_secret',
  'timestamp',
  'code_verifier',
  'code_challenge',
  'identifier',
  'password',
  'code',
  'csrf',
  'q',
  'kind',
  'next',
  'to',
  'prompt',
  'max_age',
  'id_token_hint',
  'login_hint',
  'acr_values',
  'embed',
  'a[b][c]',
  '__proto__',
  'constructor',
];
const methods = ['GET', 'POST', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD', 'PROPFIND'];
const types = [
  'application/x-www-form-urlencoded',
  'application/json',
  'text/plain',
  'multipart/form-data; boundary=x',
  'multipart/form-data',
  'application/json; charset=koi8-r',
  'application/xml',
  'application/ocsp-request',
  '',
];

export function fuzzRequests(
  seed: number,
  perGroup: number,
): Array<{ group: string; app: 'idp' | 'rp'; request: FuzzRequest }> {
  const rnd = prng(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rnd() * list.length)] as T;
  const out: Array<{ group: string; app: 'idp' | 'rp'; request: FuzzRequest }> = [];
  for (const group of endpointGroups) {
    for (let i = 0; i < perGroup; i++) {
      const path = pick(group.paths).replace(/:(uid|oid|id)/g, () =>
        rnd() < 0.5 ? pick(segments) : Math.floor(rnd() * 1e12).toString(36),
      );
      const query = Array.from(
        { length: Math.floor(rnd() * 5) },
        () =>
          `${encodeURIComponent(pick(names))}=${rnd() < 0.5 ? pick(values).replace(/[\r\n ]/g, encodeURIComponent) : encodeURIComponent(pick(values))}`,
      );
      const method = pick(methods);
      const headers: Record<string, string> = {};
      const type = pick(types);
      if (type) headers['content-type'] = type;
      if (rnd() < 0.2)
        headers.authorization = pick([
          `Basic ${Buffer.from(`${pick(values)}:${pick(values)}`).toString('base64')}`,
          'Basic %%%',
          'Bearer ',
          `Bearer ${pick(values)}`,
          'Basic',
        ]);
      if (rnd() < 0.2)
        headers.cookie = pick([
          'esia_run=%FF',
          'esia_support=a.b',
          '_session=x; _session.sig=y',
          `esia_run=${pick(segments)}`,
          'a=b; =; ;;',
        ]);
      if (rnd() < 0.1) headers['content-encoding'] = pick(['gzip', 'br', 'identity', 'x']);
      if (rnd() < 0.1) headers.origin = pick(['null', 'http://evil.example', '%']);
      const body = method === 'GET' || method === 'HEAD' ? undefined : bodyFor(rnd, pick, type);
      for (const [name, value] of Object.entries(headers)) headers[name] = wireSafe(value);
      const target = wireSafe(path + (query.length ? `?${query.join('&')}` : ''));
      out.push({
        group: group.name,
        app: group.app,
        request: { method, path: target, headers, body, chunked: !!body && rnd() < 0.2 },
      });
    }
  }
  return out;
}

/** What can be put on the wire at all: bytes outside printable ASCII are sent percent-encoded. */
const wireSafe = (text: string) => text.replace(/[^\x21-\x7e]/g, (c) => encodeURIComponent(c));

function bodyFor(rnd: () => number, pick: <T>(l: readonly T[]) => T, type: string): Buffer | undefined {
  const depth = 1 + Math.floor(rnd() * 20_000);
  switch (Math.floor(rnd() * 9)) {
    case 0:
      return undefined;
    case 1:
      return Buffer.from(`{"${pick(names)}":${'['.repeat(depth)}${']'.repeat(depth)}}`);
    case 2:
      return Buffer.from(`{"${pick(names)}":${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}}`);
    case 3:
      return Buffer.from(`{"${pick(names)}":`);
    case 4:
      return Buffer.from(Array.from({ length: 1 + Math.floor(rnd() * 2000) }, () => Math.floor(rnd() * 256)));
    case 5:
      return Buffer.alloc(50_000 + Math.floor(rnd() * 300_000), 'a');
    case 6:
      return Buffer.from(
        `--x\r\nContent-Disposition: form-data; name="${pick(names)}"; filename="../../x"\r\n\r\n${pick(values)}\r\n--x--`,
      );
    case 7:
      return Buffer.from(
        JSON.stringify({
          [pick(names)]: pick(values),
          [pick(names)]: [pick(values), pick(values)],
          __proto__: { admin: true },
        }),
      );
    default:
      return Buffer.from(
        Array.from(
          { length: 1 + Math.floor(rnd() * 6) },
          () => `${pick(names)}=${encodeURIComponent(pick(values))}`,
        ).join('&') + (type.includes('json') ? '' : `&${pick(names)}=%`),
      );
  }
}

export interface FuzzAnswer {
  status: number;
  body: string;
}

export const stackTrace =
  /\bat [\w.<>$]+ \(|node_modules\/|\.ts:\d+:\d+|\bTypeError\b|\bRangeError\b|\bReferenceError\b/;

/** Sends one request; a connection the server reset counts as status 0. */
export function send(origin: string, r: FuzzRequest): Promise<FuzzAnswer> {
  return new Promise((resolve) => {
    const headers = {
      ...r.headers,
      ...(r.body && !r.chunked ? { 'content-length': String(r.body.length) } : {}),
      ...(r.chunked ? { 'transfer-encoding': 'chunked' } : {}),
    };
    const req = request(`${origin}${r.path}`, { method: r.method, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', () => resolve({ status: res.statusCode ?? 0, body: '' }));
    });
    req.setTimeout(20_000, () => req.destroy(new Error('timed out')));
    req.on('error', (error) => resolve({ status: 0, body: String(error.message) }));
    if (r.body) req.write(r.body);
    req.end();
  });
}

/** Whether an answer is a finding: a 5xx, or a stack trace in any answer. */
export function isFinding(answer: FuzzAnswer): string | undefined {
  if (answer.status >= 500) return `status ${answer.status}`;
  if (stackTrace.test(answer.body)) return 'a stack trace in the answer';
  return undefined;
}
