/*
 * The RP's HTTPS back-channel (relying-party/tls_fetch.ts) against a bare HTTPS server with the
 * stand's valid certificate: it trusts the test root only, sends bodies and headers as fetch does,
 * and — when OCSP is required — refuses a server that staples nothing.
 */
import test from 'ava';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadTestPki, type TestPki } from '../../lib/pki/test_pki.ts';
import { backChannelFetch, tlsFailure } from '../../relying-party/tls_fetch.ts';

let server: Server;
let url: string;
let pki: TestPki;

test.before(async () => {
  pki = await loadTestPki(join(tmpdir(), 'esia-emulator-test-keys'));
  server = createServer(
    { key: pki.server('valid').privateKeyPem, cert: pki.serverCertificateChain('valid'), minVersion: 'TLSv1.3' },
    (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        res.writeHead(201, { 'content-type': 'application/json', 'x-seen': String(req.headers['x-test'] ?? '') });
        res.end(JSON.stringify({ method: req.method, body: Buffer.concat(chunks).toString() }));
      });
    },
  );
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', () => ok()));
  url = `https://localhost:${(server.address() as AddressInfo).port}/echo`;
});
test.after.always(() => new Promise<void>((ok) => (server ? server.close(() => ok()) : ok())));

test('trusting the test root, a POST goes through with its body and headers', async (t) => {
  const res = await backChannelFetch({ ca: pki.root.certificatePem })(url, {
    method: 'POST',
    headers: { 'x-test': 'yes' },
    body: new URLSearchParams({ a: '1' }),
  });
  t.is(res.status, 201);
  t.is(res.headers.get('x-seen'), 'yes');
  t.deepEqual(await res.json(), { method: 'POST', body: 'a=1' });
});

test('without the test root the certificate is refused, and the RP names it untrusted', async (t) => {
  const error = await t.throwsAsync(backChannelFetch({ ca: pki.untrustedRoot.certificatePem })(url));
  t.is((error as { code?: string }).code, 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY'); // the server sends the intermediate; its root is unknown
  t.is(tlsFailure(error, 'test')?.code, 'rp.idp_certificate_untrusted');
});

test('requiring OCSP, a server that staples no answer is refused (OCSP_STAPLE_MISSING)', async (t) => {
  const error = await t.throwsAsync(backChannelFetch({ ca: pki.root.certificatePem, requireOcsp: true })(url));
  t.is((error as { code?: string }).code, 'OCSP_STAPLE_MISSING');
  t.is(tlsFailure(error, 'test')?.code, 'rp.idp_certificate_untrusted');
  t.is(tlsFailure(new Error('something else'), 'test'), undefined);
});
