/*
 * The ESIA wire protocol against a stand, refusals at the authorization endpoint: every ESIA-0070xx
 * code with the developer page's diagnosis, tampering (one byte of signature, message, certificate or
 * hash), the user's own refusal, and settings.strict.
 */
import test from 'ava';
import { clientCertificateHash, decodeBase64Loose, parseCertificate, toHex } from '../../lib/gost/index.ts';
import { esiaTimestamp, type EsiaSigner } from '../../relying-party/esia/protocol.ts';
import { authRequest, ids, params, peek, urlOf } from './helpers.ts';
import { authorize, s, stand, useProtocolStand } from './protocol_stand.ts';

useProtocolStand();

/** Expects a refusal redirected to the system with this ESIA code, and a diagnosis containing `says`. */
async function refusedTo(t: import('ava').ExecutionContext, url: string, code: string, says: RegExp, state?: string) {
  const res = await peek(url);
  t.is(res.status, 302, `${code}: ${res.html.slice(0, 200)}`);
  const q = res.location!.searchParams;
  t.is(res.location!.origin, new URL(stand.sink!).origin);
  t.regex(q.get('error_description') ?? '', new RegExp(`^${code}: `));
  t.truthy(q.get('error'));
  if (state) t.is(q.get('state'), state);
  const d = await stand.control<{ code: string; diagnosis: string; ref: string }>(
    'GET',
    `/esia/diagnostics/${res.reference}`,
  );
  t.is(d.code, code);
  t.regex(d.diagnosis, says);
  return d;
}

