/*
 * The test PKI (lib/pki/test_pki.ts): every persona variant fails for its own reason at the stand's
 * clock, moving the clock changes the verdict, live revocations are per run, the challenge
 * signature accepts WebCrypto and DER encodings, and `openssl verify` agrees with checkCertificate.
 */
import test from 'ava';
import { execFile } from 'node:child_process';
import { sign, webcrypto } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { isValidInn, isValidSnils } from '../../idp/domain/identifiers.ts';
import {
  createSelfSignedGostCertificate,
  generateGostKeyPair,
  gostSign,
  importPrivateKey as importGostPrivateKey,
} from '../../lib/gost/index.ts';
import {
  checkCertificate,
  loadTestPki,
  orphanPersona,
  personVariants,
  Revocations,
  scenarioAnchor,
  signingKeyOf,
  verifySignature,
  type PersonVariant,
} from '../../lib/pki/test_pki.ts';

const run = promisify(execFile);
const keysDir = join(tmpdir(), 'esia-emulator-test-keys');

const expected: Record<PersonVariant, string | undefined> = {
  valid: undefined,
  expired: 'certificate.expired',
  'not-yet-valid': 'certificate.not_yet_valid',
  revoked: 'certificate.revoked',
  untrusted: 'certificate.untrusted',
  'wrong-key-usage': 'certificate.key_usage',
};

test('each persona variant is refused for its own reason; the valid one names the persona', async (t) => {
  const pki = await loadTestPki(keysDir);
  const now = Date.now();
  for (const variant of personVariants) {
    const result = checkCertificate(pki, pki.certificateFor('ivanov', variant).certificatePem, { at: now });
    if (expected[variant]) t.like(result, { ok: false, code: expected[variant] }, variant);
    else
      t.like(
        result,
        {
          ok: true,
          snils: '112-233-401 83',
          inn: '770100000142',
          persona: 'ivanov',
          name: { lastName: 'Иванов', firstName: 'Иван', middleName: 'Иванович', full: 'Иванов Иван Иванович' },
        },
        variant,
      );
  }
  const orphan = checkCertificate(pki, pki.certificateFor(orphanPersona).certificatePem, { at: now });
  t.true(orphan.ok);
  if (orphan.ok) {
    t.true(isValidSnils(orphan.snils.replace(/\D/g, '')));
    t.true(isValidInn(orphan.inn!));
  }
  t.like(checkCertificate(pki, pki.server('valid').certificatePem, { at: now }), {
    ok: false,
    code: 'certificate.not_linked',
  });
  t.like(checkCertificate(pki, 'not a certificate', { at: now }), { ok: false, code: 'certificate.malformed' });
});

test('the verdict follows the clock it is given, and DER or base64 input works like PEM', async (t) => {
  const pki = await loadTestPki(keysDir);
  const valid = pki.certificateFor('petrova', 'valid');
  const der = Buffer.from(valid.certificatePem.replace(/-----[^-]+-----|\s/g, ''), 'base64');
  t.true(checkCertificate(pki, new Uint8Array(der), { at: Date.now() }).ok);
  t.true(
    checkCertificate(pki, der.toString('base64'), { at: Date.now() }).ok,
    'base64 of the DER, as a signing plugin hands it over',
  );
  t.like(checkCertificate(pki, valid.certificatePem, { at: Date.parse(valid.notAfter) + 60_000 }), {
    ok: false,
    code: 'certificate.expired',
  });
  t.like(checkCertificate(pki, valid.certificatePem, { at: Date.parse(valid.notBefore) - 60_000 }), {
    ok: false,
    code: 'certificate.not_yet_valid',
  });
  const later = pki.certificateFor('petrova', 'not-yet-valid');
  t.true(checkCertificate(pki, later.certificatePem, { at: Date.parse(later.notBefore) + 60_000 }).ok);
});

test("every variant means the same at the scenarios' default clock as at the real time", async (t) => {
  const pki = await loadTestPki(keysDir);
  for (const at of [scenarioAnchor, Date.now()]) {
    for (const variant of personVariants) {
      const result = checkCertificate(pki, pki.certificateFor('kuznetsova', variant).certificatePem, { at });
      t.is(
        result.ok ? undefined : (result.code as string),
        expected[variant],
        `${variant} at ${new Date(at).toISOString()}`,
      );
    }
  }
});

test('a live revocation belongs to one run', async (t) => {
  const pki = await loadTestPki(keysDir);
  const cert = pki.certificateFor('sidorov');
  const mine = new Revocations();
  const theirs = new Revocations();
  mine.revoke(cert.serial.toLowerCase(), Date.now(), 'keyCompromise');
  t.like(checkCertificate(pki, cert.certificatePem, { at: Date.now(), revocations: mine }), {
    ok: false,
    code: 'certificate.revoked',
  });
  t.true(checkCertificate(pki, cert.certificatePem, { at: Date.now(), revocations: theirs }).ok);
  t.deepEqual(
    pki
      .revokedList(mine)
      .map((e) => e.serial)
      .sort(),
    [...pki.certificates.filter((c) => c.revokedAt).map((c) => c.serial), cert.serial].sort(),
  );
});

