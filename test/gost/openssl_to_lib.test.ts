/*
 * OpenSSL material -> lib/gost: keys, certificates, client_certificate_hash, raw signatures (ESIA v2/v3
 * client_secret) and CMS (v1 client_secret) made by OpenSSL's gost engine are read and verified. The
 * committed fixtures (test/fixtures/gost, made by its generate.sh) are always checked; when
 * `openssl engine gost` works here, fresh material is made with the same script and checked too.
 */
import test from 'ava';
import type { ExecutionContext } from 'ava';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  clientCertificateHash,
  exportPrivateKeyDer,
  exportPublicKeyDer,
  gostVerify,
  gostVerifyAnyLayout,
  importKeyPair,
  isWithinValidity,
  parseCertificate,
  pemOrDer,
  streebog256,
  streebog512,
  verifyCertificateSignature,
  verifyCmsSignedData,
  verifyRawClientSecret,
} from '../../lib/gost/index.ts';
import { reversed } from '../../lib/gost/bytes.ts';
import { FIXTURES, GENERATE, ENGINE_SETS, hex, read, readText, flip, liveTest } from '../helpers/gost.ts';

/** Fresh OpenSSL material, made once per run with the fixture script. */
let freshDir: string | undefined;
function fresh(): string {
  if (!freshDir) {
    freshDir = mkdtempSync(join(tmpdir(), 'esia-gost-fresh-'));
    execFileSync('bash', [GENERATE, freshDir], { stdio: 'ignore' });
    process.on('exit', () => rmSync(freshDir!, { recursive: true, force: true }));
  }
  return freshDir;
}

function checkOpensslMaterial(t: ExecutionContext, dir: string): void {
  const message = read(dir, 'message.txt');
  for (const [name, oid] of Object.entries(ENGINE_SETS)) {
    const keyPair = importKeyPair(readText(dir, `test-only-key-${name}.pem`));
    const cert = parseCertificate(readText(dir, `test-only-cert-${name}.pem`));
    const certDer = read(dir, `test-only-cert-${name}.der`);
    t.deepEqual(parseCertificate(certDer).der, cert.der, `${name}: PEM and DER parse to the same certificate`);
    t.is(cert.publicKeyParamSet, oid, `${name}: parameter set OID`);
    t.is(keyPair.privateKey.paramSet, oid);
    t.deepEqual(cert.gostPublicKey, keyPair.publicKey, `${name}: d·G from the PKCS#8 key equals the certificate key`);
    t.deepEqual(
      exportPrivateKeyDer(keyPair.privateKey),
      pemOrDer(readText(dir, `test-only-key-${name}.pem`)),
      `${name}: PKCS#8 re-encodes byte for byte`,
    );
    t.deepEqual(
      exportPublicKeyDer(keyPair.publicKey),
      cert.spki,
      `${name}: SubjectPublicKeyInfo re-encodes byte for byte`,
    );
    t.is(cert.subject, `CN=ESIA emulator TEST ${name}, O=Test only, C=RU`);
    t.is(cert.issuer, cert.subject);
    t.true(isWithinValidity(cert));
    t.true(verifyCertificateSignature(cert, cert), `${name}: OpenSSL's self-signature verifies`);
    // client_certificate_hash
    const expectedHash = readText(dir, `test-only-cert-${name}.hash`).trim();
    t.is(clientCertificateHash(certDer), expectedHash, `${name}: Streebog-256 of the DER = openssl dgst`);
    t.is(clientCertificateHash(readText(dir, `test-only-cert-${name}.pem`)), expectedHash, 'PEM input hashes the DER');
    t.is(cert.streebog256Fingerprint, expectedHash);
    // raw signature (v2/v3 client_secret)
    const sig = read(dir, `dgst-${name}.sig`);
    t.is(sig.length, 64);
    t.true(gostVerify(cert.gostPublicKey!, message, sig), `${name}: openssl dgst -sign verifies in the OpenSSL layout`);
    t.deepEqual(gostVerifyAnyLayout(cert.gostPublicKey!, message, sig), { valid: true, layout: 'openssl' });
    t.deepEqual(gostVerifyAnyLayout(cert.gostPublicKey!, message, reversed(sig)), { valid: true, layout: 'cryptopro' });
    t.false(gostVerify(cert.gostPublicKey!, message, reversed(sig)), 'strict OpenSSL layout rejects the reversed form');
    t.deepEqual(
      verifyRawClientSecret(new TextDecoder().decode(message), Buffer.from(sig).toString('base64url'), certDer),
      { valid: true, layout: 'openssl' },
    );
    t.true(
      verifyRawClientSecret(new TextDecoder().decode(message), Buffer.from(sig).toString('base64'), cert).valid,
      'padded standard base64 accepted',
    );
  }
}

