/*
 * The ESIA wire protocol against a stand: both generations end to end, tokens as ESIA shapes
 * them, every ESIA-0070xx error code, every encoding variant real clients send, and tampering
 * (one byte of signature, message, certificate or hash).
 */
import test from 'ava';
import { createPublicKey, createVerify } from 'node:crypto';
import { clientCertificateHash, decodeBase64Loose, parseCertificate, toHex, verifyGostJwt } from '../../lib/gost/index.ts';
import { esiaTimestamp, postToken, tokenParams, decodeJwt, type EsiaSigner } from '../../relying-party/esia/protocol.ts';
import { type Stand, startStand } from '../../scenarios/runner/stand.ts';
import { authRequest, ids, login, params, peek, scope, signers, urlOf } from './helpers.ts';

let stand: Stand;
let s: Awaited<ReturnType<typeof signers>>;

test.before(async () => {
  stand = await startStand();
  s = await signers(stand);
});
test.after.always(async () => {
  await stand?.close();
});

const ivanovOid = 1000001013;

/** Signs in through v2/ac (or v1/ac) and returns the code, the request and the browser. */
async function authorize(signer: EsiaSigner = s.raw, over: Parameters<typeof authRequest>[2] = {}, phone?: string) {
  const p = await params(authRequest(stand, signer, over));
  const version = signer.kind === 'raw' ? 'v2' : 'v1';
  const cb = await login(stand, urlOf(stand, version, p), phone);
  return { ...cb, request: p, version } as const;
}

async function exchange(code: string, signer: EsiaSigner = s.raw, over: Partial<Parameters<typeof tokenParams>[0]> = {}) {
  const version = signer.kind === 'raw' ? 'v2' : 'v1';
  const form = await tokenParams({ version, clientId: ids.proto, signer, grant: 'authorization_code', scope: 'openid', redirectUri: `${stand.sink}/cb`, code, ...over });
  return { ...(await postToken(stand.idp, version, form)), form };
}

async function certificate(name: 'rsa' | 'gost'): Promise<string> {
  return (await fetch(`${stand.idp}/public/esia-${name}.cer.pem`)).text();
}

test.serial('v2/ac + v3/te: code and state come back, tokens are shaped and signed as ESIA does', async (t) => {
  const cb = await authorize();
  t.is(cb.state, cb.request.state);
  t.regex(cb.code, /^[\w-]{20,}$/);
  const answer = await exchange(cb.code);
  t.is(answer.status, 200, JSON.stringify(answer.body));
  t.deepEqual(Object.keys(answer.body).sort(), ['access_token', 'expires_in', 'id_token', 'refresh_token', 'state', 'token_type']);
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
  t.deepEqual(id.payload['urn:esia:sbj'], { 'urn:esia:sbj:typ': 'P', 'urn:esia:sbj:is_tru': true, 'urn:esia:sbj:oid': ivanovOid, 'urn:esia:sbj:nam': `OID.${ivanovOid}` });
  t.false('nonce' in id.payload);
  const pem = await certificate('rsa');
  for (const token of [String(answer.body.access_token), String(answer.body.id_token)]) {
    const [h, p, sig] = token.split('.');
    t.true(createVerify('RSA-SHA256').update(`${h}.${p}`).verify(createPublicKey(pem), Buffer.from(sig!, 'base64url')));
  }
});

