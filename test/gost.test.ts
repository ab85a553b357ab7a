/*
 * lib/gost: Streebog and GOST R 34.10-2012 (256) must match the standards' worked examples and agree
 * byte for byte with OpenSSL's gost engine in both directions (OpenSSL signs -> we verify; we sign ->
 * OpenSSL verifies), for raw signatures (ESIA v2/v3 client_secret), CMS (v1 client_secret),
 * certificates and client_certificate_hash. Committed fixtures (test/fixtures/gost, made by its
 * generate.sh) are always checked; when `openssl engine gost` works here, fresh material is made
 * with the same script and the OpenSSL-side checks run too (otherwise those tests are skipped).
 */
import test from 'ava';
import type { ExecutionContext } from 'ava';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  certificateHashMatches, clientCertificateHash, createGostCertificate, createSelfSignedGostCertificate, decodeSignature,
  exportPrivateKeyDer, exportPrivateKeyPem, exportPublicKeyDer, exportPublicKeyPem, generateGostKeyPair, getParamSet, gostSign, gostSignDigest, gostVerify,
  gostVerifyAnyLayout, gostVerifyDigest, importKeyPair, importPrivateKey, importPublicKey, isWithinValidity,
  parseCertificate, PARAM_SET_OIDS, pemOrDer, publicKeyFromPrivate, signCmsClientSecret, signGostCms, signGostJwt,
  signRawClientSecret, Streebog, streebog256, streebog512, verifyCertificateSignature, verifyCmsSignedData,
  verifyGostJwt, verifyRawClientSecret,
} from '../lib/gost/index.ts';
import type { GostKeyPair, ParsedCertificate } from '../lib/gost/index.ts';
import { bigIntToBytesBE, reversed, toHex, utf8 } from '../lib/gost/bytes.ts';

const FIXTURES = fileURLToPath(new URL('fixtures/gost/', import.meta.url));
const GENERATE = join(FIXTURES, 'generate.sh');
/** OpenSSL gost engine `paramset:` names and the OIDs they must map to. */
const ENGINE_SETS: Record<string, string> = {
  A: '1.2.643.2.2.35.1', B: '1.2.643.2.2.35.2', C: '1.2.643.2.2.35.3', XA: '1.2.643.2.2.36.0', XB: '1.2.643.2.2.36.1',
  TCA: '1.2.643.7.1.2.1.1.1', TCB: '1.2.643.7.1.2.1.1.2', TCC: '1.2.643.7.1.2.1.1.3', TCD: '1.2.643.7.1.2.1.1.4',
};

const hex = (u: Uint8Array) => toHex(u);
const read = (dir: string, name: string) => new Uint8Array(readFileSync(join(dir, name)));
const readText = (dir: string, name: string) => readFileSync(join(dir, name), 'utf8');
const flip = (u: Uint8Array, at: number) => {
  const c = Uint8Array.from(u);
  c[at]! ^= 0x01;
  return c;
};

function engineWorks(): boolean {
  const r = spawnSync('openssl', ['engine', 'gost', '-t'], { encoding: 'utf8' });
  return r.status === 0 && /available/.test(r.stdout);
}
const LIVE = engineWorks();
const liveTest = LIVE ? test : test.skip;

function openssl(args: string[], input?: Uint8Array | string): string {
  return execFileSync('openssl', args, { input, stdio: ['pipe', 'pipe', 'pipe'] }).toString();
}

