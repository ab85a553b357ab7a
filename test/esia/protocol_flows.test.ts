/*
 * The ESIA wire protocol against a stand, the ways through: both generations end to end (v2 raw GOST
 * signatures, v1 CMS GOST and RSA), tokens as ESIA shapes and signs them, every encoding variant real
 * clients send, PKCE, SSO logout, and isolated runs.
 */
import test from 'ava';
import { createPublicKey, createVerify } from 'node:crypto';
import { decodeBase64Loose, parseCertificate, verifyGostJwt } from '../../lib/gost/index.ts';
import {
  esiaTimestamp,
  postToken,
  tokenParams,
  decodeJwt,
  type EsiaSigner,
} from '../../relying-party/esia/protocol.ts';
import { authRequest, ids, params, peek, urlOf } from './helpers.ts';
import { authorize, exchange, ivanovOid, s, stand, useProtocolStand } from './protocol_stand.ts';

useProtocolStand();

async function certificate(name: 'rsa' | 'gost'): Promise<string> {
  return (await fetch(`${stand.idp}/public/esia-${name}.cer.pem`)).text();
}

test.serial('v2/ac + v3/te: code and state come back, tokens are shaped and signed as ESIA does', async (t) => {
  const cb = await authorize();
  t.is(cb.state, cb.request.state);
  t.regex(cb.code, /^[\w-]{20,}$/);
  const answer = await exchange(cb.code);
  t.is(answer.status, 200, JSON.stringify(answer.body));
  t.deepEqual(Object.keys(answer.body).sort(), [
    'access_token',
    'expires_in',
    'id_token',
    'refresh_token',
    'state',
    'token_type',
  ]);
  t.is(answer.body.state, answer.form.state, 'state echoes the token request, not the authorization');
  t.is(answer.body.token_type, 'Bearer');
  t.is(answer.body.expires_in, 3600);
  const access = decodeJwt(String(answer.body.access_token));
  t.deepEqual(access.header, { ver: 1, typ: 'JWT', sbt: 'access', alg: 'RS256' });
  t.is(access.payload['urn:esia:sbj_id'], ivanovOid);
  t.is(access.payload.client_id, ids.proto);
  t.is(access.payload.iss, 'http://esia-portal1.test.gosuslugi.ru/');
  t.true(String(access.payload.scope).split(' ').includes(`fullname?oid=${ivanovOid}`));
  t.true(String(access.payload.scope).split(' ').includes('openid'));
  const id = decodeJwt(String(answer.body.id_token));
  t.deepEqual(id.header, { ver: 0, typ: 'JWT', sbt: 'id', alg: 'RS256' });
  t.is(id.payload.sub, ivanovOid);
  t.is(id.payload.aud, ids.proto);
  t.is(id.payload.amr, 'PWD');
  t.is(id.payload['urn:esia:amd'], 'PWD');
  t.deepEqual(id.payload['urn:esia:sbj'], {
    'urn:esia:sbj:typ': 'P',
    'urn:esia:sbj:is_tru': true,
    'urn:esia:sbj:oid': ivanovOid,
    'urn:esia:sbj:nam': `OID.${ivanovOid}`,
  });
  t.false('nonce' in id.payload);
  const pem = await certificate('rsa');
  for (const token of [String(answer.body.access_token), String(answer.body.id_token)]) {
    const [h, p, sig] = token.split('.');
    t.true(createVerify('RSA-SHA256').update(`${h}.${p}`).verify(createPublicKey(pem), Buffer.from(sig!, 'base64url')));
  }
});