test.serial('a system registered for GOST3410_2012_256 gets GOST-signed tokens, verifiable with the published GOST certificate', async (t) => {
  const reg = await stand.control<{ certificates: Array<{ client_certificate_hash: string }> }>('POST', '/esia/systems', {
    client_id: 'PROTO03', certificates: ['generated:gost'], redirect_uris: [`${stand.sink}/cb`], token_alg: 'GOST3410_2012_256',
  });
  t.is(reg.certificates[0]!.client_certificate_hash.length, 64);
  const { signerOf } = await import('../../scenarios/runner/esia_stand.ts');
  const signer = await signerOf(stand.keysDir!, 'PROTO03', 'raw');
  const cb = await authorize(signer, { clientId: 'PROTO03' });
  const form = await tokenParams({ version: 'v2', clientId: 'PROTO03', signer, grant: 'authorization_code', scope: 'openid', redirectUri: `${stand.sink}/cb`, code: cb.code });
  const answer = await postToken(stand.idp, 'v2', form);
  t.is(answer.status, 200, JSON.stringify(answer.body));
  const key = parseCertificate(await certificate('gost')).gostPublicKey!;
  for (const token of [String(answer.body.access_token), String(answer.body.id_token)]) {
    const res = verifyGostJwt(token, key);
    t.true(res.valid, res.reason);
    t.is(res.header?.alg, 'GOST3410_2012_256');
    t.false('kid' in (res.header ?? {}));
  }
});

test.serial('person REST API: root by scope, collections of absolute URLs, embeds, elements', async (t) => {
  const cb = await authorize();
  const { body } = await exchange(cb.code);
  const auth = { authorization: `Bearer ${String(body.access_token)}` };
  const root = (await (await fetch(`${stand.idp}/rs/prns/${ivanovOid}`, { headers: auth })).json()) as Record<string, unknown>;
  t.like(root, { firstName: 'Иван', lastName: 'Иванов', middleName: 'Иванович', birthDate: '14.03.1985', gender: 'M', snils: '112-233-401 83', trusted: true });
  t.truthy(root.eTag);
  t.false('addresses' in root);
  const ctts = (await (await fetch(`${stand.idp}/rs/prns/${ivanovOid}/ctts`, { headers: auth })).json()) as { size: number; elements: string[]; stateFacts: string[]; eTag: string };
  t.is(ctts.size, 2);
  t.deepEqual(ctts.stateFacts, ['hasSize']);
  t.true(ctts.elements.every((e) => e.startsWith(`${stand.idp}/rs/prns/${ivanovOid}/ctts/`)));
  const one = (await (await fetch(ctts.elements[1]!, { headers: auth })).json()) as Record<string, unknown>;
  t.like(one, { type: 'EML', value: 'ivanov@example.test', vrfStu: 'VERIFIED' });
  const embedded = (await (await fetch(`${stand.idp}/rs/prns/${ivanovOid}/ctts?embed=(elements)`, { headers: auth })).json()) as { elements: Array<Record<string, unknown>> };
  t.is(embedded.elements[0]!.type, 'MBT');
  const rootEmbed = (await (await fetch(`${stand.idp}/rs/prns/${ivanovOid}?embed=(contacts.elements,documents.elements-1)`, { headers: auth })).json()) as Record<string, { elements: Array<Record<string, unknown>> }>;
  t.is(rootEmbed.contacts!.elements.length, 2);
  t.is(rootEmbed.documents!.elements[0]!.type, 'RF_PASSPORT');
  // Scopes limit the data: no `addresses` scope, no addresses.
  const addrs = await fetch(`${stand.idp}/rs/prns/${ivanovOid}/addrs`, { headers: auth });
  t.is(addrs.status, 403);
  t.deepEqual(await addrs.json(), { code: 'ESIA-005029', message: 'SecurityErrorEnum.scopeNotAllowed' });
  // Another person's oid.
  const other = await fetch(`${stand.idp}/rs/prns/1000002026`, { headers: auth });
  t.is(other.status, 403);
  // A token with one byte changed.
  const token = String(body.access_token);
  const tampered = `${token.slice(0, -3)}${token.at(-3) === 'A' ? 'B' : 'A'}${token.slice(-2)}`;
  const bad = await fetch(`${stand.idp}/rs/prns/${ivanovOid}`, { headers: { authorization: `Bearer ${tampered}` } });
  t.is(bad.status, 401);
  t.deepEqual(await bad.json(), { code: 'ESIA-005011', message: 'SecurityErrorEnum.invalidToken' });
  const none = await fetch(`${stand.idp}/rs/prns/${ivanovOid}`);
  t.is(none.status, 401);
  // An expired token (the run's clock moves past the lifetime).
  await stand.control('POST', '/clock', { advance: 'PT61M' });
  const expired = await fetch(`${stand.idp}/rs/prns/${ivanovOid}`, { headers: auth });
  t.is(expired.status, 401);
  t.deepEqual(await expired.json(), { code: 'ESIA-005013', message: 'SecurityErrorEnum.expiredToken' });
  await stand.control('POST', '/reset');
});

