/* The signing-plugin stand-in's token, the challenge registry, sign-in policies and the acr of a signature (A4, A5, A8, A9). */
import { generateKeyPairSync } from 'node:crypto';
import test from 'ava';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { loadTestPki } from '../../lib/pki/test_pki.ts';
import { acrFor, acrValues, asksForSignature, withMfa } from '../../idp/domain/assurance.ts';
import { assertClientAllows, assertOrganisationAllows, clientForbidsPassword } from '../../idp/domain/policy.ts';
import { EsiaError } from '../../idp/errors/esia_error.ts';
import { challengeLifetimeMs, EsignRunState, maxTokens } from '../../idp/esign/run_state.ts';
import { splitBundle } from '../../idp/esign/plugin_routes.ts';
import { VirtualToken } from '../../idp/esign/token.ts';

const pki = await loadTestPki(join(tmpdir(), 'esia-emulator-test-keys'));
const ivanov = pki.certificateFor('ivanov', 'valid');

const codeOf = (fn: () => unknown): string => {
  try {
    fn();
  } catch (error) {
    if (error instanceof EsiaError) return error.code;
    throw error;
  }
  return 'none';
};

test('the token signs only with the right PIN, counts wrong ones and blocks at the limit', (t) => {
  const token = new VirtualToken();
  const entry = token.add(ivanov.certificatePem, ivanov.privateKeyPem, 'control', 'ivanov-valid');
  t.is(entry.id, 'ivanov-valid');
  t.is(
    codeOf(() => token.sign('ivanov-valid', '0000', Buffer.from('x'))),
    'esign.pin_invalid',
  );
  t.is(token.attemptsLeft, 2);
  // A right PIN restores the counter, as on a real token.
  t.true(token.sign('ivanov-valid', '12345678', Buffer.from('x')).signature.length > 0);
  t.is(token.attemptsLeft, 3);
  t.is(
    codeOf(() => token.sign('ivanov-valid', '1', Buffer.from('x'))),
    'esign.pin_invalid',
  );
  t.is(
    codeOf(() => token.sign('ivanov-valid', '2', Buffer.from('x'))),
    'esign.pin_invalid',
  );
  t.is(
    codeOf(() => token.sign('ivanov-valid', '3', Buffer.from('x'))),
    'esign.token_blocked',
  );
  t.is(
    codeOf(() => token.sign('ivanov-valid', '12345678', Buffer.from('x'))),
    'esign.token_blocked',
  );
  t.false(token.unblock('00000000'));
  t.true(token.unblock('87654321'));
  t.is(
    codeOf(() => token.sign('ivanov-valid', '12345678', Buffer.from('x'))),
    'none',
  );
});

test("a key file whose key is not the certificate's is refused; a bundle is split into its parts", (t) => {
  const token = new VirtualToken();
  const other = generateKeyPairSync('ec', { namedCurve: 'P-256' })
    .privateKey.export({ format: 'pem', type: 'pkcs8' })
    .toString();
  t.throws(() => token.add(ivanov.certificatePem, other, 'file'), { message: /does not belong/ });
  const parts = splitBundle(`${ivanov.certificatePem}\n${ivanov.privateKeyPem}`);
  t.true(token.add(parts.certificatePem, parts.keyPem, 'file').id.startsWith('file-'));
  t.throws(() => splitBundle(ivanov.certificatePem), { message: /no key/ });
});

test('a challenge is single use, bound to its sign-in, and lives five minutes', (t) => {
  const state = new EsignRunState();
  const now = Date.parse('2026-11-25T09:00:00Z');
  const a = state.issueChallenge('uid-a', now);
  t.is(
    codeOf(() => state.consumeChallenge(a, 'uid-b', now)),
    'esign.challenge_foreign',
  );
  t.is(
    codeOf(() => state.consumeChallenge('ESIA-LOGIN-forged', 'uid-a', now)),
    'esign.challenge_foreign',
  );
  t.is(
    codeOf(() => state.consumeChallenge(a, 'uid-a', now)),
    'none',
  );
  t.is(
    codeOf(() => state.consumeChallenge(a, 'uid-a', now)),
    'esign.challenge_replayed',
  );
  const b = state.issueChallenge('uid-a', now, a);
  t.is(
    codeOf(() => state.consumeChallenge(b, 'uid-a', now + challengeLifetimeMs + 1)),
    'esign.challenge_replayed',
  );
  // A newer challenge of the same sign-in voids the older one.
  const c = state.issueChallenge('uid-a', now);
  state.issueChallenge('uid-a', now, c);
  t.is(
    codeOf(() => state.consumeChallenge(c, 'uid-a', now)),
    'esign.challenge_replayed',
  );
});

test('organisation and client policies name what is allowed', (t) => {
  const org = { id: 'gkb-7', name: 'ГКБ № 7', allowed_methods: ['esign'], members: ['egorova'] };
  const error = t.throws(() => assertOrganisationAllows('password', org), { instanceOf: EsiaError });
  t.is(error.code, 'policy.method_not_allowed');
  t.deepEqual(error.details.lines, ['Организация: ГКБ № 7', 'Разрешённые способы входа: электронная подпись']);
  t.notThrows(() => assertOrganisationAllows('esign', org));
  t.notThrows(() => assertOrganisationAllows('password', undefined));
  t.is(
    t.throws(() => assertClientAllows('password', { clientMethods: ['esign'], clientName: 'НМО' }), {
      instanceOf: EsiaError,
    }).code,
    'policy.client_method_not_allowed',
  );
  t.notThrows(() => assertClientAllows('password', { clientName: 'НМО' }));
  t.true(clientForbidsPassword(['esign']));
  t.false(clientForbidsPassword(['esign', 'password']));
  t.false(clientForbidsPassword(undefined));
});

test('a certificate sign-in is at the signature level; step-up is read from acr_values', (t) => {
  t.is(acrFor(withMfa(['sc', 'pin'])), acrValues.signature);
  t.deepEqual(withMfa(['sc', 'pin']), ['sc', 'pin', 'mfa']);
  t.is(acrFor(['sc']), acrValues.signature);
  t.is(acrFor(withMfa(['pwd', 'sms'])), acrValues.multiFactor);
  t.true(asksForSignature('urn:esia:acr:mfa urn:esia:acr:signature'));
  t.false(asksForSignature('urn:esia:acr:mfa'));
  t.false(asksForSignature(undefined));
});

test('the certificate field takes PEM or the base64 of the DER (as CryptoPro hands it over)', async (t) => {
  const { parseCertificate } = await import('../../idp/esign/verify.ts');
  const der = parseCertificate(ivanov.certificatePem).raw.toString('base64');
  t.is(parseCertificate(der).serialNumber, parseCertificate(ivanov.certificatePem).serialNumber);
  t.is(t.throws(() => parseCertificate('not a certificate'), { instanceOf: EsiaError }).code, 'oauth.invalid_request');
});

test("a run keeps at most maxTokens tokens: the oldest browser token goes, a person's stays", (t) => {
  const state = new EsignRunState();
  const person = state.newToken();
  state.personaTokens.set('ivanov', person.id);
  const first = state.newToken();
  for (let i = 2; i < maxTokens; i++) state.newToken();
  t.is(state.tokens.size, maxTokens);
  state.newToken();
  t.is(state.tokens.size, maxTokens);
  t.true(state.tokens.has(person.id));
  t.false(state.tokens.has(first.id));
});
