/*
 * feature «webauthn», server side: registration and sign-in answers from a software authenticator
 * (scenarios/runner/authenticator.ts), and every failure the server names — including those no
 * browser sends (origin, RP ID, missing UV, another account's key, a replay, a bad signature).
 */
import test from 'ava';
import type { AuthenticationResponseJSON, RegistrationResponseJSON } from '@simplewebauthn/server';
import { AccountRepository, type DataFile } from '../../idp/adapters/account_repository.ts';
import type { Account } from '../../idp/domain/account.ts';
import { acrFor, acrValues, withMfa } from '../../idp/domain/assurance.ts';
import { EsiaError } from '../../idp/errors/esia_error.ts';
import { esiaAuthMethod } from '../../idp/esia/tokens.ts';
import { Run } from '../../idp/runs.ts';
import {
  amrOf,
  finishAuthentication,
  finishRegistration,
  parseAnswer,
  startAuthentication,
  startRegistration,
  type WebAuthnSite,
} from '../../idp/webauthn/ceremony.ts';
import { type Answer, fixtureCredential, type Forge, SoftAuthenticator } from '../../scenarios/runner/authenticator.ts';

const site: WebAuthnSite = { rpId: 'localhost', rpName: 'test', origins: ['http://localhost:3000'], timeoutMs: 60_000 };
const origin = site.origins[0]!;
const now = Date.parse('2026-11-25T09:00:00Z');

function account(persona: string, oid: string): Account {
  return {
    persona,
    oid,
    lastName: 'Тестов',
    firstName: 'Тест',
    middleName: '',
    phone: `+7900000${oid.slice(-4)}`,
    email: `${persona}@example.test`,
    snils: oid,
    inn: oid,
    credentials: [],
  } as unknown as Account;
}

function world() {
  let data: DataFile = { version: 1, accounts: [account('anna', '1000000001'), account('boris', '1000000002')] };
  const backing = {
    get data() {
      return data;
    },
    changed() {},
    replace(d: DataFile) {
      data = d;
    },
  };
  const run = new Run('main', 0n, new AccountRepository(backing));
  return { run, anna: run.accounts.byPersona('anna')!, boris: run.accounts.byPersona('boris')! };
}

const json = <T>(answer: Answer): T => {
  if (!('response' in answer)) throw new Error(`authenticator refused: ${answer.error}`);
  return parseAnswer<T>(answer.response, '');
};
const failure = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (error) {
    if (error instanceof EsiaError) return error.code;
    throw error;
  }
  return 'accepted';
};

/** anna with a phone (platform, UV) registered through the real verification path. */
async function withPhone() {
  const w = world();
  const phone = new SoftAuthenticator('platform');
  const reg = await startRegistration(site, now, w.anna, 'platform');
  const credential = await finishRegistration(
    site,
    reg,
    json<RegistrationResponseJSON>(phone.register(reg.options as never, origin)),
    w.run,
    now,
    { name: 'Телефон', biometric: 'face' },
  );
  w.anna.credentials = [credential];
  const signIn = async (forge?: Forge, at = now, forAccount?: Account) => {
    const ceremony = await startAuthentication(site, now, 'biometric', forAccount);
    return {
      ceremony,
      answer: json<AuthenticationResponseJSON>(phone.assert(ceremony.options as never, origin, forge)),
      at,
    };
  };
  return { ...w, phone, credential, signIn };
}

test('registration stores the key; a discoverable sign-in finds its account; amr hwk+face → acr mfa:hwk', async (t) => {
  const { run, anna, credential, signIn } = await withPhone();
  t.like(credential, { kind: 'platform', biometric: 'face', counter: 0, transports: ['internal'] });
  const { ceremony, answer } = await signIn();
  const found = await finishAuthentication(site, ceremony, answer, run, now);
  t.is(found.account, anna);
  t.is(found.credential.counter, 1);
  const amr = withMfa(amrOf(found.credential, 'biometric'));
  t.deepEqual(amr, ['hwk', 'face', 'mfa']);
  t.is(acrFor(amr), acrValues.keyBound);
  t.is(esiaAuthMethod(amr), 'MOBILE');
  t.is(esiaAuthMethod(['pwd', 'hwk', 'mfa']), 'PWD');
  t.is(acrFor(['pwd', 'otp', 'mfa']), acrValues.multiFactor);
});

test('the same answer twice, even to a new ceremony, is a replay', async (t) => {
  const { run, signIn } = await withPhone();
  const first = await signIn();
  await finishAuthentication(site, first.ceremony, first.answer, run, now);
  const again = await startAuthentication(site, now, 'biometric');
  t.is(await failure(finishAuthentication(site, again, first.answer, run, now)), 'webauthn.challenge_replayed');
});

test("an answer to another sign-in's challenge is refused", async (t) => {
  const { run, signIn } = await withPhone();
  const { answer } = await signIn();
  const other = await startAuthentication(site, now, 'biometric');
  t.is(await failure(finishAuthentication(site, other, answer, run, now)), 'webauthn.verification_failed');
});