test.serial('refresh_token (both signed orders, rotated) and client_credentials', async (t) => {
  const cb = await authorize();
  const first = await exchange(cb.code);
  const refresh = String(first.body.refresh_token);
  // ilimurzin order: client_id + scope + timestamp + state + redirect_uri.
  const a = await postToken(stand.idp, 'v2', await tokenParams({ version: 'v2', clientId: ids.proto, signer: s.raw, grant: 'refresh_token', scope, redirectUri: `${stand.sink}/cb`, refreshToken: refresh }));
  t.is(a.status, 200, JSON.stringify(a.body));
  t.not(a.body.refresh_token, refresh);
  // The old one is spent.
  const again = await postToken(stand.idp, 'v2', await tokenParams({ version: 'v2', clientId: ids.proto, signer: s.raw, grant: 'refresh_token', scope, redirectUri: `${stand.sink}/cb`, refreshToken: refresh }));
  t.is(again.status, 400);
  t.regex(String(again.body.error_description), /^ESIA-007011: /);
  // AISGorod order: client_id + scope + timestamp + state + refresh_token (signed by hand).
  const { signRawClientSecret, importPrivateKey } = await import('../../lib/gost/index.ts');
  const state = crypto.randomUUID();
  const timestamp = esiaTimestamp(new Date(), 180);
  const rt = String(a.body.refresh_token);
  const form = {
    client_id: ids.proto, grant_type: 'refresh_token', refresh_token: rt, scope, state, timestamp, token_type: 'Bearer',
    client_certificate_hash: clientCertificateHash(s.raw.certificatePem),
    client_secret: signRawClientSecret(importPrivateKey(s.raw.privateKeyPem), `${ids.proto}${scope}${timestamp}${state}${rt}`),
  };
  const b = await postToken(stand.idp, 'v2', form);
  t.is(b.status, 200, JSON.stringify(b.body));
  t.is(b.body.state, state);
  // client_credentials: a token of the system, no person.
  const cc = await postToken(stand.idp, 'v2', await tokenParams({ version: 'v2', clientId: ids.proto, signer: s.raw, grant: 'client_credentials', scope: `prm_chg?oid=${ivanovOid}`, redirectUri: `${stand.sink}/cb` }));
  t.is(cc.status, 200, JSON.stringify(cc.body));
  t.false('urn:esia:sbj_id' in decodeJwt(String(cc.body.access_token)).payload);
  t.false('id_token' in cc.body);
});

test.serial('v1 /ac + /te: CMS GOST and RSA, detached and attached, with and without signed attributes', async (t) => {
  const variants: EsiaSigner[] = [];
  for (const base of [s.cmsGost, s.cmsRsa]) for (const detached of [true, false]) for (const signedAttributes of [false, true]) variants.push({ ...base, detached, signedAttributes });
  for (const signer of variants) {
    const label = `${signer.kind} detached=${signer.detached} attrs=${signer.signedAttributes}`;
    const cb = await authorize(signer);
    t.truthy(cb.code, label);
    const answer = await exchange(cb.code, signer);
    t.is(answer.status, 200, `${label}: ${JSON.stringify(answer.body)}`);
    t.is(decodeJwt(String(answer.body.access_token)).payload['urn:esia:sbj_id'], ivanovOid);
  }
});

