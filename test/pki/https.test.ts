/*
 * HTTPS stand (C6/F2): the emulator on TLS 1.3 with the test PKI, a relying party whose
 * back-channel trusts the test root and requires a stapled OCSP answer. Each broken certificate the
 * emulator is switched to makes the RP show its own error page, naming the exact TLS error.
 */
import test from 'ava';
import { execFile } from 'node:child_process';
import { connect } from 'node:tls';
import { promisify } from 'node:util';
import { loadTestPki } from '../../lib/pki/test_pki.ts';
import { type Stand, startStand } from '../../scenarios/runner/stand.ts';

const run = promisify(execFile);
let stand: Stand;

test.before(async () => {
  stand = await startStand({ https: true });
});
test.after.always(() => stand?.close());

async function rpLogin(): Promise<{ status: number; code: string | null; location: string | null; text: string }> {
  const res = await fetch(`${stand.rp}/login`, { redirect: 'manual' });
  return {
    status: res.status,
    code: res.headers.get('x-rp-error'),
    location: res.headers.get('location'),
    text: await res.text(),
  };
}

test.serial(
  'over TLS 1.3 with the valid certificate the RP discovers the emulator and sends the browser there',
  async (t) => {
    t.regex(stand.idp, /^https:\/\/localhost:\d+$/);
    t.like(await stand.control('POST', '/tls', { certificate: 'valid' }), { https: true, certificate: 'valid' });
    const login = await rpLogin();
    t.is(login.status, 302, login.text.slice(0, 300));
    t.true(login.location?.startsWith(`${stand.idp}/auth?`), String(login.location));
  },
);

const faults = [
  ['expired', 'rp.idp_certificate_expired', 'CERT_HAS_EXPIRED'],
  ['wrong-host', 'rp.idp_certificate_wrong_host', 'ERR_TLS_CERT_ALTNAME_INVALID'],
  ['revoked', 'rp.idp_certificate_revoked', 'CERT_REVOKED'],
  ['untrusted', 'rp.idp_certificate_untrusted', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE'],
] as const;

for (const [certificate, code, tlsCode] of faults) {
  test.serial(
    `a ${certificate} server certificate: the RP refuses the back-channel (${tlsCode}) and says so`,
    async (t) => {
      await stand.control('POST', '/tls', { certificate });
      try {
        const login = await rpLogin();
        t.is(login.status, 502);
        t.is(login.code, code);
        t.true(login.text.includes(tlsCode), 'the exact TLS error is on the page for support');
        t.true(login.text.includes('Не удалось безопасно связаться с Госуслугами'));
      } finally {
        await stand.control('POST', '/tls', { certificate: 'valid' });
      }
    },
  );
}

test.serial(
  'revoking the valid server certificate live: the stapled OCSP answer says revoked on the next login',
  async (t) => {
    const pki = await loadTestPki(stand.keysDir!);
    await stand.control('POST', '/tls', { certificate: 'valid' });
    t.is((await rpLogin()).status, 302);
    await stand.control('POST', `/certificates/${pki.server('valid').serial}/revoke`, { reason: 'keyCompromise' });
    try {
      t.is((await rpLogin()).code, 'rp.idp_certificate_revoked');
    } finally {
      await stand.control('POST', '/reset');
    }
    t.is((await rpLogin()).status, 302, 'a reset of the main run forgets the revocation');
  },
);

test.serial(
  'TLS 1.2 is refused; openssl s_client sees TLS 1.3, the test chain and a stapled OCSP answer',
  async (t) => {
    const { port } = new URL(stand.idp);
    const pki = await loadTestPki(stand.keysDir!);
    const error = await new Promise<Error>((resolve) => {
      const socket = connect({
        host: '127.0.0.1',
        port: Number(port),
        servername: 'localhost',
        maxVersion: 'TLSv1.2',
        ca: pki.root.certificatePem,
      });
      socket.once('error', resolve);
      socket.once('secureConnect', () => resolve(new Error('connected with TLS 1.2')));
    });
    t.regex(error.message, /protocol version|unsupported protocol|wrong version/i);
    // stdin from /dev/null: s_client ends after the handshake instead of waiting for input
    const out = await run(
      'sh',
      [
        '-c',
        `openssl s_client -connect 127.0.0.1:${port} -servername localhost -status -CAfile '${pki.root.certificateFile}' </dev/null`,
      ],
      { timeout: 10_000 },
    ).catch((e: { stdout: string; stderr: string }) => e);
    const text = `${out.stdout}\n${out.stderr}`;
    t.regex(text, /Protocol\s*:\s*TLSv1\.3|New, TLSv1\.3/);
    t.regex(text, /Verify return code: 0 \(ok\)/);
    t.regex(text, /OCSP Response Status: successful[\s\S]*Cert Status: good/);
  },
);