test.serial(
  'a system registered for GOST3410_2012_256 gets GOST-signed tokens, verifiable with the published GOST certificate',
  async (t) => {
    const reg = await stand.control<{ certificates: Array<{ client_certificate_hash: string }> }>(
      'POST',
      '/esia/systems',
      {
        client_id: 'PROTO03',
        certificates: ['generated:gost'],
        redirect_uris: [`${stand.sink}/cb`],
        token_alg: 'GOST3410_2012_256',
      },
    );
    t.is(reg.certificates[0]!.client_certificate_hash.length, 64);
    const { signerOf } = await import('../../scenarios/runner/esia_stand.ts');
    const signer = await signerOf(stand.keysDir!, 'PROTO03', 'raw');
    const cb = await authorize(signer, { clientId: 'PROTO03' });
    const form = await tokenParams({
      version: 'v2',
      clientId: 'PROTO03',
      signer,
      grant: 'authorization_code',
      scope: 'openid',
      redirectUri: `${stand.sink}/cb`,
      code: cb.code,
    });
    const answer = await postToken(stand.idp, 'v2', form);
    t.is(answer.status, 200, JSON.stringify(answer.body));
    const key = parseCertificate(await certificate('gost')).gostPublicKey!;
    for (const token of [String(answer.body.access_token), String(answer.body.id_token)]) {
      const res = verifyGostJwt(token, key);
      t.true(res.valid, res.reason);
      t.is(res.header?.alg, 'GOST3410_2012_256');
      t.false('kid' in (res.header ?? {}));
    }
  },
);

test.serial('v1 /ac + /te: CMS GOST and RSA, detached and attached, with and without signed attributes', async (t) => {
  const variants: EsiaSigner[] = [];
  for (const base of [s.cmsGost, s.cmsRsa])
    for (const detached of [true, false])
      for (const signedAttributes of [false, true]) variants.push({ ...base, detached, signedAttributes });
  for (const signer of variants) {
    const label = `${signer.kind} detached=${signer.detached} attrs=${signer.signedAttributes}`;
    const cb = await authorize(signer);
    t.truthy(cb.code, label);
    const answer = await exchange(cb.code, signer);
    t.is(answer.status, 200, `${label}: ${JSON.stringify(answer.body)}`);
    t.is(decodeJwt(String(answer.body.access_token)).payload['urn:esia:sbj_id'], ivanovOid);
  }
});

test.serial(
  'encodings real clients send: base64url and base64, padded or not, + as space; timestamps in any offset',
  async (t) => {
    const variants: Array<[string, (secret: string) => string]> = [
      ['base64url without padding', (x) => x],
      ['base64url with padding', (x) => x + '='.repeat((4 - (x.length % 4)) % 4)],
      ['standard base64 with padding', (x) => Buffer.from(decodeBase64Loose(x)).toString('base64')],
      [
        'standard base64 without padding',
        (x) => Buffer.from(decodeBase64Loose(x)).toString('base64').replace(/=+$/, ''),
      ],
    ];
    for (const signer of [s.raw, s.cmsGost]) {
      for (const [name, encode] of variants) {
        const p = await params(authRequest(stand, signer));
        p.client_secret = encode(p.client_secret!);
        const res = await peek(urlOf(stand, signer.kind === 'raw' ? 'v2' : 'v1', p));
        t.is(res.status, 302, `${signer.kind} ${name}`);
        t.regex(res.location!.pathname, /^\/auth$/, `${signer.kind} ${name}: ${res.location}`);
      }
    }
    // A `+` sent unencoded arrives as a space.
    let p: Record<string, string>;
    do p = await params(authRequest(stand, s.raw));
    while (!Buffer.from(decodeBase64Loose(p.client_secret!)).toString('base64').includes('+'));
    const plain = Buffer.from(decodeBase64Loose(p.client_secret!)).toString('base64');
    const url = urlOf(stand, 'v2', { ...p, client_secret: 'X' }).replace('client_secret=X', `client_secret=${plain}`);
    t.is((await peek(url)).location?.pathname, '/auth');
    for (const offset of [0, 180, -300, 330]) {
      const res = await peek(
        urlOf(stand, 'v2', await params(authRequest(stand, s.raw, { timestamp: esiaTimestamp(new Date(), offset) }))),
      );
      t.is(res.location?.pathname, '/auth', `offset ${offset}`);
    }
    const colon = esiaTimestamp(new Date(), 180).replace(/(\d{2})(\d{2})$/, '$1:$2');
    t.is(
      (await peek(urlOf(stand, 'v2', await params(authRequest(stand, s.raw, { timestamp: colon }))))).location
        ?.pathname,
      '/auth',
      colon,
    );
    // client_certificate_hash in any case.
    const lower = await params(authRequest(stand, s.raw));
    lower.client_certificate_hash = lower.client_certificate_hash!.toLowerCase();
    t.is((await peek(urlOf(stand, 'v2', lower))).location?.pathname, '/auth');
    // CryptoPro's byte-reversed signature is accepted (configurable) and recorded.
    const cp = await params(authRequest(stand, { ...s.raw, layout: 'cryptopro' }));
    t.is((await peek(urlOf(stand, 'v2', cp))).location?.pathname, '/auth');
  },
);