function tempDir(t: ExecutionContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'esia-gost-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

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

// ---------------------------------------------------------------------------------------------
// Known answers from the standards
// ---------------------------------------------------------------------------------------------

// GOST R 34.11-2012 / RFC 6986 §10, examples 1 and 2. M1 is the ASCII digits; M2 is a line of
// "The Tale of Igor's Campaign" in CP1251. Digests are in the byte order OpenSSL prints.
const M1 = utf8('012345678901234567890123456789012345678901234567890123456789012');
const M2 = Uint8Array.from(Buffer.from(
  'd1e520e2e5f2f0e82c20d1f2f0e8e1eee6e820e2edf3f6e82c20e2e5fef2fa20f120eceef0ff20f1f2f0e5ebe0ece820ede020f5f0e0e1f0fbff20efebfaeafb20c8e3eef0e5e2fb',
  'hex',
));

test('Streebog-512 and -256: the M1 and M2 examples of GOST R 34.11-2012', (t) => {
  t.is(hex(streebog512(M1)), '1b54d01a4af5b9d5cc3d86d68d285462b19abc2475222f35c085122be4ba1ffa00ad30f8767b3a82384c6574f024c311e2a481332b08ef7f41797891c1646f48');
  t.is(hex(streebog256(M1)), '9d151eefd8590b89daa6ba6cb74af9275dd051026bb149a452fd84e5e57b5500');
  t.is(hex(streebog512(M2)), '1e88e62226bfca6f9994f1f2d51569e0daf8475a3b0fe61a5300eee46d961376035fe83549ada2b8620fcd7c496ce5b33f0cb9dddc2b6460143b03dabac9fb28');
  t.is(hex(streebog256(M2)), '9dd2fe4e90409e5da87f53976d7405b0c0cac628fc669a741d50063c557e8f50');
});

test('Streebog equals OpenSSL md_gost12_256/512 at every block-boundary length, one-shot and incremental', (t) => {
  const vectors = JSON.parse(readText(FIXTURES, 'streebog-vectors.json')) as Array<{ input: string; streebog256: string; streebog512: string }>;
  t.true(vectors.length >= 10);
  for (const v of vectors) {
    const input = Uint8Array.from(Buffer.from(v.input, 'hex'));
    t.is(hex(streebog256(input)), v.streebog256, `256, ${input.length} bytes`);
    t.is(hex(streebog512(input)), v.streebog512, `512, ${input.length} bytes`);
    for (const step of [1, 7, 64, 65]) {
      const h = new Streebog(256);
      for (let i = 0; i < input.length; i += step) h.update(input.subarray(i, i + step));
      t.is(hex(h.digest()), v.streebog256, `incremental by ${step}, ${input.length} bytes`);
    }
  }
});

// GOST R 34.10-2012 appendix A.1 / RFC 7091 §7.1: 256-bit example on the test curve. The standard
// gives e, d, k and the expected Q, r, s as numbers.
test('GOST R 34.10-2012 (256): the worked example of the standard (RFC 7091 §7.1)', (t) => {
  const d = 0x7a929ade789bb9be10ed359dd39a72c11b60961f49397eee1d19ce9891ec3b28n;
  const e = 0x2dfbc1b372d89a1188c09c52e0eec61fce52032ab1022e8e67ece6672b043ee5n;
  const k = 0x77105c9b20bcd3122823c8cf6fcc7b956de33814e95b7fe64fed924594dceab3n;
  const priv = { paramSet: 'id-GostR3410-2001-TestParamSet', d };
  const pub = publicKeyFromPrivate(priv);
  t.is(pub.x, 0x7f2b49e270db6d90d8595bec458b50c58585ba1d4e9b788f6689dbd8e56fd80bn);
  t.is(pub.y, 0x26f1b489d6701dd185c8413a977b3cbbaf64d1c593d26627dffb101a87ff77dan);
  const digest = bigIntToBytesBE(e, 32);
  const sig = gostSignDigest(priv, digest, { k, digestByteOrder: 'be', layout: 'rs' });
  const { r, s } = decodeSignature(sig, 'rs');
  t.is(r, 0x41aa28d2f1ab148280cd9ed56feda41974053554a42767b83ad043fd39dc0493n);
  t.is(s, 0x01456c64ba4642a1653c235a98a60249bcd6d3f746b631df928014f6c5bf9c40n);
  t.true(gostVerifyDigest(pub, digest, sig, { digestByteOrder: 'be', layout: 'rs' }));
  t.false(gostVerifyDigest(pub, flip(digest, 31), sig, { digestByteOrder: 'be', layout: 'rs' }));
  // The same pair in the other layouts.
  const ossl = gostSignDigest(priv, digest, { k, digestByteOrder: 'be' });
  t.is(hex(ossl), hex(bigIntToBytesBE(s, 32)) + hex(bigIntToBytesBE(r, 32)));
  t.is(hex(gostSignDigest(priv, digest, { k, digestByteOrder: 'be', layout: 'cryptopro' })), hex(reversed(ossl)));
});

// ---------------------------------------------------------------------------------------------
// OpenSSL material -> lib/gost (committed fixtures always; fresh ones when the engine is here)
// ---------------------------------------------------------------------------------------------

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
    t.deepEqual(exportPrivateKeyDer(keyPair.privateKey), pemOrDer(readText(dir, `test-only-key-${name}.pem`)), `${name}: PKCS#8 re-encodes byte for byte`);
    t.deepEqual(exportPublicKeyDer(keyPair.publicKey), cert.spki, `${name}: SubjectPublicKeyInfo re-encodes byte for byte`);
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
    t.deepEqual(verifyRawClientSecret(new TextDecoder().decode(message), Buffer.from(sig).toString('base64url'), certDer), { valid: true, layout: 'openssl' });
    t.true(verifyRawClientSecret(new TextDecoder().decode(message), Buffer.from(sig).toString('base64'), cert).valid, 'padded standard base64 accepted');
  }
}

