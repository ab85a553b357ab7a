/*
 * The legacy client_secret with RSA, cross-checked with OpenSSL both ways: what lib/pki/rsa.ts signs
 * (the reference RP's v1 mode) verifies with `openssl cms -verify`, and what `openssl smime -sign`
 * writes — as the PHP and Python ESIA clients run it — verifies in the emulator. Skipped without an
 * openssl binary.
 */
import test from 'ava';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { verifyCmsSignedData } from '../../lib/gost/index.ts';
import { createRsaCertificate, signRsaCms } from '../../lib/pki/rsa.ts';

const hasOpenssl = spawnSync('openssl', ['version']).status === 0;
const message = `openid fullname2026.11.25 12:00:00 +0300PROTO01${'8a3e1c2b-7f4d-4e0a-9c1b-2d3e4f5a6b7c'}`;

test("RSA CMS: ours verifies in OpenSSL, OpenSSL's verifies in the emulator (detached/attached, with/without attributes)", async (t) => {
  if (!hasOpenssl) {
    t.pass('openssl not installed: cross-check skipped');
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'esia-cms-'));
  try {
    const { certificatePem, privateKeyPem } = await createRsaCertificate('cross-check');
    const cert = join(dir, 'cert.pem');
    const key = join(dir, 'key.pem');
    const msg = join(dir, 'msg.txt');
    writeFileSync(cert, certificatePem);
    writeFileSync(key, privateKeyPem, { mode: 0o600 });
    writeFileSync(msg, message);
    for (const detached of [true, false]) {
      for (const signedAttributes of [false, true]) {
        const label = `detached=${detached} attrs=${signedAttributes}`;
        const ours = join(dir, `ours-${label}.der`);
        writeFileSync(ours, await signRsaCms(message, certificatePem, privateKeyPem, { detached, signedAttributes }));
        const args = ['cms', '-verify', '-binary', '-inform', 'DER', '-in', ours, '-noverify', '-purpose', 'any'];
        const out = spawnSync('openssl', detached ? [...args, '-content', msg] : args, { encoding: 'utf8' });
        t.is(out.status, 0, `${label}: ${out.stderr}`);
        t.is(out.stdout, message, label);
        const theirs = execFileSync('openssl', [
          'smime',
          '-sign',
          '-binary',
          '-outform',
          'DER',
          '-md',
          'sha256',
          '-signer',
          cert,
          '-inkey',
          key,
          '-in',
          msg,
          ...(signedAttributes ? [] : ['-noattr']),
          ...(detached ? [] : ['-nodetach']),
        ]);
        const res = await verifyCmsSignedData(new Uint8Array(theirs), { content: new TextEncoder().encode(message) });
        t.true(res.valid, `${label}: ${res.reason}`);
        const tampered = await verifyCmsSignedData(new Uint8Array(theirs), {
          content: new TextEncoder().encode(`${message}x`),
        });
        t.false(tampered.valid, label);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
