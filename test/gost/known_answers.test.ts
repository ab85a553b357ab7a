/*
 * lib/gost against the standards' worked examples: Streebog (GOST R 34.11-2012) and GOST R 34.10-2012
 * (256), and Streebog against OpenSSL's digests at every block-boundary length (committed vectors).
 */
import test from 'ava';
import {
  decodeSignature,
  gostSignDigest,
  gostVerifyDigest,
  publicKeyFromPrivate,
  Streebog,
  streebog256,
  streebog512,
} from '../../lib/gost/index.ts';
import { bigIntToBytesBE, reversed, utf8 } from '../../lib/gost/bytes.ts';
import { FIXTURES, hex, readText, flip } from '../helpers/gost.ts';

// GOST R 34.11-2012 / RFC 6986 §10, examples 1 and 2. M1 is the ASCII digits; M2 is a line of
// "The Tale of Igor's Campaign" in CP1251. Digests are in the byte order OpenSSL prints.
const M1 = utf8('012345678901234567890123456789012345678901234567890123456789012');
const M2 = Uint8Array.from(
  Buffer.from(
    'd1e520e2e5f2f0e82c20d1f2f0e8e1eee6e820e2edf3f6e82c20e2e5fef2fa20f120eceef0ff20f1f2f0e5ebe0ece820ede020f5f0e0e1f0fbff20efebfaeafb20c8e3eef0e5e2fb',
    'hex',
  ),
);

test('Streebog-512 and -256: the M1 and M2 examples of GOST R 34.11-2012', (t) => {
  t.is(
    hex(streebog512(M1)),
    '1b54d01a4af5b9d5cc3d86d68d285462b19abc2475222f35c085122be4ba1ffa00ad30f8767b3a82384c6574f024c311e2a481332b08ef7f41797891c1646f48',
  );
  t.is(hex(streebog256(M1)), '9d151eefd8590b89daa6ba6cb74af9275dd051026bb149a452fd84e5e57b5500');
  t.is(
    hex(streebog512(M2)),
    '1e88e62226bfca6f9994f1f2d51569e0daf8475a3b0fe61a5300eee46d961376035fe83549ada2b8620fcd7c496ce5b33f0cb9dddc2b6460143b03dabac9fb28',
  );
  t.is(hex(streebog256(M2)), '9dd2fe4e90409e5da87f53976d7405b0c0cac628fc669a741d50063c557e8f50');
});

test('Streebog equals OpenSSL md_gost12_256/512 at every block-boundary length, one-shot and incremental', (t) => {
  const vectors = JSON.parse(readText(FIXTURES, 'streebog-vectors.json')) as Array<{
    input: string;
    streebog256: string;
    streebog512: string;
  }>;
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