test.serial('SSO logout ends the session: the next authorization asks for the password again', async (t) => {
  const cb = await authorize();
  const again = await params(authRequest(stand, s.raw));
  await cb.browser.goto(urlOf(stand, 'v2', again));
  t.is(cb.browser.current()?.screen, 'system-callback', 'SSO: no screens while the session lives');
  await cb.browser.goto(
    `${stand.idp}/idp/ext/Logout?client_id=${ids.proto}&redirect_url=${encodeURIComponent(`${stand.sink}/cb`)}`,
  );
  t.is(cb.browser.current()?.screen, 'system-callback');
  await cb.browser.goto(urlOf(stand, 'v2', await params(authRequest(stand, s.raw))));
  t.is(cb.browser.current()?.screen, 'login');
});

test.serial('isolated runs work on the ESIA face: tokens name the run copy of the persona', async (t) => {
  const { run } = await stand.control<{ run: string }>('POST', '/runs');
  const { HttpBrowser } = await import('../../scenarios/runner/http_browser.ts');
  const b = new HttpBrowser();
  await b.setCookie(stand.idp, 'esia_run', run);
  await stand.control('POST', `/next-login?run=${run}`, { client_id: `esia:${ids.proto}`, persona: 'ivanov' });
  await b.goto(urlOf(stand, 'v2', await params(authRequest(stand, s.raw))));
  t.is(b.current()?.screen, 'system-callback');
  const answer = await exchange((await b.attribute('callback', 'data-code'))!);
  const oid = decodeJwt(String(answer.body.access_token)).payload['urn:esia:sbj_id'];
  t.not(oid, ivanovOid);
  const person = (await (
    await fetch(`${stand.idp}/rs/prns/${String(oid)}`, {
      headers: { authorization: `Bearer ${String(answer.body.access_token)}` },
    })
  ).json()) as Record<string, unknown>;
  t.is(person.lastName, 'Иванов');
  await stand.control('DELETE', `/runs/${run}`);
});

test.serial(
  'PKCE on v2/ac: S256 and GOST3411 verifiers pass; a wrong one is 007040, a verifier without a challenge 007039',
  async (t) => {
    const { streebog256 } = await import('../../lib/gost/index.ts');
    const { createHash } = await import('node:crypto');
    const verifier = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk';
    const methods: Array<[string, string]> = [
      ['S256', createHash('sha256').update(verifier).digest('base64url')],
      ['GOST3411', Buffer.from(streebog256(new TextEncoder().encode(verifier))).toString('base64url')],
    ];
    for (const [method, challenge] of methods) {
      const cb = await authorize(s.raw, { extra: { code_challenge: challenge, code_challenge_method: method } });
      t.is((await exchange(cb.code, s.raw, { extra: { code_verifier: verifier } })).status, 200, method);
    }
    const wrong = await authorize(s.raw, { extra: { code_challenge: methods[0]![1], code_challenge_method: 'S256' } });
    const refused = await exchange(wrong.code, s.raw, { extra: { code_verifier: `${verifier}x` } });
    t.regex(String(refused.body.error_description), /^ESIA-007040/);
    const plain = await authorize();
    const noChallenge = await exchange(plain.code, s.raw, { extra: { code_verifier: verifier } });
    t.regex(String(noChallenge.body.error_description), /^ESIA-007039/);
  },
);
