/*
 * The ESIA wire protocol against a stand, what a token is good for and when it is refused: the person
 * REST API by scope, refresh_token in both signed orders, client_credentials, and every token endpoint
 * error (HTTP 400 JSON with state).
 */
import test from 'ava';
import { clientCertificateHash } from '../../lib/gost/index.ts';
import { esiaTimestamp, postToken, tokenParams, decodeJwt } from '../../relying-party/esia/protocol.ts';
import { ids, scope } from './helpers.ts';
import { authorize, exchange, ivanovOid, s, stand, useProtocolStand } from './protocol_stand.ts';

useProtocolStand();

test.serial('person REST API: root by scope, collections of absolute URLs, embeds, elements', async (t) => {
  const cb = await authorize();
  const { body } = await exchange(cb.code);
  const auth = { authorization: `Bearer ${String(body.access_token)}` };
  const root = (await (await fetch(`${stand.idp}/rs/prns/${ivanovOid}`, { headers: auth })).json()) as Record<
    string,
    unknown
  >;
  t.like(root, {
    firstName: 'Иван',
    lastName: 'Иванов',
    middleName: 'Иванович',
    birthDate: '14.03.1985',
    gender: 'M',
    snils: '112-233-401 83',
    trusted: true,
  });
  t.truthy(root.eTag);
  t.false('addresses' in root);
  const ctts = (await (await fetch(`${stand.idp}/rs/prns/${ivanovOid}/ctts`, { headers: auth })).json()) as {
    size: number;
    elements: string[];
    stateFacts: string[];
    eTag: string;
  };
  t.is(ctts.size, 2);
  t.deepEqual(ctts.stateFacts, ['hasSize']);
  t.true(ctts.elements.every((e) => e.startsWith(`${stand.idp}/rs/prns/${ivanovOid}/ctts/`)));
  const one = (await (await fetch(ctts.elements[1]!, { headers: auth })).json()) as Record<string, unknown>;
  t.like(one, { type: 'EML', value: 'ivanov@example.test', vrfStu: 'VERIFIED' });
  const embedded = (await (
    await fetch(`${stand.idp}/rs/prns/${ivanovOid}/ctts?embed=(elements)`, { headers: auth })
  ).json()) as { elements: Array<Record<string, unknown>> };
  t.is(embedded.elements[0]!.type, 'MBT');
  const rootEmbed = (await (
    await fetch(`${stand.idp}/rs/prns/${ivanovOid}?embed=(contacts.elements,documents.elements-1)`, { headers: auth })
  ).json()) as Record<string, { elements: Array<Record<string, unknown>> }>;
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
  const a = await postToken(
    stand.idp,
    'v2',
    await tokenParams({
      version: 'v2',
      clientId: ids.proto,
      signer: s.raw,
      grant: 'refresh_token',
      scope,
      redirectUri: `${stand.sink}/cb`,
      refreshToken: refresh,
    }),
  );
  t.is(a.status, 200, JSON.stringify(a.body));
  t.not(a.body.refresh_token, refresh);
  // The old one is spent.
  const again = await postToken(
    stand.idp,
    'v2',
    await tokenParams({
      version: 'v2',
      clientId: ids.proto,
      signer: s.raw,
      grant: 'refresh_token',
      scope,
      redirectUri: `${stand.sink}/cb`,
      refreshToken: refresh,
    }),
  );
  t.is(again.status, 400);
  t.regex(String(again.body.error_description), /^ESIA-007011: /);
  // AISGorod order: client_id + scope + timestamp + state + refresh_token (signed by hand).
  const { signRawClientSecret, importPrivateKey } = await import('../../lib/gost/index.ts');
  const state = crypto.randomUUID();
  const timestamp = esiaTimestamp(new Date(), 180);
  const rt = String(a.body.refresh_token);
  const form = {
    client_id: ids.proto,
    grant_type: 'refresh_token',
    refresh_token: rt,
    scope,
    state,
    timestamp,
    token_type: 'Bearer',
    client_certificate_hash: clientCertificateHash(s.raw.certificatePem),
    client_secret: signRawClientSecret(
      importPrivateKey(s.raw.privateKeyPem),
      `${ids.proto}${scope}${timestamp}${state}${rt}`,
    ),
  };
  const b = await postToken(stand.idp, 'v2', form);
  t.is(b.status, 200, JSON.stringify(b.body));
  t.is(b.body.state, state);
  // client_credentials: a token of the system, no person.
  const cc = await postToken(
    stand.idp,
    'v2',
    await tokenParams({
      version: 'v2',
      clientId: ids.proto,
      signer: s.raw,
      grant: 'client_credentials',
      scope: `prm_chg?oid=${ivanovOid}`,
      redirectUri: `${stand.sink}/cb`,
    }),
  );
  t.is(cc.status, 200, JSON.stringify(cc.body));
  t.false('urn:esia:sbj_id' in decodeJwt(String(cc.body.access_token)).payload);
  t.false('id_token' in cc.body);
});

