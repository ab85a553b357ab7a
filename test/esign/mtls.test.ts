/*
 * Sign-in by TLS client certificate (A4, C6): a browser reaches the login page over HTTP, then
 * opens the mutual-TLS address with a persona's certificate and key; the emulator checks the
 * certificate of the connection as it checks a signed challenge and finishes the sign-in.
 */
import { request } from 'node:https';
import test from 'ava';
import type { loadTestPki } from '../../lib/pki/test_pki.ts';
import { HttpBrowser } from '../../scenarios/runner/http_browser.ts';
import { newRun, type Stand, startStand } from '../../scenarios/runner/stand.ts';

let stand: Stand;
test.before(async () => {
  stand = await startStand();
});
test.after.always(async () => {
  await stand?.close();
});

interface TlsAnswer {
  status: number;
  location: string | null;
  body: string;
}

/** GET over the mutual-TLS listener with this browser's cookies, presenting `client` (or no certificate). */
async function tlsGet(
  browser: HttpBrowser,
  url: string,
  ca: string,
  client?: { cert: string; key: string },
): Promise<TlsAnswer> {
  const cookie = await browser.jar.getCookieString(url);
  return new Promise((ok, fail) => {
    const req = request(
      url,
      { method: 'GET', headers: { cookie, accept: 'text/html' }, ca, servername: 'localhost', ...(client ?? {}) },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', async () => {
          for (const c of res.headers['set-cookie'] ?? []) await browser.jar.setCookie(c, url, { ignoreError: true });
          ok({ status: res.statusCode ?? 0, location: res.headers.location ?? null, body });
        });
      },
    );
    req.on('error', fail);
    req.end();
  });
}

async function atLoginPage(
  run: string,
): Promise<{ browser: HttpBrowser; tlsUrl: string; ca: string; pki: Awaited<ReturnType<typeof loadTestPki>> }> {
  const pki = stand.emulator!.idp.services.pki;
  await stand.control('POST', `/reset?run=${run}`);
  const { pkiGeneratedAt } = await stand.control<{ pkiGeneratedAt: string }>('GET', `/esign?run=${run}`);
  await stand.control('POST', `/clock?run=${run}`, {
    set: new Date(Date.parse(pkiGeneratedAt) + 3600_000).toISOString(),
    freeze: true,
  });
  const browser = new HttpBrowser();
  await browser.setCookie(stand.idp, 'esia_run', run);
  await browser.goto(stand.rp);
  await browser.click('login-esia');
  await browser.click('login-esign');
  const tlsUrl = await browser.attribute('esign-tls', 'href');
  if (!tlsUrl) throw new Error('the certificate screen offers no TLS sign-in');
  return { browser, tlsUrl, ca: pki.root.certificatePem, pki };
}

test('a persona signs in with the certificate of the TLS connection', async (t) => {
  const { run, end } = await newRun(stand);
  try {
    const { browser, tlsUrl, ca, pki } = await atLoginPage(run);
    t.true(tlsUrl.startsWith('https://localhost:'));
    const ivanov = pki.certificateFor('ivanov', 'valid');
    const answer = await tlsGet(browser, tlsUrl, ca, { cert: ivanov.certificatePem, key: ivanov.privateKeyPem });
    t.is(answer.status, 303, answer.body.slice(0, 400));
    await browser.goto(new URL(answer.location!, tlsUrl).href);
    t.is(browser.current()?.screen, 'cabinet');
    t.regex(await browser.text(), /электронная подпись/);
    t.is(await browser.attribute('sign-in-method', 'data-amr'), 'sc');
  } finally {
    await end();
  }
});

test('an expired certificate on the TLS connection is refused by name', async (t) => {
  const { run, end } = await newRun(stand);
  try {
    const { browser, tlsUrl, ca, pki } = await atLoginPage(run);
    const expired = pki.certificateFor('ivanov', 'expired');
    const answer = await tlsGet(browser, tlsUrl, ca, { cert: expired.certificatePem, key: expired.privateKeyPem });
    t.is(answer.status, 401);
    t.regex(answer.body, /data-error-code="certificate.expired"/);
  } finally {
    await end();
  }
});

test('a TLS connection without a client certificate gets esign.tls_no_certificate', async (t) => {
  const { run, end } = await newRun(stand);
  try {
    const { browser, tlsUrl, ca } = await atLoginPage(run);
    const answer = await tlsGet(browser, tlsUrl, ca);
    t.is(answer.status, 401);
    t.regex(answer.body, /data-error-code="esign.tls_no_certificate"/);
  } finally {
    await end();
  }
});