test.serial('encodings real clients send: base64url and base64, padded or not, + as space; timestamps in any offset', async (t) => {
  const variants: Array<[string, (secret: string) => string]> = [
    ['base64url without padding', (x) => x],
    ['base64url with padding', (x) => x + '='.repeat((4 - (x.length % 4)) % 4)],
    ['standard base64 with padding', (x) => Buffer.from(decodeBase64Loose(x)).toString('base64')],
    ['standard base64 without padding', (x) => Buffer.from(decodeBase64Loose(x)).toString('base64').replace(/=+$/, '')],
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
    const res = await peek(urlOf(stand, 'v2', await params(authRequest(stand, s.raw, { timestamp: esiaTimestamp(new Date(), offset) }))));
    t.is(res.location?.pathname, '/auth', `offset ${offset}`);
  }
  const colon = esiaTimestamp(new Date(), 180).replace(/(\d{2})(\d{2})$/, '$1:$2');
  t.is((await peek(urlOf(stand, 'v2', await params(authRequest(stand, s.raw, { timestamp: colon }))))).location?.pathname, '/auth', colon);
  // client_certificate_hash in any case.
  const lower = await params(authRequest(stand, s.raw));
  lower.client_certificate_hash = lower.client_certificate_hash!.toLowerCase();
  t.is((await peek(urlOf(stand, 'v2', lower))).location?.pathname, '/auth');
  // CryptoPro's byte-reversed signature is accepted (configurable) and recorded.
  const cp = await params(authRequest(stand, { ...s.raw, layout: 'cryptopro' }));
  t.is((await peek(urlOf(stand, 'v2', cp))).location?.pathname, '/auth');
});

/** Expects a refusal redirected to the system with this ESIA code, and a diagnosis containing `says`. */
async function refusedTo(t: import('ava').ExecutionContext, url: string, code: string, says: RegExp, state?: string) {
  const res = await peek(url);
  t.is(res.status, 302, `${code}: ${res.html.slice(0, 200)}`);
  const q = res.location!.searchParams;
  t.is(res.location!.origin, new URL(stand.sink!).origin);
  t.regex(q.get('error_description') ?? '', new RegExp(`^${code}: `));
  t.truthy(q.get('error'));
  if (state) t.is(q.get('state'), state);
  const d = await stand.control<{ code: string; diagnosis: string; ref: string }>('GET', `/esia/diagnostics/${res.reference}`);
  t.is(d.code, code);
  t.regex(d.diagnosis, says);
  return d;
}