test.serial(
  'authorization errors redirect with ESIA codes, and the developer page says exactly what is wrong',
  async (t) => {
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
    t.is(
      r14.location?.searchParams.get('error_description'),
      "ESIA-007014: The request doesn't contain the mandatory parameter [client_certificate_hash]",
    );
    // 007015: two hours off.
    const p15 = await params(authRequest(stand, s.raw, { timestamp: esiaTimestamp(new Date(Date.now() - 7200_000)) }));
    await refusedTo(
      t,
      urlOf(stand, 'v2', p15),
      'ESIA-007015',
      /720\d s behind.*about 2 h: the time zone offset is probably wrong/,
      p15.state,
    );
    const bad15 = await good();
    await refusedTo(
      t,
      urlOf(stand, 'v2', { ...bad15, timestamp: '2026-11-25T12:00:00Z' }),
      'ESIA-007015',
      /not in the format/,
    );
    // 007023: unregistered redirect_uri → a page, never a redirect there.
    const p23 = await params(authRequest(stand, s.raw, { redirectUri: 'http://evil.example/cb' }));
    const r23 = await peek(urlOf(stand, 'v2', p23));
    t.is(r23.status, 400);
    t.is(r23.location, null);
    t.regex(r23.html, /data-error-code="ESIA-007023"/);
    t.regex(
      (await stand.control<{ diagnosis: string }>('GET', `/esia/diagnostics/${r23.reference}`)).diagnosis,
      /evil\.example\/cb is not registered for system PROTO01/,
    );
    // 007053: the v1 field order signed into v2/ac.
    const { signRawClientSecret, importPrivateKey } = await import('../../lib/gost/index.ts');
    const p53 = await good();
    p53.client_secret = signRawClientSecret(
      importPrivateKey(s.raw.privateKeyPem),
      `${p53.scope}${p53.timestamp}${p53.client_id}${p53.state}`,
    );
    await refusedTo(
      t,
      urlOf(stand, 'v2', p53),
      'ESIA-007053',
      /valid over the v1 order \(scope \+ timestamp \+ client_id \+ state\), but v2-ac must be signed over client_id \+ scope/,
    );
    // 007053: the hash of the PEM text instead of the DER.
    const pPem = await good();
    const { streebog256 } = await import('../../lib/gost/index.ts');
    pPem.client_certificate_hash = toHex(streebog256(new TextEncoder().encode(s.raw.certificatePem)));
    await refusedTo(
      t,
      urlOf(stand, 'v2', pPem),
      'ESIA-007053',
      /Streebog-256 of the PEM text instead of the DER bytes/,
    );
    // 007053: a CMS sent to v2/ac.
    const pCms = await good();
    pCms.client_secret = (await params(authRequest(stand, s.cmsGost))).client_secret!;
    await refusedTo(t, urlOf(stand, 'v2', pCms), 'ESIA-007053', /CMS\/PKCS#7 signature/);
  },
);

test.serial(
  'tampering: one byte changed in the signature, the message, the certificate or the hash is refused with 007053',
  async (t) => {
    const flip = (b64: string, i: number) => {
      const bytes = decodeBase64Loose(b64);
      bytes[i] = bytes[i]! ^ 0x01;
      return Buffer.from(bytes).toString('base64url');
    };
    for (const i of [0, 31, 32, 63]) {
      const p = await params(authRequest(stand, s.raw));
      await refusedTo(
        t,
        urlOf(stand, 'v2', { ...p, client_secret: flip(p.client_secret!, i) }),
        'ESIA-007053',
        /does not verify/,
      );
    }
    const pm = await params(authRequest(stand, s.raw));
    const state = pm.state!.replace(/^./, (c) => (c === 'a' ? 'b' : 'a'));
    await refusedTo(
      t,
      urlOf(stand, 'v2', { ...pm, state }),
      'ESIA-007053',
      /does not verify .* over the expected string/,
    );
    // One byte of the certificate: its hash names no registered certificate.
    const der = parseCertificate(s.raw.certificatePem).der.slice();
    der[der.length - 70] ^= 0x01;
    const pc = await params(authRequest(stand, s.raw));
    await refusedTo(
      t,
      urlOf(stand, 'v2', { ...pc, client_certificate_hash: clientCertificateHash(der) }),
      'ESIA-007053',
      /matches no certificate of system PROTO01/,
    );
    const ph = await params(authRequest(stand, s.raw));
    const h = ph.client_certificate_hash!;
    await refusedTo(
      t,
      urlOf(stand, 'v2', {
        ...ph,
        client_certificate_hash: `${h.slice(0, 10)}${h[10] === '0' ? '1' : '0'}${h.slice(11)}`,
      }),
      'ESIA-007053',
      /matches no certificate/,
    );
    // v1: one byte of the CMS signature value (last bytes), and the content changed after signing.
    for (const signer of [s.cmsGost, s.cmsRsa]) {
      const p = await params(authRequest(stand, signer));
      const bytes = decodeBase64Loose(p.client_secret!);
      bytes[bytes.length - 5]! ^= 0x01;
      await refusedTo(
        t,
        urlOf(stand, 'v1', { ...p, client_secret: Buffer.from(bytes).toString('base64url') }),
        'ESIA-007053',
        /does not verify/,
      );
      const q = await params(authRequest(stand, signer));
      await refusedTo(
        t,
        urlOf(stand, 'v1', { ...q, scope: q.scope!.replace('snils', 'inn snils') }),
        'ESIA-007053',
        /does not verify/,
      );
    }
    // v1: a certificate nobody registered → 007002.
    const { generateGostKeyPair, createSelfSignedGostCertificate, exportPrivateKeyPem } = await import(
      '../../lib/gost/index.ts'
    );
    const kp = generateGostKeyPair();
    const stranger: EsiaSigner = {
      kind: 'cms-gost',
      certificatePem: createSelfSignedGostCertificate(kp, { CN: 'stranger' }).pem,
      privateKeyPem: exportPrivateKeyPem(kp.privateKey),
    };
    await refusedTo(
      t,
      urlOf(stand, 'v1', await params(authRequest(stand, stranger))),
      'ESIA-007002',
      /CN=stranger.*not registered for system PROTO01/,
    );
  },
);

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

test.serial(
  'diagnostics: another key, URL-encoded values, an unknown scope, an expired certificate; the refusal is in the audit journal',
  async (t) => {
    const {
      signRawClientSecret,
      importPrivateKey,
      generateGostKeyPair,
      createSelfSignedGostCertificate,
      exportPrivateKeyPem,
    } = await import('../../lib/gost/index.ts');
    // Signed with PROTO02's key while naming PROTO01's certificate.
    const p = await params(authRequest(stand, s.raw));
    p.client_secret = signRawClientSecret(
      importPrivateKey(s.limited.privateKeyPem),
      `${p.client_id}${p.scope}${p.timestamp}${p.state}${p.redirect_uri}`,
    );
    const d = await refusedTo(
      t,
      urlOf(stand, 'v2', p),
      'ESIA-007053',
      /made with the key of certificate CN=PROTO02 .* but client_certificate_hash names CN=PROTO01/,
    );
    // The journal has the refusal under the same reference, with the diagnosis.
    const journal = await stand.control<{ record: { code: string; ref: string; details: { diagnosis: string } } }>(
      'GET',
      `/audit/${d.ref}`,
    );
    t.is(journal.record.code, 'ESIA-007053');
    t.regex(journal.record.details.diagnosis, /key of certificate CN=PROTO02/);
    // Signed over the URL-encoded form of the values.
    const q = await params(authRequest(stand, s.raw));
    q.client_secret = signRawClientSecret(
      importPrivateKey(s.raw.privateKeyPem),
      `${q.client_id}${q.scope!.replace(/ /g, '+')}${q.timestamp!.replace(/ /g, '+')}${q.state}${q.redirect_uri}`,
    );
    await refusedTo(
      t,
      urlOf(stand, 'v2', q),
      'ESIA-007053',
      /signature is over scope and timestamp with spaces written as \+/,
    );
    // A misspelt scope.
    await refusedTo(
      t,
      urlOf(stand, 'v2', await params(authRequest(stand, s.raw, { scope: 'openid fulname' }))),
      'ESIA-007006',
      /"fulname" is unknown \(did you mean "fullname"\?\)/,
    );
    // An expired certificate (registered at run time for a new system).
    const kp = generateGostKeyPair();
    const old = createSelfSignedGostCertificate(
      kp,
      { CN: 'expired system' },
      { notBefore: new Date('2020-01-01T00:00:00Z'), notAfter: new Date('2021-01-01T00:00:00Z') },
    );
    await stand.control('POST', '/esia/systems', {
      client_id: 'OLDCERT1',
      certificates: [old.pem],
      redirect_uris: [`${stand.sink}/cb`],
    });
    const signer: EsiaSigner = {
      kind: 'raw',
      certificatePem: old.pem,
      privateKeyPem: exportPrivateKeyPem(kp.privateKey),
    };
    await refusedTo(
      t,
      urlOf(stand, 'v2', await params(authRequest(stand, signer, { clientId: 'OLDCERT1' }))),
      'ESIA-007053',
      /is not active: valid from 2020-01-01/,
    );
    // The developer page renders as HTML for a browser.
    const page = await fetch(`${stand.idp}/__control/esia/diagnostics/${d.ref}`, { headers: { accept: 'text/html' } });
    const html = await page.text();
    t.regex(html, /data-screen="esia-diagnostics"/);
    t.regex(html, /Почему запрос отклонён/);
  },
);

test.serial(
  'settings.strict (PATCH /__control/esia/settings) refuses the undocumented variants it otherwise accepts',
  async (t) => {
    const lenient = async (p: Record<string, string>) => (await peek(urlOf(stand, 'v2', p))).location?.pathname;
    const cryptopro = await params(authRequest(stand, { ...s.raw, layout: 'cryptopro' }));
    const colon = await params(
      authRequest(stand, s.raw, { timestamp: esiaTimestamp(new Date(), 180).replace(/(\d{2})(\d{2})$/, '$1:$2') }),
    );
    let spaced: Record<string, string>;
    do spaced = await params(authRequest(stand, s.raw));
    while (!Buffer.from(decodeBase64Loose(spaced.client_secret!)).toString('base64').includes('+'));
    const spacedUrl = urlOf(stand, 'v2', { ...spaced, client_secret: 'X' }).replace(
      'client_secret=X',
      `client_secret=${Buffer.from(decodeBase64Loose(spaced.client_secret!)).toString('base64')}`,
    );
    t.is(await lenient(cryptopro), '/auth');
    t.is(await lenient(colon), '/auth');
    t.is((await peek(spacedUrl)).location?.pathname, '/auth');
    await stand.control('PATCH', '/esia/settings', { strict: true });
    try {
      await refusedTo(t, urlOf(stand, 'v2', cryptopro), 'ESIA-007053', /CryptoPro byte order/);
      await refusedTo(t, urlOf(stand, 'v2', colon), 'ESIA-007015', /settings\.strict/);
      await refusedTo(t, spacedUrl, 'ESIA-007053', /without URL-encoding/);
      t.is(
        (await peek(urlOf(stand, 'v2', await params(authRequest(stand, s.raw))))).location?.pathname,
        '/auth',
        'the documented form still passes',
      );
    } finally {
      await stand.control('PATCH', '/esia/settings', { strict: false });
    }
    await t.throwsAsync(stand.control('PATCH', '/esia/settings', { strict: 'yes' }), { message: /strict \(boolean\)/ });
  },
);