async function checkOpensslCms(t: ExecutionContext, dir: string): Promise<void> {
  const message = read(dir, 'message.txt');
  const cases: Array<[file: string, attached: boolean, attrs: boolean, engine: 'gost2012-256' | 'pkijs']> = [
    ...Object.keys(ENGINE_SETS).map((n) => [`cms-detached-noattr-${n}.der`, false, false, 'gost2012-256'] as [string, boolean, boolean, 'gost2012-256']),
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
    t.true((await verifyCmsSignedData(Buffer.from(cms).toString('base64url'), { content: message })).valid, `${file} as base64url`);
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
  const vectors = JSON.parse(readText(fresh(), 'streebog-vectors.json')) as Array<{ input: string; streebog256: string; streebog512: string }>;
  for (const v of vectors) {
    const input = Uint8Array.from(Buffer.from(v.input, 'hex'));
    t.is(hex(streebog256(input)), v.streebog256);
    t.is(hex(streebog512(input)), v.streebog512);
  }
});

liveTest('live OpenSSL: freshly generated CMS verify', async (t) => {
  await checkOpensslCms(t, fresh());
});

// ---------------------------------------------------------------------------------------------
// lib/gost -> OpenSSL
// ---------------------------------------------------------------------------------------------

liveTest('live OpenSSL: our raw signatures verify with openssl dgst -verify, for every parameter set', (t) => {
  const dir = tempDir(t);
  const message = 'TESTSYSopenid2026.11.25 22:00:00 +0300state-1https://rp.example.test/cb';
  writeFileSync(join(dir, 'm.txt'), message);
  for (const name of Object.keys(ENGINE_SETS)) {
    const kp = generateGostKeyPair(name);
    writeFileSync(join(dir, 'pub.pem'), exportPublicKeyPem(kp.publicKey));
    writeFileSync(join(dir, 'sig.bin'), gostSign(kp.privateKey, utf8(message)));
    const out = openssl(['dgst', '-engine', 'gost', '-md_gost12_256', '-verify', join(dir, 'pub.pem'), '-signature', join(dir, 'sig.bin'), join(dir, 'm.txt')]);
    t.regex(out, /Verified OK/, name);
    // and OpenSSL rejects the CryptoPro (reversed) layout
    writeFileSync(join(dir, 'sig.bin'), gostSign(kp.privateKey, utf8(message), { layout: 'cryptopro' }));
    const r = spawnSync('openssl', ['dgst', '-engine', 'gost', '-md_gost12_256', '-verify', join(dir, 'pub.pem'), '-signature', join(dir, 'sig.bin'), join(dir, 'm.txt')], { encoding: 'utf8' });
    t.notRegex(r.stdout, /Verified OK/, `${name}: reversed layout is not OpenSSL's`);
  }
});

