/*
 * lib/gost on its own: round trips for every parameter set, tampering with messages, signatures,
 * certificates, hashes and CMS, certificate fields, and timings of sign, verify and Streebog.
 */
import test from 'ava';
import {
  certificateHashMatches,
  createSelfSignedGostCertificate,
  exportPrivateKeyPem,
  exportPublicKeyPem,
  generateGostKeyPair,
  getParamSet,
  gostSign,
  gostVerify,
  gostVerifyAnyLayout,
  importPrivateKey,
  importPublicKey,
  isWithinValidity,
  parseCertificate,
  PARAM_SET_OIDS,
  signCmsClientSecret,
  signGostCms,
  signGostJwt,
  signRawClientSecret,
  streebog256,
  verifyCertificateSignature,
  verifyCmsSignedData,
  verifyGostJwt,
  verifyRawClientSecret,
} from '../../lib/gost/index.ts';
import { utf8 } from '../../lib/gost/bytes.ts';
import { FIXTURES, read, readText, flip, fixtureCert } from '../helpers/gost.ts';

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

test('tampering: one changed byte in the message, the signature or the key fails the raw signature', (t) => {
  const { cert } = fixtureCert();
  const message = read(FIXTURES, 'message.txt');
  const sig = read(FIXTURES, 'dgst-A.sig');
  t.true(gostVerify(cert.gostPublicKey!, message, sig));
  for (const i of [0, 10, message.length - 1])
    t.false(gostVerify(cert.gostPublicKey!, flip(message, i), sig), `message byte ${i}`);
  for (const i of [0, 31, 32, 63])
    t.false(gostVerifyAnyLayout(cert.gostPublicKey!, message, flip(sig, i)).valid, `signature byte ${i}`);
  t.false(gostVerify(cert.gostPublicKey!, message, sig.subarray(0, 63)), 'short signature');
  t.false(gostVerify(cert.gostPublicKey!, message, new Uint8Array(64)), 'zero signature');
  t.false(gostVerify({ ...cert.gostPublicKey!, x: cert.gostPublicKey!.x ^ 1n }, message, sig), 'key off the curve');
  const other = generateGostKeyPair('A');
  t.false(gostVerify(other.publicKey, message, sig), 'another key');
  const secret = Buffer.from(sig).toString('base64url');
  t.false(verifyRawClientSecret(new TextDecoder().decode(message).replace('TESTSYS', 'TESTSYZ'), secret, cert).valid);
  t.false(
    verifyRawClientSecret(new TextDecoder().decode(message), secret.slice(0, -2), cert).valid,
    'truncated client_secret',
  );
  t.false(verifyRawClientSecret(new TextDecoder().decode(message), 'not*base64', cert).valid);
});

test('tampering: a changed certificate or hash is detected', (t) => {
  const { cert, der } = fixtureCert();
  const hash = readText(FIXTURES, 'test-only-cert-A.hash').trim();
  t.true(certificateHashMatches(hash, der));
  t.true(
    certificateHashMatches(hash.toUpperCase(), der),
    'hash compared case-insensitively (BouncyCastle clients send upper case)',
  );
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
  for (const file of [
    'cms-detached-noattr-A.der',
    'cms-detached-attr-A.der',
    'cms-attached-attr-A.der',
    'cms-detached-noattr-rsa.der',
  ]) {
    const cms = read(FIXTURES, file);
    t.true((await verifyCmsSignedData(cms, { content: message })).valid, file);
    // last bytes of the DER are the signature value (SignerInfo ends with it, no unsigned attrs)
    t.false(
      (await verifyCmsSignedData(flip(cms, cms.length - 5), { content: message })).valid,
      `${file}: signature byte`,
    );
    t.false((await verifyCmsSignedData(cms, { content: flip(message, 0) })).valid, `${file}: content byte`);
    t.false(
      (await verifyCmsSignedData(cms.subarray(0, cms.length - 1), { content: message })).valid,
      `${file}: truncated`,
    );
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
  t.is(
    (await verifyCmsSignedData(attached, { content: utf8('something else') })).reason,
    'encapsulated content differs from the expected content',
  );
  // Detached without content, garbage input.
  t.is(
    (await verifyCmsSignedData(read(FIXTURES, 'cms-detached-noattr-A.der'))).reason,
    'detached signature and no content to check it against',
  );
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
  t.deepEqual(verifyRawClientSecret(msg, signRawClientSecret(keys.privateKey, msg, 'cryptopro'), der), {
    valid: true,
    layout: 'cryptopro',
  });

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
  t.deepEqual(
    cert.subjectAttributes.map((a) => a.type),
    ['CN', 'O', 'C'],
  );
  const built = createSelfSignedGostCertificate(
    generateGostKeyPair('A'),
    [
      ['CN', 'Иванов И.И.'],
      ['SNILS', '12345678964'],
      ['C', 'RU'],
    ],
    {
      notBefore: new Date('2020-01-01T00:00:00Z'),
      notAfter: new Date('2051-01-01T00:00:00Z'),
    },
  ).certificate;
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