test.serial(
  'token errors: HTTP 400 JSON with state — 007011 reused, expired, foreign code or redirect; 007005, 007014, 007015, 007053, 007009',
  async (t) => {
    const cb = await authorize();
    const ok = await exchange(cb.code);
    t.is(ok.status, 200);
    const reused = await exchange(cb.code, s.raw, { state: 'state-of-the-second-try' });
    t.is(reused.status, 400);
    t.is(reused.body.error, 'invalid_grant');
    t.regex(String(reused.body.error_description), /^ESIA-007011: The provided authorization grant/);
    t.is(reused.body.state, 'state-of-the-second-try');
    t.regex(
      (await stand.control<{ diagnosis: string }>('GET', `/esia/diagnostics/${reused.reference}`)).diagnosis,
      /already exchanged/,
    );
    // Expired: the run's clock moves past the code's lifetime.
    const late = await authorize();
    await stand.control('POST', '/clock', { advance: 'PT6M' });
    const expired = await exchange(late.code);
    t.regex(String(expired.body.error_description), /^ESIA-007011/);
    t.regex(
      (await stand.control<{ diagnosis: string }>('GET', `/esia/diagnostics/${expired.reference}`)).diagnosis,
      /expired: issued 36\d s ago/,
    );
    await stand.control('POST', '/reset');
    const other = await authorize();
    const wrongRedirect = await exchange(other.code, s.raw, { redirectUri: `${stand.sink}/cb2` });
    t.regex(String(wrongRedirect.body.error_description), /^ESIA-007011/);
    // A refused exchange spends nothing: the code still works, at either token endpoint.
    const v1 = await exchange(other.code, s.cmsGost);
    t.is(v1.status, 200, JSON.stringify(v1.body));
    // 007005: client_credentials for a system not registered for it.
    const cc = await postToken(
      stand.idp,
      'v2',
      await tokenParams({
        version: 'v2',
        clientId: ids.limited,
        signer: s.limited,
        grant: 'client_credentials',
        scope: 'openid',
        redirectUri: `${stand.sink}/limited`,
      }),
    );
    t.is(cc.status, 400);
    t.regex(String(cc.body.error_description), /^ESIA-007005/);
    // 007014, 007015, 007053, 007009.
    const base = await tokenParams({
      version: 'v2',
      clientId: ids.proto,
      signer: s.raw,
      grant: 'authorization_code',
      scope: 'openid',
      redirectUri: `${stand.sink}/cb`,
      code: 'x',
    });
    const noCode = { ...base };
    delete noCode.code;
    t.is(
      (await postToken(stand.idp, 'v2', noCode)).body.error_description,
      "ESIA-007014: The request doesn't contain the mandatory parameter [code]",
    );
    const skew = await tokenParams({
      version: 'v2',
      clientId: ids.proto,
      signer: s.raw,
      grant: 'authorization_code',
      scope: 'openid',
      redirectUri: `${stand.sink}/cb`,
      code: 'x',
      timestamp: esiaTimestamp(new Date(Date.now() + 3600_000)),
    });
    t.regex(String((await postToken(stand.idp, 'v2', skew)).body.error_description), /^ESIA-007015/);
    t.regex(
      String((await postToken(stand.idp, 'v2', { ...base, state: `${base.state}x` })).body.error_description),
      /^ESIA-007053/,
    );
    t.regex(
      String((await postToken(stand.idp, 'v2', { ...base, grant_type: 'password' })).body.error_description),
      /^ESIA-007009/,
    );
    t.regex(
      String((await postToken(stand.idp, 'v2', { ...base, client_id: 'NOSUCH' })).body.error_description),
      /^ESIA-007005/,
    );
  },
);