liveTest('live OpenSSL: our PKCS#8 keys and certificates are read, used and chain-verified by OpenSSL', (t) => {
  const dir = tempDir(t);
  for (const name of ['A', 'TCA', 'XB']) {
    const caKeys = generateGostKeyPair(name);
    const ca = createSelfSignedGostCertificate(caKeys, [['CN', 'Тестовый УЦ эмулятора'], ['O', 'Test only'], ['C', 'RU']], { ca: true, days: 30 });
    const leafKeys = generateGostKeyPair('A');
    const leaf = createGostCertificate({
      keyPair: leafKeys,
      subject: [['CN', 'ИС тест'], ['SNILS', '12345678964'], ['OGRN', '1027700132195']],
      issuer: { certificate: ca.certificate, privateKey: caKeys.privateKey },
      extendedKeyUsage: true,
    });
    writeFileSync(join(dir, 'ca.pem'), ca.pem);
    writeFileSync(join(dir, 'leaf.pem'), leaf.pem);
    writeFileSync(join(dir, 'leaf.key'), exportPrivateKeyPem(leafKeys.privateKey));
    t.regex(openssl(['verify', '-engine', 'gost', '-CAfile', join(dir, 'ca.pem'), join(dir, 'leaf.pem')]), /leaf\.pem: OK/, name);
    const text = openssl(['x509', '-engine', 'gost', '-in', join(dir, 'leaf.pem'), '-noout', '-text']);
    t.regex(text, /SNILS = 12345678964/);
    t.regex(text, /id-GostR3410-2001-CryptoPro-A-ParamSet/);
    // client_certificate_hash of our certificate = OpenSSL's
    const derHex = openssl(['dgst', '-engine', 'gost', '-md_gost12_256', '-r'], leaf.der).split(' ')[0];
    t.is(clientCertificateHash(leaf.pem), derHex);
    // OpenSSL signs with our exported key; we verify
    writeFileSync(join(dir, 'm.txt'), 'hello');
    openssl(['dgst', '-engine', 'gost', '-md_gost12_256', '-sign', join(dir, 'leaf.key'), '-out', join(dir, 's.bin'), join(dir, 'm.txt')]);
    t.true(gostVerify(leaf.certificate.gostPublicKey!, utf8('hello'), read(dir, 's.bin')));
    // and OpenSSL's view of our public key matches
    const pubPem = openssl(['pkey', '-engine', 'gost', '-in', join(dir, 'leaf.key'), '-pubout']);
    t.deepEqual(importPublicKey(pubPem), leafKeys.publicKey);
  }
});

liveTest('live OpenSSL: our CMS (detached/attached, with/without attributes) passes openssl smime -verify', (t) => {
  const dir = tempDir(t);
  const message = readText(FIXTURES, 'message.txt');
  writeFileSync(join(dir, 'm.txt'), message);
  for (const name of ['A', 'TCA']) {
    const kp = importKeyPair(readText(FIXTURES, `test-only-key-${name}.pem`));
    const cert = readText(FIXTURES, `test-only-cert-${name}.pem`);
    for (const detached of [true, false]) {
      for (const signedAttributes of [false, true]) {
        const cms = signGostCms({ content: utf8(message), certificate: cert, privateKey: kp.privateKey, detached, signedAttributes });
        writeFileSync(join(dir, 'c.der'), cms);
        const args = ['smime', '-engine', 'gost', '-verify', '-inform', 'DER', '-in', join(dir, 'c.der'), '-noverify', '-binary', '-out', join(dir, 'out.txt')];
        if (detached) args.push('-content', join(dir, 'm.txt'));
        const r = spawnSync('openssl', args, { encoding: 'utf8' });
        t.regex(r.stderr, /Verification successful/, `${name} detached=${detached} attrs=${signedAttributes}`);
        t.is(readText(dir, 'out.txt'), message);
      }
    }
  }
});

liveTest('live OpenSSL: our GOST JWT signature verifies with openssl dgst over header.payload', (t) => {
  const dir = tempDir(t);
  const kp = generateGostKeyPair('A');
  const jwt = signGostJwt({ ver: 1, typ: 'JWT', sbt: 'access' }, { 'urn:esia:sbj_id': 1000299654, scope: 'openid?oid=1000299654' }, kp.privateKey);
  const [h, p, s] = jwt.split('.') as [string, string, string];
  writeFileSync(join(dir, 'in.txt'), `${h}.${p}`);
  writeFileSync(join(dir, 'sig.bin'), Buffer.from(s, 'base64url'));
  writeFileSync(join(dir, 'pub.pem'), exportPublicKeyPem(kp.publicKey));
  t.regex(openssl(['dgst', '-engine', 'gost', '-md_gost12_256', '-verify', join(dir, 'pub.pem'), '-signature', join(dir, 'sig.bin'), join(dir, 'in.txt')]), /Verified OK/);
});

// ---------------------------------------------------------------------------------------------
// Our own round trips and tampering
// ---------------------------------------------------------------------------------------------

