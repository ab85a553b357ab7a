/*
 * The emulator's CRL and OCSP responder, cross-checked with OpenSSL: `openssl verify -crl_check`
 * with the CRL the emulator publishes, and `openssl ocsp` against its responder, before and after a
 * live revocation through the control API; an isolated run's revocations stay in that run.
 */
import test from 'ava';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startIdp, type RunningIdp } from '../../idp/app.ts';
import { loadConfig } from '../../idp/config/index.ts';
import { loadOrCreateKeys } from '../../keys/generate.ts';
import { ocspRequestFor, parseOcspResponse } from '../../lib/pki/revocation.ts';
import { loadTestPki, type TestPki } from '../../lib/pki/test_pki.ts';

const run = promisify(execFile);
const keysDir = join(tmpdir(), 'esia-emulator-test-keys');
let idp: RunningIdp;
let dir: string;
let pki: TestPki;

test.before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'esia-pki-'));
  pki = await loadTestPki(keysDir);
  idp = await startIdp(loadConfig({ port: 0, dataDir: dir, keysDir, log: false }), await loadOrCreateKeys(keysDir));
});
test.after.always(async () => {
  await idp?.close();
  await rm(dir, { recursive: true, force: true });
});

async function control<T>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${idp.url}/__control${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = (await res.json()) as T & { message?: string };
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${json.message}`);
  return json;
}

/** `openssl verify -crl_check` of one certificate with the CRL the emulator publishes now. */
async function verifyWithCrl(certificateFile: string, query = ''): Promise<string> {
  const res = await fetch(`${idp.url}/pki/intermediate.crl${query}`);
  if (res.status !== 200 || res.headers.get('content-type') !== 'application/pkix-crl')
    throw new Error(`CRL answered ${res.status} ${res.headers.get('content-type')}`);
  const crlFile = join(dir, `crl-${Math.random().toString(36).slice(2)}.der`);
  await writeFile(crlFile, new Uint8Array(await res.arrayBuffer()));
  const pem = await run('openssl', ['crl', '-inform', 'DER', '-in', crlFile]);
  await writeFile(`${crlFile}.pem`, pem.stdout);
  return run('openssl', [
    'verify',
    '-crl_check',
    '-CAfile',
    pki.root.certificateFile,
    '-untrusted',
    pki.intermediate.certificateFile,
    '-CRLfile',
    `${crlFile}.pem`,
    certificateFile,
  ]).then(
    (r) => r.stdout,
    (e: { stdout: string; stderr: string }) => e.stdout + e.stderr,
  );
}

async function opensslOcsp(certificateFile: string, query = ''): Promise<string> {
  const r = await run('openssl', [
    'ocsp',
    '-issuer',
    pki.intermediate.certificateFile,
    '-cert',
    certificateFile,
    '-url',
    `${idp.url}/pki/ocsp${query}`,
    '-CAfile',
    pki.root.certificateFile,
  ]).catch((e: { stdout: string; stderr: string }) => e);
  return `${r.stderr}\n${r.stdout}`;
}

test.serial('the CA certificates are published in DER and PEM', async (t) => {
  const der = await fetch(`${idp.url}/pki/root.crt`);
  t.is(der.headers.get('content-type'), 'application/pkix-cert');
  t.deepEqual(
    Buffer.from(await der.arrayBuffer()).toString('base64'),
    pki.root.certificatePem.replace(/-----[^-]+-----|\s/g, ''),
  );
  t.is(await (await fetch(`${idp.url}/pki/intermediate.pem`)).text(), pki.intermediate.certificatePem);
});

test.serial(
  'openssl verify with the published CRL: good, revoked from generation, then revoked live through the control API',
  async (t) => {
    await control('POST', '/reset');
    const persona = pki.certificateFor('smirnov');
    t.regex(await verifyWithCrl(persona.certificateFile), /: OK/);
    t.regex(await verifyWithCrl(pki.certificateFor('smirnov', 'revoked').certificateFile), /certificate revoked/);
    t.regex(await verifyWithCrl(pki.server('revoked').certificateFile), /certificate revoked/);
    const listed = await control<Array<{ serial: string; revoked: unknown; validity: string }>>(
      'GET',
      '/certificates?persona=smirnov&variant=valid',
    );
    t.like(listed, [{ serial: persona.serial, revoked: null, validity: 'valid' }]);
    const revoked = await control<{ revoked: { reason: string } }>('POST', `/certificates/${persona.serial}/revoke`, {
      reason: 'keyCompromise',
    });
    t.is(revoked.revoked.reason, 'keyCompromise');
    t.regex(await verifyWithCrl(persona.certificateFile), /certificate revoked/);
    await control('POST', '/reset');
    t.regex(await verifyWithCrl(persona.certificateFile), /: OK/, 'a reset forgets live revocations');
  },
);

test.serial(
  'openssl ocsp against the responder: good, revoked, and a live revocation in an isolated run only',
  async (t) => {
    await control('POST', '/reset');
    const persona = pki.certificateFor('popova');
    t.regex(await opensslOcsp(persona.certificateFile), /Response verify OK[\s\S]*: good/);
    t.regex(
      await opensslOcsp(pki.certificateFor('popova', 'revoked').certificateFile),
      /: revoked[\s\S]*Reason: keyCompromise/,
    );
    const { run: id } = await control<{ run: string }>('POST', '/runs');
    try {
      await control('POST', `/certificates/${persona.serial}/revoke?run=${id}`, {});
      t.regex(await opensslOcsp(persona.certificateFile, `?run=${id}`), /: revoked/);
      t.regex(await opensslOcsp(persona.certificateFile), /: good/, 'the main run is untouched');
      t.regex(await verifyWithCrl(persona.certificateFile, `?run=${id}`), /certificate revoked/);
      t.regex(await verifyWithCrl(persona.certificateFile), /: OK/);
    } finally {
      await control('DELETE', `/runs/${id}`);
    }
  },
);

test.serial('the GET form of OCSP, a certificate of another issuer, garbage, an unknown serial', async (t) => {
  await control('POST', '/reset');
  const cert = pki.certificateFor('ivanov');
  const request = ocspRequestFor(cert.certificatePem, pki.intermediate.certificatePem);
  const res = await fetch(`${idp.url}/pki/ocsp/${encodeURIComponent(Buffer.from(request).toString('base64'))}`);
  t.is(res.headers.get('content-type'), 'application/ocsp-response');
  const answer = await parseOcspResponse(new Uint8Array(await res.arrayBuffer()), pki.intermediate.certificatePem);
  t.like(answer, { status: 0, signatureValid: true, certificates: [{ serial: cert.serial, status: 'good' }] });
  // another issuer: the untrusted variant is signed by a root the responder does not answer for
  const foreign = ocspRequestFor(
    pki.certificateFor('ivanov', 'untrusted').certificatePem,
    pki.untrustedRoot.certificatePem,
  );
  const refused = await fetch(`${idp.url}/pki/ocsp`, {
    method: 'POST',
    headers: { 'content-type': 'application/ocsp-request' },
    body: Buffer.from(foreign),
  });
  t.is((await parseOcspResponse(new Uint8Array(await refused.arrayBuffer()))).status, 6);
  const garbage = await fetch(`${idp.url}/pki/ocsp`, {
    method: 'POST',
    headers: { 'content-type': 'application/ocsp-request' },
    body: 'hello',
  });
  t.is((await parseOcspResponse(new Uint8Array(await garbage.arrayBuffer()))).status, 1);
  const unknown = await fetch(`${idp.url}/__control/certificates/ABCDEF/revoke`, { method: 'POST' });
  t.is(unknown.status, 404);
  t.regex(((await unknown.json()) as { message: string }).message, /GET \/__control\/certificates/);
});