test('the challenge signature is checked in WebCrypto (P1363) and DER encodings', async (t) => {
  const pki = await loadTestPki(keysDir);
  const cert = pki.certificateFor('ivanov');
  const key = await signingKeyOf(cert);
  const p1363 = new Uint8Array(
    await webcrypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, key, Buffer.from('challenge-1')),
  );
  t.is(p1363.length, 64);
  t.true(verifySignature(cert.certificatePem, 'challenge-1', p1363));
  t.false(verifySignature(cert.certificatePem, 'challenge-2', p1363));
  const der = sign('sha256', Buffer.from('challenge-1'), cert.privateKeyPem);
  t.true(verifySignature(cert.certificatePem, 'challenge-1', der));
  t.false(
    verifySignature(pki.certificateFor('petrova').certificatePem, 'challenge-1', der),
    'another persona’s certificate',
  );
});

test('openssl verify agrees: our chain is good, the broken variants fail for the same reason', async (t) => {
  const pki = await loadTestPki(keysDir);
  const verify = async (file: string) =>
    run('openssl', [
      'verify',
      '-CAfile',
      pki.root.certificateFile,
      '-untrusted',
      pki.intermediate.certificateFile,
      file,
    ]).then(
      (r) => r.stdout,
      (e: { stdout: string; stderr: string }) => e.stdout + e.stderr,
    );
  t.regex(await verify(pki.certificateFor('ivanov').certificateFile), /: OK/);
  t.regex(await verify(pki.server('valid').certificateFile), /: OK/);
  t.regex(await verify(pki.certificateFor('ivanov', 'expired').certificateFile), /certificate has expired/);
  t.regex(await verify(pki.certificateFor('ivanov', 'not-yet-valid').certificateFile), /certificate is not yet valid/);
  t.regex(
    await verify(pki.certificateFor('ivanov', 'untrusted').certificateFile),
    /unable to get local issuer certificate/,
  );
  const subject = await run('openssl', [
    'x509',
    '-in',
    pki.certificateFor('ivanov').certificateFile,
    '-noout',
    '-subject',
    '-nameopt',
    'utf8,sep_comma_plus_space',
  ]);
  t.regex(
    subject.stdout,
    /CN=Иванов Иван Иванович, SN=Иванов, GN=Иван Иванович, C=RU, SNILS=11223340183, INN=770100000142/,
  );
});

test('GOST R 34.10-2012: the gost certificate of a persona is accepted, its signature checked in any layout, another CA refused', async (t) => {
  const pki = await loadTestPki(keysDir);
  const gost = pki.certificateFor('ivanov', 'gost');
  t.like(checkCertificate(pki, gost.certificatePem, { at: Date.now() }), {
    ok: true,
    snils: '112-233-401 83',
    inn: '770100000142',
    persona: 'ivanov',
  });
  t.like(checkCertificate(pki, gost.certificatePem, { at: scenarioAnchor }), { ok: true });
  const revocations = new Revocations();
  revocations.revoke(gost.serial, Date.now());
  t.like(checkCertificate(pki, gost.certificatePem, { at: Date.now(), revocations }), {
    ok: false,
    code: 'certificate.revoked',
  });
  const key = importGostPrivateKey(gost.privateKeyPem);
  for (const layout of ['openssl', 'cryptopro', 'rs'] as const) {
    const signature = gostSign(key, new TextEncoder().encode('challenge-1'), { layout });
    t.true(verifySignature(gost.certificatePem, 'challenge-1', signature), layout);
    t.false(verifySignature(gost.certificatePem, 'challenge-2', signature), layout);
  }
  // a GOST certificate from a CA the stand does not know
  const foreignKeys = generateGostKeyPair();
  const foreign = createSelfSignedGostCertificate(foreignKeys, [
    ['CN', 'Иванов Иван Иванович'],
    ['SNILS', '11223340183'],
  ]);
  t.like(checkCertificate(pki, foreign.pem, { at: Date.now() }), { ok: false, code: 'certificate.untrusted' });
});

test('processes loading a missing PKI at once: one generates under the lock, the others wait and reuse it', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'esia-pki-race-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const script = `import { loadTestPki } from './lib/pki/test_pki.ts';
const pki = await loadTestPki(process.argv[1], { personas: [{ persona: 'p', lastName: 'Петров', firstName: 'Пётр', snils: '112-233-445 95' }] });
console.log(pki.generatedAt.toISOString(), pki.root.serial);`;
  const root = join(import.meta.dirname, '../..');
  const outputs = await Promise.all(
    [1, 2, 3].map(() =>
      run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, dir], { cwd: root }),
    ),
  );
  const generations = new Set(outputs.map((o) => o.stdout.trim()));
  t.is(generations.size, 1, [...generations].join(' | '));
  t.deepEqual(await readdir(dir), ['pki'], 'no lock, temporary or old folder is left');
});
