/*
 * `npm run bench:esia`: ESIA-face sign-ins per second beside the OIDC face, against an in-process
 * stand. One sign-in = the whole round trip a system and a browser make: signed authorization
 * request (v2/ac raw GOST, or v1/ac PKCS#7 RSA; OIDC: /auth with PKCE) → login form → password →
 * SMS code from the control API → code at the system's redirect_uri → token exchange (v3/te, te,
 * or /token) → for ESIA, the person from /rs/prns/{oid}. Each worker signs in as its own persona
 * (one SMS inbox per worker). Prints sign-ins/s and latency p50/p95 per face and concurrency.
 * Options: `npm run bench:esia -- --help`.
 */
import { createHash, randomBytes } from 'node:crypto';
import { esiaSystemIds, signerOf } from '../scenarios/runner/esia_stand.ts';
import { startStand, type Stand } from '../scenarios/runner/stand.ts';
import { authorizationUrl, postToken, tokenParams, type EsiaSigner } from '../relying-party/esia/protocol.ts';
import { parseCli } from '../lib/cli.ts';

const { values: args } = parseCli({
  command: 'npm run bench:esia --',
  summary: 'ESIA-face sign-ins per second beside the OIDC face, against a stand started in this process.',
  options: {
    seconds: { type: 'string', value: 'N', help: 'per measurement (default 5)' },
    concurrency: { type: 'string', value: '1,4', help: 'levels (default 1,4)' },
  },
});
const seconds = Number(args.seconds ?? '5');
const levels = (args.concurrency ?? '1,4').split(',').map(Number);
const personas = [
  ['ivanov', '+79000000001'],
  ['fedorov', '+79000000011'],
  ['morozova', '+79000000012'],
  ['mikhailov', '+79000000009'],
  ['novikova', '+79000000010'],
  ['kuznetsova', '+79000000004'],
] as const;
const scope = 'openid fullname birthdate gender snils inn id_doc email mobile contacts';