test("an answer after the ceremony's deadline (run clock) is timed out", async (t) => {
  const { run, signIn } = await withPhone();
  const { ceremony, answer } = await signIn();
  t.is(
    await failure(finishAuthentication(site, ceremony, answer, run, now + site.timeoutMs + 1)),
    'webauthn.timed_out',
  );
});

for (const [name, forge, expected] of [
  ['another origin', { origin: 'https://gosuslugi.example.net' }, 'webauthn.wrong_origin'],
  ['another RP ID', { rpId: 'example.net' }, 'webauthn.wrong_rp_id'],
  ['no UV flag', { dropUv: true }, 'webauthn.user_not_verified'],
] as const) {
  test(`a forged answer with ${name} is ${expected}`, async (t) => {
    const { run, signIn } = await withPhone();
    const { ceremony, answer } = await signIn(forge);
    t.is(await failure(finishAuthentication(site, ceremony, answer, run, now)), expected);
  });
}

test('a security key needs no UV after the password', async (t) => {
  const w = world();
  const key = new SoftAuthenticator('roaming');
  key.userVerified = false;
  const reg = await startRegistration(site, now, w.boris, 'roaming');
  w.boris.credentials = [
    await finishRegistration(site, reg, json(key.register(reg.options as never, origin)), w.run, now, { name: 'Ключ' }),
  ];
  const ceremony = await startAuthentication(site, now, 'key', w.boris);
  t.deepEqual(
    (ceremony.options as { allowCredentials: Array<{ id: string }> }).allowCredentials.map((c) => c.id),
    [w.boris.credentials[0]!.id],
  );
  const found = await finishAuthentication(
    site,
    ceremony,
    json(key.assert(ceremony.options as never, origin)),
    w.run,
    now,
  );
  t.is(found.account, w.boris);
  t.deepEqual(amrOf(found.credential, 'key'), ['hwk']);
});

test('a key of another account is foreign; a key of no account is unknown', async (t) => {
  const { run, boris, signIn } = await withPhone();
  const { ceremony, answer } = await signIn({}, now, boris);
  t.is(await failure(finishAuthentication(site, ceremony, answer, run, now)), 'webauthn.foreign_credential');
  const stray = new SoftAuthenticator('platform').load(fixtureCredential('stray-phone'));
  const c2 = await startAuthentication(site, now, 'biometric');
  t.is(
    await failure(finishAuthentication(site, c2, json(stray.assert(c2.options as never, origin)), run, now)),
    'webauthn.unknown_credential',
  );
});

test('a counter lower than the stored one is a cloned authenticator', async (t) => {
  const { run, credential, signIn } = await withPhone();
  credential.counter = 50;
  const { ceremony, answer } = await signIn();
  t.is(await failure(finishAuthentication(site, ceremony, answer, run, now)), 'webauthn.counter_regressed');
});

test('a changed signature does not verify', async (t) => {
  const { run, signIn } = await withPhone();
  const { ceremony, answer } = await signIn();
  const signature = Buffer.from(answer.response.signature, 'base64url');
  signature[signature.length - 1]! ^= 1;
  answer.response.signature = signature.toString('base64url');
  t.is(await failure(finishAuthentication(site, ceremony, answer, run, now)), 'webauthn.verification_failed');
});

test('registration without UV is refused for biometrics; the same key twice is refused', async (t) => {
  const { run, anna, phone } = await withPhone();
  const noUv = new SoftAuthenticator('platform');
  noUv.userVerified = false;
  const reg = await startRegistration(site, now, anna, 'platform');
  const options = {
    ...(reg.options as unknown as Record<string, unknown>),
    authenticatorSelection: { userVerification: 'discouraged' },
  };
  t.is(
    await failure(finishRegistration(site, reg, json(noUv.register(options, origin)), run, now, { name: 'x' })),
    'webauthn.user_not_verified',
  );
  const again = await startRegistration(site, now, anna, 'platform');
  t.deepEqual(phone.register(again.options as never, origin), { error: 'InvalidStateError' });
});

test("the browser's error names become catalogue codes", (t) => {
  const code = (fn: () => unknown) => {
    try {
      fn();
    } catch (error) {
      return (error as EsiaError).code;
    }
    return 'accepted';
  };
  t.is(
    code(() => parseAnswer('', 'NotAllowedError')),
    'webauthn.cancelled',
  );
  t.is(
    code(() => parseAnswer('', 'AbortError')),
    'webauthn.cancelled',
  );
  t.is(
    code(() => parseAnswer('', 'InvalidStateError')),
    'webauthn.already_registered',
  );
  t.is(
    code(() => parseAnswer('{"id":1}', '')),
    'webauthn.verification_failed',
  );
  t.is(
    code(() => parseAnswer('not json', '')),
    'webauthn.verification_failed',
  );
});