test('every supported parameter set: key generation, sign/verify, PKCS#8 and certificate round trips', (t) => {
  t.is(PARAM_SET_OIDS.length, 10);
  for (const oid of PARAM_SET_OIDS) {
    const kp = generateGostKeyPair(oid);
    const msg = utf8(`message for ${oid}`);
    const sig = gostSign(kp.privateKey, msg);
    t.true(gostVerify(kp.publicKey, msg, sig), oid);
    t.true(gostVerify(kp.publicKey, streebog256(msg), sig, { prehashed: true }), `${oid} prehashed`);
    t.deepEqual(importPrivateKey(exportPrivateKeyPem(kp.privateKey)), kp.privateKey);
    t.deepEqual(importPublicKey(exportPublicKeyPem(kp.publicKey)), kp.publicKey);
    const { certificate } = createSelfSignedGostCertificate(kp, { CN: 'rt', O: 'Test only' }, { serialNumber: 4242n });
    t.is(certificate.serialNumber, '1092');
    t.is(certificate.publicKeyParamSet, getParamSet(oid).oid);
    t.true(verifyCertificateSignature(certificate, certificate), oid);
  }
});

function fixtureCert(name = 'A'): { cert: ParsedCertificate; der: Uint8Array; keys: GostKeyPair } {
  return {
    cert: parseCertificate(read(FIXTURES, `test-only-cert-${name}.der`)),
    der: read(FIXTURES, `test-only-cert-${name}.der`),
    keys: importKeyPair(readText(FIXTURES, `test-only-key-${name}.pem`)),
  };
}

test('tampering: one changed byte in the message, the signature or the key fails the raw signature', (t) => {
  const { cert } = fixtureCert();
  const message = read(FIXTURES, 'message.txt');
  const sig = read(FIXTURES, 'dgst-A.sig');
  t.true(gostVerify(cert.gostPublicKey!, message, sig));
  for (const i of [0, 10, message.length - 1]) t.false(gostVerify(cert.gostPublicKey!, flip(message, i), sig), `message byte ${i}`);
  for (const i of [0, 31, 32, 63]) t.false(gostVerifyAnyLayout(cert.gostPublicKey!, message, flip(sig, i)).valid, `signature byte ${i}`);
  t.false(gostVerify(cert.gostPublicKey!, message, sig.subarray(0, 63)), 'short signature');
  t.false(gostVerify(cert.gostPublicKey!, message, new Uint8Array(64)), 'zero signature');
  t.false(gostVerify({ ...cert.gostPublicKey!, x: cert.gostPublicKey!.x ^ 1n }, message, sig), 'key off the curve');
  const other = generateGostKeyPair('A');
  t.false(gostVerify(other.publicKey, message, sig), 'another key');
  const secret = Buffer.from(sig).toString('base64url');
  t.false(verifyRawClientSecret(new TextDecoder().decode(message).replace('TESTSYS', 'TESTSYZ'), secret, cert).valid);
  t.false(verifyRawClientSecret(new TextDecoder().decode(message), secret.slice(0, -2), cert).valid, 'truncated client_secret');
  t.false(verifyRawClientSecret(new TextDecoder().decode(message), 'not*base64', cert).valid);
});

test('tampering: a changed certificate or hash is detected', (t) => {
  const { cert, der } = fixtureCert();
  const hash = readText(FIXTURES, 'test-only-cert-A.hash').trim();
  t.true(certificateHashMatches(hash, der));
  t.true(certificateHashMatches(hash.toUpperCase(), der), 'hash compared case-insensitively (BouncyCastle clients send upper case)');
  const badHash = (hash[0] === '0' ? '1' : '0') + hash.slice(1);
  t.false(certificateHashMatches(badHash, der), 'one hex digit changed');
  // Flip a byte inside the subject CN: the DER hash changes and the self-signature breaks.
  const cnAt = Buffer.from(der).indexOf(Buffer.from('ESIA emulator TEST A'));
  t.true(cnAt > 0);
  const tampered = flip(der, cnAt + 5);
  t.false(certificateHashMatches(hash, tampered));
  const tamperedCert = parseCertificate(tampered);
  t.false(verifyCertificateSignature(tamperedCert, cert), 'TBS changed -> signature fails');
  // Flip a byte of the certificate signature value.
  const sigAt = der.length - 10;
  t.false(verifyCertificateSignature(parseCertificate(flip(der, sigAt)), cert));
  // A certificate issued by someone else does not verify under this key.
  t.false(verifyCertificateSignature(fixtureCert('TCA').cert, cert));
});