class Jar {
  readonly cookies = new Map<string, string>();
  header(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
  store(lines: string[]): void {
    for (const line of lines) {
      const [pair = ''] = line.split(';');
      const eq = pair.indexOf('=');
      const value = pair.slice(eq + 1).trim();
      if (value === '' || /max-age=0/i.test(line)) this.cookies.delete(pair.slice(0, eq).trim());
      else this.cookies.set(pair.slice(0, eq).trim(), value);
    }
  }
}

async function go(jar: Jar, url: string, init: { form?: Record<string, string> } = {}): Promise<Response> {
  const res = await fetch(url, {
    method: init.form ? 'POST' : 'GET',
    headers: { cookie: jar.header(), ...(init.form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
    body: init.form ? new URLSearchParams(init.form).toString() : undefined,
    redirect: 'manual',
    signal: AbortSignal.timeout(15_000),
  });
  jar.store(res.headers.getSetCookie());
  return res;
}

/** Follows redirects on the emulator until one leaves it; returns that URL (the system's callback). */
async function follow(
  stand: Stand,
  jar: Jar,
  url: string,
  init: { form?: Record<string, string> } = {},
): Promise<{ url: string; res?: Response }> {
  let current = url;
  let res = await go(jar, current, init);
  for (let hop = 0; hop < 15; hop++) {
    const location = res.headers.get('location');
    if (!location || res.status < 300 || res.status > 399) return { url: current, res };
    await res.arrayBuffer();
    current = new URL(location, current).href;
    if (!current.startsWith(stand.idp)) return { url: current };
    res = await go(jar, current);
  }
  throw new Error(`too many redirects from ${url}`);
}

async function screens(stand: Stand, jar: Jar, start: string, phone: string): Promise<URL> {
  const login = await follow(stand, jar, start);
  const html = await login.res!.text();
  const uid = /\/interaction\/([\w-]+)\/login/.exec(html)?.[1];
  if (!uid) throw new Error(`no login form at ${login.url} (${login.res?.status})`);
  // Every form of the emulator carries its page's token (csrf_token), as a browser sends it back.
  const tokenOf = (page: string) => /name="csrf_token" value="([^"]+)"/.exec(page)?.[1] ?? '';
  const otp = await follow(stand, jar, `${stand.idp}/interaction/${uid}/login`, {
    form: { identifier: phone, password: 'Test-1234', csrf_token: tokenOf(html) },
  });
  const codePage = (await otp.res?.text()) ?? '';
  const sms = (await (await fetch(`${stand.idp}/__control/inbox/sms?to=${encodeURIComponent(phone)}`)).json()) as {
    messages: Array<{ code: string }>;
  };
  const done = await follow(stand, jar, `${stand.idp}/interaction/${uid}/otp`, {
    form: { code: sms.messages[0]!.code, csrf_token: tokenOf(codePage) },
  });
  return new URL(done.url);
}

type Face = 'esia-v2' | 'esia-v1' | 'oidc';

async function signIn(
  stand: Stand,
  face: Face,
  signers: Record<'v2' | 'v1', EsiaSigner>,
  phone: string,
): Promise<void> {
  const jar = new Jar();
  if (face === 'oidc') {
    const verifier = randomBytes(32).toString('base64url');
    const auth = new URL('/auth', stand.idp);
    const redirect = `${stand.rp}/callback`;
    auth.search = new URLSearchParams({
      client_id: 'fmrm',
      response_type: 'code',
      scope: 'openid profile snils',
      redirect_uri: redirect,
      state: randomBytes(8).toString('hex'),
      code_challenge: createHash('sha256').update(verifier).digest('base64url'),
      code_challenge_method: 'S256',
    }).toString();
    const cb = await screens(stand, jar, auth.href, phone);
    const res = await fetch(`${stand.idp}/token`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from('fmrm:fmrm-local-test-secret').toString('base64')}`,
      },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code: cb.searchParams.get('code') ?? '',
        redirect_uri: redirect,
        code_verifier: verifier,
      }).toString(),
    });
    if (res.status !== 200) throw new Error(`/token ${res.status} ${await res.text()}`);
    await res.arrayBuffer();
    return;
  }
  const version = face === 'esia-v2' ? 'v2' : 'v1';
  const signer = signers[version];
  const redirectUri = `${stand.sink}/cb`;
  const url = await authorizationUrl({
    base: stand.idp,
    version,
    clientId: esiaSystemIds.proto,
    scope,
    redirectUri,
    signer,
  });
  const cb = await screens(stand, jar, url.href, phone);
  const code = cb.searchParams.get('code');
  if (!code) throw new Error(`no code at ${cb.href}`);
  const answer = await postToken(
    stand.idp,
    version,
    await tokenParams({
      version,
      clientId: esiaSystemIds.proto,
      signer,
      grant: 'authorization_code',
      scope,
      redirectUri,
      code,
    }),
  );
  if (answer.status !== 200) throw new Error(`token ${answer.status} ${JSON.stringify(answer.body)}`);
  const oid = JSON.parse(Buffer.from(String(answer.body.access_token).split('.')[1]!, 'base64url').toString())[
    'urn:esia:sbj_id'
  ];
  const person = await fetch(`${stand.idp}/rs/prns/${oid}`, {
    headers: { authorization: `Bearer ${String(answer.body.access_token)}` },
  });
  if (person.status !== 200) throw new Error(`/rs/prns ${person.status}`);
  await person.arrayBuffer();
}

function percentile(sorted: number[], p: number): number {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]! : NaN;
}

async function measure(stand: Stand, face: Face, concurrency: number, signers: Record<'v2' | 'v1', EsiaSigner>) {
  const latencies: number[] = [];
  let errors = 0;
  let firstError = '';
  const until = performance.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async (_, i) => {
      const phone = personas[i % personas.length]![1];
      while (performance.now() < until) {
        const started = performance.now();
        try {
          await signIn(stand, face, signers, phone);
          latencies.push(performance.now() - started);
        } catch (error) {
          errors++;
          firstError ||= (error as Error).message;
          if (errors > 20) return;
        }
      }
    }),
  );
  latencies.sort((a, b) => a - b);
  return {
    face,
    concurrency,
    signIns: latencies.length,
    perSecond: latencies.length / seconds,
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    errors,
    firstError,
  };
}

const stand = await startStand();
try {
  if (levels.some((c) => c > personas.length))
    throw new Error(`at most ${personas.length} concurrent sign-ins (one persona each)`);
  const signers = {
    v2: await signerOf(stand.keysDir!, esiaSystemIds.proto, 'raw'),
    v1: await signerOf(stand.keysDir!, esiaSystemIds.proto, 'cms-rsa'),
  };
  await signIn(stand, 'esia-v2', signers, personas[0][1]); // warm-up
  console.log(
    `ESIA face vs OIDC face: full sign-ins (password + SMS + token exchange${''}), ${seconds} s per row, one emulator in this process`,
  );
  console.log('face      conc  sign-ins/s   p50 ms   p95 ms  errors');
  const rows = [];
  for (const concurrency of levels) {
    for (const face of ['esia-v2', 'esia-v1', 'oidc'] as const) {
      await stand.control('POST', '/reset');
      const r = await measure(stand, face, concurrency, signers);
      rows.push(r);
      console.log(
        `${face.padEnd(9)} ${String(concurrency).padStart(4)}  ${r.perSecond.toFixed(1).padStart(10)}  ${r.p50.toFixed(0).padStart(7)}  ${r.p95.toFixed(0).padStart(7)}  ${r.errors}${r.firstError ? ` (${r.firstError.slice(0, 120)})` : ''}`,
      );
    }
  }
} finally {
  await stand.close();
}