test.serial('authorization errors redirect with ESIA codes, and the developer page says exactly what is wrong', async (t) => {
  const good = () => params(authRequest(stand, s.raw));
  // 007002: a certificate of another system.
  const p2 = await params(authRequest(stand, s.raw, { clientId: ids.limited, redirectUri: `${stand.sink}/limited` }));
  await refusedTo(t, urlOf(stand, 'v2', p2), 'ESIA-007002', /registered for system PROTO01, not for PROTO02/);
  // 007003: a parameter twice.
  const p3 = await good();
  await refusedTo(t, `${urlOf(stand, 'v2', p3)}&scope=openid`, 'ESIA-007003', /scope is given 2 times/);
  // 007005: unknown system → no redirect, a page.
  const p5 = await good();
  const r5 = await peek(urlOf(stand, 'v2', { ...p5, client_id: 'NOSUCH' }));
  t.is(r5.status, 400);
  t.regex(r5.html, /data-error-code="ESIA-007005"/);
  // 007006: a scope the system may not ask for.
  const p6 = await params(authRequest(stand, s.raw, { scope: 'openid usr_org' }));
  await refusedTo(t, urlOf(stand, 'v2', p6), 'ESIA-007006', /usr_org" is not allowed/);
  // 007013: no scope.
  const p13 = await good();
  await refusedTo(t, urlOf(stand, 'v2', { ...p13, scope: '' }), 'ESIA-007013', /no scope/);
  // 007014: no client_certificate_hash; the parameter is named.
  const p14 = await good();
  delete p14.client_certificate_hash;
  const r14 = await peek(urlOf(stand, 'v2', p14));
  t.is(r14.location?.searchParams.get('error_description'), "ESIA-007014: The request doesn't contain the mandatory parameter [client_certificate_hash]");
  // 007015: two hours off.
  const p15 = await params(authRequest(stand, s.raw, { timestamp: esiaTimestamp(new Date(Date.now() - 7200_000)) }));
  await refusedTo(t, urlOf(stand, 'v2', p15), 'ESIA-007015', /720\d s behind.*about 2 h: the time zone offset is probably wrong/, p15.state);
  const bad15 = await good();
  await refusedTo(t, urlOf(stand, 'v2', { ...bad15, timestamp: '2026-11-25T12:00:00Z' }), 'ESIA-007015', /not in the format/);
  // 007023: unregistered redirect_uri → a page, never a redirect there.
  const p23 = await params(authRequest(stand, s.raw, { redirectUri: 'http://evil.example/cb' }));
  const r23 = await peek(urlOf(stand, 'v2', p23));
  t.is(r23.status, 400);
  t.is(r23.location, null);
  t.regex(r23.html, /data-error-code="ESIA-007023"/);
  t.regex((await stand.control<{ diagnosis: string }>('GET', `/esia/diagnostics/${r23.reference}`)).diagnosis, /evil\.example\/cb is not registered for system PROTO01/);
  // 007053: the v1 field order signed into v2/ac.
  const { signRawClientSecret, importPrivateKey } = await import('../../lib/gost/index.ts');
  const p53 = await good();
  p53.client_secret = signRawClientSecret(importPrivateKey(s.raw.privateKeyPem), `${p53.scope}${p53.timestamp}${p53.client_id}${p53.state}`);
  await refusedTo(t, urlOf(stand, 'v2', p53), 'ESIA-007053', /valid over the v1 order \(scope \+ timestamp \+ client_id \+ state\), but v2-ac must be signed over client_id \+ scope/);
  // 007053: the hash of the PEM text instead of the DER.
  const pPem = await good();
  const { streebog256 } = await import('../../lib/gost/index.ts');
  pPem.client_certificate_hash = toHex(streebog256(new TextEncoder().encode(s.raw.certificatePem)));
  await refusedTo(t, urlOf(stand, 'v2', pPem), 'ESIA-007053', /Streebog-256 of the PEM text instead of the DER bytes/);
  // 007053: a CMS sent to v2/ac.
  const pCms = await good();
  pCms.client_secret = (await params(authRequest(stand, s.cmsGost))).client_secret!;
  await refusedTo(t, urlOf(stand, 'v2', pCms), 'ESIA-007053', /CMS\/PKCS#7 signature/);
});

test.serial('tampering: one byte changed in the signature, the message, the certificate or the hash is refused with 007053', async (t) => {
  const flip = (b64: string, i: number) => {
    const bytes = decodeBase64Loose(b64);
    bytes[i] = bytes[i]! ^ 0x01;
    return Buffer.from(bytes).toString('base64url');
  };
  for (const i of [0, 31, 32, 63]) {
    const p = await params(authRequest(stand, s.raw));
    await refusedTo(t, urlOf(stand, 'v2', { ...p, client_secret: flip(p.client_secret!, i) }), 'ESIA-007053', /does not verify/);
  }
  const pm = await params(authRequest(stand, s.raw));
  const state = pm.state!.replace(/^./, (c) => (c === 'a' ? 'b' : 'a'));
  await refusedTo(t, urlOf(stand, 'v2', { ...pm, state }), 'ESIA-007053', /does not verify .* over the expected string/);
  // One byte of the certificate: its hash names no registered certificate.
  const der = parseCertificate(s.raw.certificatePem).der.slice();
  der[der.length - 70] ^= 0x01;
  const pc = await params(authRequest(stand, s.raw));
  await refusedTo(t, urlOf(stand, 'v2', { ...pc, client_certificate_hash: clientCertificateHash(der) }), 'ESIA-007053', /matches no certificate of system PROTO01/);
  const ph = await params(authRequest(stand, s.raw));
  const h = ph.client_certificate_hash!;
  await refusedTo(t, urlOf(stand, 'v2', { ...ph, client_certificate_hash: `${h.slice(0, 10)}${h[10] === '0' ? '1' : '0'}${h.slice(11)}` }), 'ESIA-007053', /matches no certificate/);
  // v1: one byte of the CMS signature value (last bytes), and the content changed after signing.
  for (const signer of [s.cmsGost, s.cmsRsa]) {
    const p = await params(authRequest(stand, signer));
    const bytes = decodeBase64Loose(p.client_secret!);
    bytes[bytes.length - 5]! ^= 0x01;
    await refusedTo(t, urlOf(stand, 'v1', { ...p, client_secret: Buffer.from(bytes).toString('base64url') }), 'ESIA-007053', /does not verify/);
    const q = await params(authRequest(stand, signer));
    await refusedTo(t, urlOf(stand, 'v1', { ...q, scope: q.scope!.replace('snils', 'inn snils') }), 'ESIA-007053', /does not verify/);
  }
  // v1: a certificate nobody registered → 007002.
  const { generateGostKeyPair, createSelfSignedGostCertificate, exportPrivateKeyPem } = await import('../../lib/gost/index.ts');
  const kp = generateGostKeyPair();
  const stranger: EsiaSigner = { kind: 'cms-gost', certificatePem: createSelfSignedGostCertificate(kp, { CN: 'stranger' }).pem, privateKeyPem: exportPrivateKeyPem(kp.privateKey) };
  await refusedTo(t, urlOf(stand, 'v1', await params(authRequest(stand, stranger))), 'ESIA-007002', /CN=stranger.*not registered for system PROTO01/);
});

test.serial('the user refuses (007004), an unconfirmed account with person_filter=conf_acc (007055)', async (t) => {
  const p = await params(authRequest(stand, s.raw));
  const { HttpBrowser } = await import('../../scenarios/runner/http_browser.ts');
  const b = new HttpBrowser();
  await b.goto(urlOf(stand, 'v2', p));
  await b.click('cancel');
  t.is(b.current()?.screen, 'system-callback');
  t.is(b.current()?.error, 'ESIA-007004');
  t.is(await b.attribute('callback', 'data-state'), p.state!);
  t.is(await b.attribute('callback', 'data-error'), 'access_denied');
  const filter = Buffer.from('conf_acc').toString('base64');
  const cb = await authorize(s.raw, { extra: { person_filter: filter } }, '+79000000009');
  t.is(cb.errorCode, 'ESIA-007055');
  t.is(cb.state, (cb.request as Record<string, string>).state);
  const ok = await authorize(s.raw, { extra: { person_filter: filter } });
  t.truthy(ok.code);
});

test.serial('token errors: HTTP 400 JSON with state — 007011 reused, expired, foreign code or redirect; 007005, 007014, 007015, 007053, 007009', async (t) => {
  const cb = await authorize();
  const ok = await exchange(cb.code);
  t.is(ok.status, 200);
  const reused = await exchange(cb.code, s.raw, { state: 'state-of-the-second-try' });
  t.is(reused.status, 400);
  t.is(reused.body.error, 'invalid_grant');
  t.regex(String(reused.body.error_description), /^ESIA-007011: The provided authorization grant/);
  t.is(reused.body.state, 'state-of-the-second-try');
  t.regex((await stand.control<{ diagnosis: string }>('GET', `/esia/diagnostics/${reused.reference}`)).diagnosis, /already exchanged/);
  // Expired: the run's clock moves past the code's lifetime.
  const late = await authorize();
  await stand.control('POST', '/clock', { advance: 'PT6M' });
  const expired = await exchange(late.code);
  t.regex(String(expired.body.error_description), /^ESIA-007011/);
  t.regex((await stand.control<{ diagnosis: string }>('GET', `/esia/diagnostics/${expired.reference}`)).diagnosis, /expired: issued 36\d s ago/);
  await stand.control('POST', '/reset');
  const other = await authorize();
  const wrongRedirect = await exchange(other.code, s.raw, { redirectUri: `${stand.sink}/cb2` });
  t.regex(String(wrongRedirect.body.error_description), /^ESIA-007011/);
  // A refused exchange spends nothing: the code still works, at either token endpoint.
  const v1 = await exchange(other.code, s.cmsGost);
  t.is(v1.status, 200, JSON.stringify(v1.body));
  // 007005: client_credentials for a system not registered for it.
  const cc = await postToken(stand.idp, 'v2', await tokenParams({ version: 'v2', clientId: ids.limited, signer: s.limited, grant: 'client_credentials', scope: 'openid', redirectUri: `${stand.sink}/limited` }));
  t.is(cc.status, 400);
  t.regex(String(cc.body.error_description), /^ESIA-007005/);
  // 007014, 007015, 007053, 007009.
  const base = await tokenParams({ version: 'v2', clientId: ids.proto, signer: s.raw, grant: 'authorization_code', scope: 'openid', redirectUri: `${stand.sink}/cb`, code: 'x' });
  const noCode = { ...base };
  delete noCode.code;
  t.is((await postToken(stand.idp, 'v2', noCode)).body.error_description, "ESIA-007014: The request doesn't contain the mandatory parameter [code]");
  const skew = await tokenParams({ version: 'v2', clientId: ids.proto, signer: s.raw, grant: 'authorization_code', scope: 'openid', redirectUri: `${stand.sink}/cb`, code: 'x', timestamp: esiaTimestamp(new Date(Date.now() + 3600_000)) });
  t.regex(String((await postToken(stand.idp, 'v2', skew)).body.error_description), /^ESIA-007015/);
  t.regex(String((await postToken(stand.idp, 'v2', { ...base, state: `${base.state}x` })).body.error_description), /^ESIA-007053/);
  t.regex(String((await postToken(stand.idp, 'v2', { ...base, grant_type: 'password' })).body.error_description), /^ESIA-007009/);
  t.regex(String((await postToken(stand.idp, 'v2', { ...base, client_id: 'NOSUCH' })).body.error_description), /^ESIA-007005/);
});

test.serial('SSO logout ends the session: the next authorization asks for the password again', async (t) => {
  const cb = await authorize();
  const again = await params(authRequest(stand, s.raw));
  await cb.browser.goto(urlOf(stand, 'v2', again));
  t.is(cb.browser.current()?.screen, 'system-callback', 'SSO: no screens while the session lives');
  await cb.browser.goto(`${stand.idp}/idp/ext/Logout?client_id=${ids.proto}&redirect_url=${encodeURIComponent(`${stand.sink}/cb`)}`);
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
  const person = (await (await fetch(`${stand.idp}/rs/prns/${String(oid)}`, { headers: { authorization: `Bearer ${String(answer.body.access_token)}` } })).json()) as Record<string, unknown>;
  t.is(person.lastName, 'Иванов');
  await stand.control('DELETE', `/runs/${run}`);
});

test.serial('diagnostics: another key, URL-encoded values, an unknown scope, an expired certificate; the refusal is in the audit journal', async (t) => {
  const { signRawClientSecret, importPrivateKey, generateGostKeyPair, createSelfSignedGostCertificate, exportPrivateKeyPem } = await import('../../lib/gost/index.ts');
  // Signed with PROTO02's key while naming PROTO01's certificate.
  const p = await params(authRequest(stand, s.raw));
  p.client_secret = signRawClientSecret(importPrivateKey(s.limited.privateKeyPem), `${p.client_id}${p.scope}${p.timestamp}${p.state}${p.redirect_uri}`);
  const d = await refusedTo(t, urlOf(stand, 'v2', p), 'ESIA-007053', /made with the key of certificate CN=PROTO02 .* but client_certificate_hash names CN=PROTO01/);
  // The journal has the refusal under the same reference, with the diagnosis.
  const journal = await stand.control<{ record: { code: string; ref: string; details: { diagnosis: string } } }>('GET', `/audit/${d.ref}`);
  t.is(journal.record.code, 'ESIA-007053');
  t.regex(journal.record.details.diagnosis, /key of certificate CN=PROTO02/);
  // Signed over the URL-encoded form of the values.
  const q = await params(authRequest(stand, s.raw));
  q.client_secret = signRawClientSecret(importPrivateKey(s.raw.privateKeyPem), `${q.client_id}${q.scope!.replace(/ /g, '+')}${q.timestamp!.replace(/ /g, '+')}${q.state}${q.redirect_uri}`);
  await refusedTo(t, urlOf(stand, 'v2', q), 'ESIA-007053', /signature is over scope and timestamp with spaces written as \+/);
  // A misspelt scope.
  await refusedTo(t, urlOf(stand, 'v2', await params(authRequest(stand, s.raw, { scope: 'openid fulname' }))), 'ESIA-007006', /"fulname" is unknown \(did you mean "fullname"\?\)/);
  // An expired certificate (registered at run time for a new system).
  const kp = generateGostKeyPair();
  const old = createSelfSignedGostCertificate(kp, { CN: 'expired system' }, { notBefore: new Date('2020-01-01T00:00:00Z'), notAfter: new Date('2021-01-01T00:00:00Z') });
  await stand.control('POST', '/esia/systems', { client_id: 'OLDCERT1', certificates: [old.pem], redirect_uris: [`${stand.sink}/cb`] });
  const signer: EsiaSigner = { kind: 'raw', certificatePem: old.pem, privateKeyPem: exportPrivateKeyPem(kp.privateKey) };
  await refusedTo(t, urlOf(stand, 'v2', await params(authRequest(stand, signer, { clientId: 'OLDCERT1' }))), 'ESIA-007053', /is not active: valid from 2020-01-01/);
  // The developer page renders as HTML for a browser.
  const page = await fetch(`${stand.idp}/__control/esia/diagnostics/${d.ref}`, { headers: { accept: 'text/html' } });
  const html = await page.text();
  t.regex(html, /data-screen="esia-diagnostics"/);
  t.regex(html, /Почему запрос отклонён/);
});

test.serial('PKCE on v2/ac: S256 and GOST3411 verifiers pass; a wrong one is 007040, a verifier without a challenge 007039', async (t) => {
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
});

test.serial('settings.strict (PATCH /__control/esia/settings) refuses the undocumented variants it otherwise accepts', async (t) => {
  const lenient = async (p: Record<string, string>) => (await peek(urlOf(stand, 'v2', p))).location?.pathname;
  const cryptopro = await params(authRequest(stand, { ...s.raw, layout: 'cryptopro' }));
  const colon = await params(authRequest(stand, s.raw, { timestamp: esiaTimestamp(new Date(), 180).replace(/(\d{2})(\d{2})$/, '$1:$2') }));
  let spaced: Record<string, string>;
  do spaced = await params(authRequest(stand, s.raw));
  while (!Buffer.from(decodeBase64Loose(spaced.client_secret!)).toString('base64').includes('+'));
  const spacedUrl = urlOf(stand, 'v2', { ...spaced, client_secret: 'X' }).replace('client_secret=X', `client_secret=${Buffer.from(decodeBase64Loose(spaced.client_secret!)).toString('base64')}`);
  t.is(await lenient(cryptopro), '/auth');
  t.is(await lenient(colon), '/auth');
  t.is((await peek(spacedUrl)).location?.pathname, '/auth');
  await stand.control('PATCH', '/esia/settings', { strict: true });
  try {
    await refusedTo(t, urlOf(stand, 'v2', cryptopro), 'ESIA-007053', /CryptoPro byte order/);
    await refusedTo(t, urlOf(stand, 'v2', colon), 'ESIA-007015', /settings\.strict/);
    await refusedTo(t, spacedUrl, 'ESIA-007053', /without URL-encoding/);
    t.is((await peek(urlOf(stand, 'v2', await params(authRequest(stand, s.raw))))).location?.pathname, '/auth', 'the documented form still passes');
  } finally {
    await stand.control('PATCH', '/esia/settings', { strict: false });
  }
  await t.throwsAsync(stand.control('PATCH', '/esia/settings', { strict: 'yes' }), { message: /strict \(boolean\)/ });
});