async function checkOpensslCms(t: ExecutionContext, dir: string): Promise<void> {
  const message = read(dir, 'message.txt');
  const cases: Array<[file: string, attached: boolean, attrs: boolean, engine: 'gost2012-256' | 'pkijs']> = [
    ...Object.keys(ENGINE_SETS).map(
      (n) =>
        [`cms-detached-noattr-${n}.der`, false, false, 'gost2012-256'] as [string, boolean, boolean, 'gost2012-256'],
    ),
    ['cms-detached-attr-A.der', false, true, 'gost2012-256'],
    ['cms-detached-attr-TCA.der', false, true, 'gost2012-256'],
    ['cms-attached-attr-A.der', true, true, 'gost2012-256'],
    ['cms-attached-noattr-A.der', true, false, 'gost2012-256'],
    ['cms-detached-noattr-rsa.der', false, false, 'pkijs'],
    ['cms-attached-attr-rsa.der', true, true, 'pkijs'],
  ];
  for (const [file, attached, attrs, engine] of cases) {
    const cms = read(dir, file);
    const res = await verifyCmsSignedData(cms, attached ? {} : { content: message });
    t.true(res.valid, `${file}: ${res.reason ?? ''}`);
    t.is(res.engine, engine, file);
    t.is(res.attached, attached, file);
    t.is(res.signedAttributes, attrs, file);
    t.deepEqual(res.content, message, file);
    t.regex(res.signerCertificate?.subject ?? '', /^CN=ESIA emulator TEST /, file);
    if (attrs) t.true(res.signingTime instanceof Date, `${file}: signingTime read`);
    // as ESIA clients send it: base64url text, attached also with the expected content given
    t.true(
      (await verifyCmsSignedData(Buffer.from(cms).toString('base64url'), { content: message })).valid,
      `${file} as base64url`,
    );
    // tampered content must fail
    const bad = await verifyCmsSignedData(cms, { content: flip(message, 3) });
    t.false(bad.valid, `${file}: other content rejected`);
  }
}

test('OpenSSL fixtures: keys, certificates, client_certificate_hash and raw signatures for all 9 parameter sets', (t) => {
  checkOpensslMaterial(t, FIXTURES);
});

test('OpenSSL fixtures: CMS detached/attached, with/without signed attributes, GOST and RSA', async (t) => {
  await checkOpensslCms(t, FIXTURES);
});

liveTest('live OpenSSL: freshly generated keys, certificates, signatures and hashes verify', (t) => {
  t.log(readText(fresh(), 'openssl-version.txt').trim());
  checkOpensslMaterial(t, fresh());
  const vectors = JSON.parse(readText(fresh(), 'streebog-vectors.json')) as Array<{
    input: string;
    streebog256: string;
    streebog512: string;
  }>;
  for (const v of vectors) {
    const input = Uint8Array.from(Buffer.from(v.input, 'hex'));
    t.is(hex(streebog256(input)), v.streebog256);
    t.is(hex(streebog512(input)), v.streebog512);
  }
});

liveTest('live OpenSSL: freshly generated CMS verify', async (t) => {
  await checkOpensslCms(t, fresh());
});

test('fixture folder holds only test material', (t) => {
  const keys = readdirSync(FIXTURES).filter((f) => f.endsWith('.pem') && f.includes('key'));
  t.true(keys.length >= 10);
  for (const f of keys) t.true(f.startsWith('test-only-'), f);
});
