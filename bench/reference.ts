/*
 * The baseline the emulator's throughput is read against: a bare oidc-provider with the same two steps
 * (scrypt N=1024 password check, then a one-time code), a memory store and nothing else — no
 * audit journal, no data file, no runs, no catalogue pages. It speaks exactly the driver's
 * protocol (same paths, form fields and redirects as the emulator), so `npm run bench` (phase reference)
 * measures both with one driver on one machine. Never used outside the bench.
 */
import { randomBytes, randomInt, scrypt, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import Provider, { type KoaContextWithOIDC } from 'oidc-provider';
import { loadOrCreateKeys } from '../keys/generate.ts';
import { parseCli } from '../lib/cli.ts';

parseCli({
  command: 'node --import tsx bench/reference.ts',
  summary:
    "The bench's reference: a bare oidc-provider with the emulator's two sign-in steps, on ESIA_PORT (default 3999), keys from ESIA_KEYS_DIR.",
  options: {},
});

const port = Number(process.env.ESIA_PORT ?? 3999);
const issuer = `http://localhost:${port}`;
const keys = await loadOrCreateKeys(process.env.ESIA_KEYS_DIR ?? 'keys/local');

const derive = (password: string, salt: Buffer) =>
  new Promise<Buffer>((ok, fail) =>
    scrypt(password, salt, 32, { N: 1024, r: 8, p: 1 }, (e, k) => (e ? fail(e) : ok(k))),
  );

// The personas' phones and passwords (the bench signs in as those that need no extra screen).
const salt = randomBytes(16);
const { personas } = JSON.parse(await readFile(new URL('../config/personas.json', import.meta.url), 'utf8')) as {
  personas: Array<{ oid: string; phone: string; password: string }>;
};
const accounts = new Map(
  await Promise.all(personas.map(async (p) => [p.phone, { id: p.oid, hash: await derive(p.password, salt) }] as const)),
);
const inbox = new Map<string, string[]>();
const codes = new Map<string, string>();

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: 'bench',
      client_secret: 'bench-local-test-secret',
      redirect_uris: ['http://localhost:9/cb'],
      scope: 'openid',
    },
  ],
  jwks: keys.jwks as never,
  cookies: { keys: keys.cookieKeys },
  features: { devInteractions: { enabled: false } },
  pkce: { required: () => true },
  findAccount: (_ctx, sub) => ({ accountId: sub, claims: () => ({ sub }) }),
  loadExistingGrant: async (ctx: KoaContextWithOIDC) => {
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client!.clientId,
      accountId: ctx.oidc.session!.accountId!,
    });
    grant.addOIDCScope('openid');
    await grant.save();
    return grant;
  },
});

const readForm = (req: NodeJS.ReadableStream) =>
  new Promise<URLSearchParams>((ok) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c)).on('end', () => ok(new URLSearchParams(body)));
  });

provider.use(async (ctx, next) => {
  if (ctx.path === '/__health/ready') {
    ctx.body = { ready: true };
    return;
  }
  if (ctx.path === '/__control/reset') {
    // The bench resets before each run; a bare provider has nothing worth resetting.
    ctx.body = { reset: true };
    return;
  }
  if (ctx.path === '/__control/inbox/sms') {
    ctx.body = { messages: (inbox.get(String(ctx.query.to)) ?? []).map((code) => ({ code })) };
    return;
  }
  const m = /^\/interaction\/([\w-]+)(\/login|\/otp)?$/.exec(ctx.path);
  if (!m) return next();
  const details = await provider.interactionDetails(ctx.req, ctx.res);
  const uid = details.uid;
  if (ctx.method === 'GET') {
    ctx.type = 'html';
    ctx.body = codes.has(uid)
      ? `<form method="post" action="/interaction/${uid}/otp"><input name="code"></form>`
      : `<form method="post" action="/interaction/${uid}/login"><input name="identifier"><input name="password" type="password"></form>`;
    return;
  }
  const form = await readForm(ctx.req);
  if (m[2] === '/login') {
    const phone = form.get('identifier') ?? '';
    const account = accounts.get(phone);
    const key = await derive(form.get('password') ?? '', salt);
    if (!account || !timingSafeEqual(key, account.hash)) return ctx.throw(400, 'wrong password');
    const code = String(randomInt(100000, 1000000));
    codes.set(uid, `${code} ${account.id}`);
    inbox.set(phone, [code, ...(inbox.get(phone) ?? []).slice(0, 4)]);
    ctx.status = 303;
    ctx.redirect(`/interaction/${uid}`);
    return;
  }
  const [code, accountId] = (codes.get(uid) ?? '').split(' ');
  if (!code || form.get('code') !== code) ctx.throw(400, 'wrong code');
  codes.delete(uid);
  await provider.interactionFinished(
    ctx.req,
    ctx.res,
    { login: { accountId: accountId! } },
    { mergeWithLastSubmission: false },
  );
  ctx.respond = false;
});

createServer(provider.callback()).listen(port, 'localhost');
// A normal exit, so that --cpu-prof writes its profile.
process.on('SIGTERM', () => process.exit(0));
