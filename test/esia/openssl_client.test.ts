/*
 * A client made of nothing but the openssl command line with Debian's gost engine, doing what the
 * PHP clients run (ilimurzin CliOpenSSLSigner: `openssl dgst -sign`; fr05t1k CliSignerPKCS7:
 * `openssl smime -sign -noattr`; ekapusta: token check with `openssl dgst -verify`): its v2/ac and
 * v3/te signatures, its certificate hash and its v1 PKCS#7 are accepted, and the GOST-signed tokens
 * verify in OpenSSL with the certificate the emulator publishes. Skipped without the gost engine.
 */
import test from 'ava';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { esiaTimestamp, postToken } from '../../relying-party/esia/protocol.ts';
import { type Stand, startStand } from '../../scenarios/runner/stand.ts';
import { login } from './helpers.ts';

const engine = spawnSync('openssl', ['engine', 'gost', '-t'], { encoding: 'utf8' });
const hasGost = engine.status === 0 && /available/.test(engine.stdout);
const fixtures = join(import.meta.dirname, '..', 'fixtures', 'gost');
const cert = join(fixtures, 'test-only-cert-A.pem');
const key = join(fixtures, 'test-only-key-A.pem');

let stand: Stand | undefined;
let dir: string;
test.before(async () => {
  if (!hasGost) return;
  stand = await startStand();
  dir = mkdtempSync(join(tmpdir(), 'esia-openssl-'));
});
test.after.always(async () => {
  await stand?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const openssl = (args: string[], input?: string | Buffer) =>
  execFileSync('openssl', args, { input, stdio: ['pipe', 'pipe', 'pipe'] });

function rawSign(message: string): string {
  writeFileSync(join(dir, 'm.txt'), message);
  return openssl(['dgst', '-engine', 'gost', '-md_gost12_256', '-sign', key, join(dir, 'm.txt')]).toString('base64url');
}

function cmsSign(message: string): string {
  writeFileSync(join(dir, 'm.txt'), message);
  return openssl([
    'smime',
    '-engine',
    'gost',
    '-sign',
    '-binary',
    '-outform',
    'DER',
    '-noattr',
    '-signer',
    cert,
    '-inkey',
    key,
    '-in',
    join(dir, 'm.txt'),
  ]).toString('base64url');
}

test('an openssl + gost engine client signs in on v2/ac + v3/te and v1, and verifies GOST tokens with openssl', async (t) => {
  if (!hasGost || !stand) {
    t.pass('openssl gost engine not available: skipped (apt-get install libengine-gost-openssl)');
    return;
  }
  await stand.control('POST', '/esia/systems', {
    client_id: 'OSSL01',
    certificates: [readFileSync(cert, 'utf8')],
    redirect_uris: [`${stand.sink}/cb`],
    token_alg: 'GOST3410_2012_256',
  });
  const der = openssl(['x509', '-in', cert, '-outform', 'DER']);
  const hash = openssl(['dgst', '-engine', 'gost', '-md_gost12_256', '-r'], der).toString().split(' ')[0]!;
  const scope = 'openid fullname snils';
  const redirectUri = `${stand.sink}/cb`;
  const state = crypto.randomUUID();
  const timestamp = esiaTimestamp(new Date(), 180);
  const ac = new URL('/aas/oauth2/v2/ac', stand.idp);
  ac.search = new URLSearchParams({
    client_id: 'OSSL01',
    client_certificate_hash: hash,
    client_secret: rawSign(`OSSL01${scope}${timestamp}${state}${redirectUri}`),
    redirect_uri: redirectUri,
    scope,
    response_type: 'code',
    state,
    access_type: 'offline',
    timestamp,
  }).toString();
  const cb = await login(stand, ac.href);
  t.is(cb.state, state);
  const teState = crypto.randomUUID();
  const teTime = esiaTimestamp(new Date(), 180);
  const answer = await postToken(stand.idp, 'v2', {
    client_id: 'OSSL01',
    code: cb.code,
    grant_type: 'authorization_code',
    client_certificate_hash: hash,
    redirect_uri: redirectUri,
    scope,
    state: teState,
    timestamp: teTime,
    token_type: 'Bearer',
    client_secret: rawSign(`OSSL01${scope}${teTime}${teState}${redirectUri}${cb.code}`),
  });
  t.is(answer.status, 200, JSON.stringify(answer.body));
  // ekapusta's check: openssl dgst -verify with ESIA's GOST public key over header.payload.
  writeFileSync(join(dir, 'esia.pem'), await (await fetch(`${stand.idp}/public/esia-gost.cer.pem`)).text());
  writeFileSync(
    join(dir, 'esia.pub'),
    openssl(['x509', '-engine', 'gost', '-in', join(dir, 'esia.pem'), '-pubkey', '-noout']),
  );
  for (const token of [String(answer.body.access_token), String(answer.body.id_token)]) {
    const [h, p, s] = token.split('.');
    writeFileSync(join(dir, 'input.txt'), `${h}.${p}`);
    writeFileSync(join(dir, 'sig.bin'), Buffer.from(s!, 'base64url'));
    const out = spawnSync(
      'openssl',
      [
        'dgst',
        '-engine',
        'gost',
        '-md_gost12_256',
        '-verify',
        join(dir, 'esia.pub'),
        '-signature',
        join(dir, 'sig.bin'),
        join(dir, 'input.txt'),
      ],
      { encoding: 'utf8' },
    );
    t.regex(out.stdout, /Verified OK/, out.stderr);
  }
  // v1: `openssl smime -sign -noattr` over scope + timestamp + client_id + state.
  const v1State = crypto.randomUUID();
  const v1Time = esiaTimestamp(new Date(), 180);
  const v1 = new URL('/aas/oauth2/ac', stand.idp);
  v1.search = new URLSearchParams({
    client_id: 'OSSL01',
    client_secret: cmsSign(`${scope}${v1Time}OSSL01${v1State}`),
    redirect_uri: redirectUri,
    scope,
    response_type: 'code',
    state: v1State,
    access_type: 'online',
    timestamp: v1Time,
  }).toString();
  const v1cb = await login(stand, v1.href, undefined, cb.browser);
  t.is(v1cb.state, v1State);
  const teState1 = crypto.randomUUID();
  const teTime1 = esiaTimestamp(new Date(), 180);
  const v1answer = await postToken(stand.idp, 'v1', {
    client_id: 'OSSL01',
    code: v1cb.code,
    grant_type: 'authorization_code',
    redirect_uri: redirectUri,
    scope,
    state: teState1,
    timestamp: teTime1,
    token_type: 'Bearer',
    client_secret: cmsSign(`${scope}${teTime1}OSSL01${teState1}`),
  });
  t.is(v1answer.status, 200, JSON.stringify(v1answer.body));
  t.false('refresh_token' in v1answer.body, 'access_type=online: no refresh token');
});
