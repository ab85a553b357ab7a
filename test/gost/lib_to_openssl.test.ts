/*
 * lib/gost -> OpenSSL: our raw signatures, PKCS#8 keys, certificates, CMS and GOST JWTs are read and
 * verified by OpenSSL's gost engine (skipped when `openssl engine gost` does not work here).
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  clientCertificateHash,
  createGostCertificate,
  createSelfSignedGostCertificate,
  exportPrivateKeyPem,
  exportPublicKeyPem,
  generateGostKeyPair,
  gostSign,
  gostVerify,
  importKeyPair,
  importPublicKey,
  signGostCms,
  signGostJwt,
} from '../../lib/gost/index.ts';
import { utf8 } from '../../lib/gost/bytes.ts';
import { FIXTURES, ENGINE_SETS, read, readText, liveTest, openssl, tempDir } from '../helpers/gost.ts';

liveTest('live OpenSSL: our raw signatures verify with openssl dgst -verify, for every parameter set', (t) => {
  const dir = tempDir(t);
  const message = 'TESTSYSopenid2026.11.25 22:00:00 +0300state-1https://rp.example.test/cb';
  writeFileSync(join(dir, 'm.txt'), message);
  for (const name of Object.keys(ENGINE_SETS)) {
    const kp = generateGostKeyPair(name);
    writeFileSync(join(dir, 'pub.pem'), exportPublicKeyPem(kp.publicKey));
    writeFileSync(join(dir, 'sig.bin'), gostSign(kp.privateKey, utf8(message)));
    const out = openssl([
      'dgst',
      '-engine',
      'gost',
      '-md_gost12_256',
      '-verify',
      join(dir, 'pub.pem'),
      '-signature',
      join(dir, 'sig.bin'),
      join(dir, 'm.txt'),
    ]);
    t.regex(out, /Verified OK/, name);
    // and OpenSSL rejects the CryptoPro (reversed) layout
    writeFileSync(join(dir, 'sig.bin'), gostSign(kp.privateKey, utf8(message), { layout: 'cryptopro' }));
    const r = spawnSync(
      'openssl',
      [
        'dgst',
        '-engine',
        'gost',
        '-md_gost12_256',
        '-verify',
        join(dir, 'pub.pem'),
        '-signature',
        join(dir, 'sig.bin'),
        join(dir, 'm.txt'),
      ],
      { encoding: 'utf8' },
    );
    t.notRegex(r.stdout, /Verified OK/, `${name}: reversed layout is not OpenSSL's`);
  }
});

liveTest('live OpenSSL: our PKCS#8 keys and certificates are read, used and chain-verified by OpenSSL', (t) => {
  const dir = tempDir(t);
  for (const name of ['A', 'TCA', 'XB']) {
    const caKeys = generateGostKeyPair(name);
    const ca = createSelfSignedGostCertificate(
      caKeys,
      [
        ['CN', 'Тестовый УЦ эмулятора'],
        ['O', 'Test only'],
        ['C', 'RU'],
      ],
      { ca: true, days: 30 },
    );
    const leafKeys = generateGostKeyPair('A');
    const leaf = createGostCertificate({
      keyPair: leafKeys,
      subject: [
        ['CN', 'ИС тест'],
        ['SNILS', '12345678964'],
        ['OGRN', '1027700132195'],
      ],
      issuer: { certificate: ca.certificate, privateKey: caKeys.privateKey },
      extendedKeyUsage: true,
    });
    writeFileSync(join(dir, 'ca.pem'), ca.pem);
    writeFileSync(join(dir, 'leaf.pem'), leaf.pem);
    writeFileSync(join(dir, 'leaf.key'), exportPrivateKeyPem(leafKeys.privateKey));
    t.regex(
      openssl(['verify', '-engine', 'gost', '-CAfile', join(dir, 'ca.pem'), join(dir, 'leaf.pem')]),
      /leaf\.pem: OK/,
      name,
    );
    const text = openssl(['x509', '-engine', 'gost', '-in', join(dir, 'leaf.pem'), '-noout', '-text']);
    t.regex(text, /SNILS = 12345678964/);
    t.regex(text, /id-GostR3410-2001-CryptoPro-A-ParamSet/);
    // client_certificate_hash of our certificate = OpenSSL's
    const derHex = openssl(['dgst', '-engine', 'gost', '-md_gost12_256', '-r'], leaf.der).split(' ')[0];
    t.is(clientCertificateHash(leaf.pem), derHex);
    // OpenSSL signs with our exported key; we verify
    writeFileSync(join(dir, 'm.txt'), 'hello');
    openssl([
      'dgst',
      '-engine',
      'gost',
      '-md_gost12_256',
      '-sign',
      join(dir, 'leaf.key'),
      '-out',
      join(dir, 's.bin'),
      join(dir, 'm.txt'),
    ]);
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
        const cms = signGostCms({
          content: utf8(message),
          certificate: cert,
          privateKey: kp.privateKey,
          detached,
          signedAttributes,
        });
        writeFileSync(join(dir, 'c.der'), cms);
        const args = [
          'smime',
          '-engine',
          'gost',
          '-verify',
          '-inform',
          'DER',
          '-in',
          join(dir, 'c.der'),
          '-noverify',
          '-binary',
          '-out',
          join(dir, 'out.txt'),
        ];
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
  const jwt = signGostJwt(
    { ver: 1, typ: 'JWT', sbt: 'access' },
    { 'urn:esia:sbj_id': 1000299654, scope: 'openid?oid=1000299654' },
    kp.privateKey,
  );
  const [h, p, s] = jwt.split('.') as [string, string, string];
  writeFileSync(join(dir, 'in.txt'), `${h}.${p}`);
  writeFileSync(join(dir, 'sig.bin'), Buffer.from(s, 'base64url'));
  writeFileSync(join(dir, 'pub.pem'), exportPublicKeyPem(kp.publicKey));
  t.regex(
    openssl([
      'dgst',
      '-engine',
      'gost',
      '-md_gost12_256',
      '-verify',
      join(dir, 'pub.pem'),
      '-signature',
      join(dir, 'sig.bin'),
      join(dir, 'in.txt'),
    ]),
    /Verified OK/,
  );
});