test('tampering: CMS content, signature, messageDigest and signer certificate changes are rejected', async (t) => {
  const message = read(FIXTURES, 'message.txt');
  for (const file of ['cms-detached-noattr-A.der', 'cms-detached-attr-A.der', 'cms-attached-attr-A.der', 'cms-detached-noattr-rsa.der']) {
    const cms = read(FIXTURES, file);
    t.true((await verifyCmsSignedData(cms, { content: message })).valid, file);
    // last bytes of the DER are the signature value (SignerInfo ends with it, no unsigned attrs)
    t.false((await verifyCmsSignedData(flip(cms, cms.length - 5), { content: message })).valid, `${file}: signature byte`);
    t.false((await verifyCmsSignedData(cms, { content: flip(message, 0) })).valid, `${file}: content byte`);
    t.false((await verifyCmsSignedData(cms.subarray(0, cms.length - 1), { content: message })).valid, `${file}: truncated`);
  }
  // messageDigest attribute changed (attribute values are covered by the signature too)
  const withAttrs = read(FIXTURES, 'cms-detached-attr-A.der');
  const md = Buffer.from(streebog256(message));
  const at = Buffer.from(withAttrs).indexOf(md);
  t.true(at > 0);
  const res = await verifyCmsSignedData(flip(withAttrs, at + 1), { content: message });
  t.false(res.valid);
  t.is(res.reason, 'messageDigest does not match the content');
  // Attached content differing from what the caller expects.
  const attached = read(FIXTURES, 'cms-attached-attr-A.der');
  t.is((await verifyCmsSignedData(attached, { content: utf8('something else') })).reason, 'encapsulated content differs from the expected content');
  // Detached without content, garbage input.
  t.is((await verifyCmsSignedData(read(FIXTURES, 'cms-detached-noattr-A.der'))).reason, 'detached signature and no content to check it against');
  t.false((await verifyCmsSignedData('AAAA')).valid);
  t.false((await verifyCmsSignedData(read(FIXTURES, 'test-only-cert-A.der'))).valid, 'a certificate is not a CMS');
  // A look-alike certificate (same issuer name and serial, another key) cannot stand in for the signer.
  const real = fixtureCert('A');
  const impostorKeys = generateGostKeyPair('A');
  const impostor = createSelfSignedGostCertificate(
    impostorKeys,
    real.cert.subjectAttributes.map((a) => [a.type, a.value] as const),
    { serialNumber: BigInt(`0x${real.cert.serialNumber}`) },
  );
  t.deepEqual(impostor.certificate.issuerDer, real.cert.issuerDer);
  const forged = signGostCms({ content: message, certificate: impostor.der, privateKey: real.keys.privateKey });
  const forgedRes = await verifyCmsSignedData(forged, { content: message });
  t.false(forgedRes.valid);
  t.is(forgedRes.reason, 'signature does not verify');
  t.is(forgedRes.signerCertificate?.serialNumber, real.cert.serialNumber);
});

test('our CMS, raw client_secret and GOST JWT round trip', async (t) => {
  const { keys, der } = fixtureCert('A');
  const msg = 'openid1700000000TESTSYSstate';
  for (const detached of [true, false]) {
    for (const signedAttributes of [true, false]) {
      const secret = signCmsClientSecret(keys.privateKey, der, msg, { detached, signedAttributes });
      const res = await verifyCmsSignedData(secret, detached ? { content: utf8(msg) } : {});
      t.true(res.valid, `detached=${detached} attrs=${signedAttributes}: ${res.reason ?? ''}`);
      t.is(res.signedAttributes, signedAttributes);
      t.is(new TextDecoder().decode(res.content), msg);
    }
  }
  const raw = signRawClientSecret(keys.privateKey, msg);
  t.notRegex(raw, /[+/=]/, 'base64url without padding');
  t.deepEqual(verifyRawClientSecret(msg, raw, der), { valid: true, layout: 'openssl' });
  t.deepEqual(verifyRawClientSecret(msg, signRawClientSecret(keys.privateKey, msg, 'cryptopro'), der), { valid: true, layout: 'cryptopro' });

  const jwt = signGostJwt({ ver: 0, typ: 'JWT', sbt: 'id' }, { sub: 1000299654, aud: 'TESTSYS' }, keys.privateKey);
  const ok = verifyGostJwt(jwt, keys.publicKey);
  t.true(ok.valid);
  t.is(ok.header?.alg, 'GOST3410_2012_256');
  t.is(ok.payload?.sub, 1000299654);
  const [h, p, s] = jwt.split('.') as [string, string, string];
  const otherPayload = Buffer.from(JSON.stringify({ sub: 1, aud: 'TESTSYS' })).toString('base64url');
  t.false(verifyGostJwt(`${h}.${otherPayload}.${s}`, keys.publicKey).valid);
  t.false(verifyGostJwt(`${h}.${p}.${s}`, generateGostKeyPair('A').publicKey).valid);
});

test('certificate fields: subject, issuer, serial, validity, TBS', (t) => {
  const { cert, der } = fixtureCert('TCA');
  t.is(cert.version, 3);
  t.is(cert.signatureAlgorithm, '1.2.643.7.1.1.3.2');
  t.is(cert.publicKeyAlgorithm, '1.2.643.7.1.1.1.1');
  t.regex(cert.serialNumber, /^[0-9A-F]+$/);
  t.true(cert.notAfter.getTime() - cert.notBefore.getTime() > 3000 * 86_400_000);
  t.is(cert.signatureValue.length, 64);
  t.true(Buffer.from(der).includes(Buffer.from(cert.tbs)));
  t.deepEqual(cert.subjectAttributes.map((a) => a.type), ['CN', 'O', 'C']);
  const built = createSelfSignedGostCertificate(generateGostKeyPair('A'), [['CN', 'Иванов И.И.'], ['SNILS', '12345678964'], ['C', 'RU']], {
    notBefore: new Date('2020-01-01T00:00:00Z'), notAfter: new Date('2051-01-01T00:00:00Z'),
  }).certificate;
  t.is(built.subject, 'CN=Иванов И.И., SNILS=12345678964, C=RU');
  t.is(built.notBefore.toISOString(), '2020-01-01T00:00:00.000Z');
  t.is(built.notAfter.toISOString(), '2051-01-01T00:00:00.000Z', 'GeneralizedTime after 2049');
  t.false(isWithinValidity(built, new Date('2019-12-31T23:59:59Z')));
});

// ---------------------------------------------------------------------------------------------
// Timings
// ---------------------------------------------------------------------------------------------

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function timeOp(fn: () => void, iterations: number, runs = 5): number {
  fn();
  const per: number[] = [];
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    for (let i = 0; i < iterations; i++) fn();
    per.push((performance.now() - t0) / iterations);
  }
  return median(per);
}

test.serial('timings (median of 5 runs): sign, verify, Streebog-256 of 1 KB', (t) => {
  const { keys } = fixtureCert('A');
  const tca = generateGostKeyPair('TCA');
  const msg = utf8('TESTSYSopenid fullname2026.11.25 22:00:00 +0300state-1https://rp.example.test/cb');
  const sig = gostSign(keys.privateKey, msg);
  const sigTca = gostSign(tca.privateKey, msg);
  const kb = new Uint8Array(1024).map((_, i) => i & 0xff);
  const timings = {
    signMs: timeOp(() => gostSign(keys.privateKey, msg), 20),
    verifyMs: timeOp(() => gostVerify(keys.publicKey, msg, sig), 20),
    signTc26AMs: timeOp(() => gostSign(tca.privateKey, msg), 20),
    verifyTc26AMs: timeOp(() => gostVerify(tca.publicKey, msg, sigTca), 20),
    streebog256Of1KbMs: timeOp(() => streebog256(kb), 500),
  };
  for (const [k, v] of Object.entries(timings)) t.log(`${k}: ${v.toFixed(3)}`);
  t.true(timings.verifyMs < 100 && timings.signMs < 100 && timings.streebog256Of1KbMs < 5);
});

test('fixture folder holds only test material', (t) => {
  const keys = readdirSync(FIXTURES).filter((f) => f.endsWith('.pem') && f.includes('key'));
  t.true(keys.length >= 10);
  for (const f of keys) t.true(f.startsWith('test-only-'), f);
});
