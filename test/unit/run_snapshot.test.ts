/*
 * A run's whole state survives the trip to JSON and back (idp/shared/run_snapshot.ts): every field,
 * hydrated in place so objects other code holds stay the ones in use.
 */
import test from 'ava';
import { AccountRepository } from '../../idp/adapters/account_repository.ts';
import type { Account } from '../../idp/domain/account.ts';
import { MemoryBacking, Run } from '../../idp/runs.ts';
import {
  hydrateRun,
  runIdentityFields,
  RunSerialiser,
  runParts,
  serialiseParts,
  sharedRunFields,
} from '../../idp/shared/run_snapshot.ts';

const account = (persona: string, oid: string): Account => ({
  oid,
  persona,
  lastName: 'Иванов',
  firstName: 'Иван',
  middleName: 'Иванович',
  gender: 'male',
  birthDate: '1985-03-14',
  snils: `112-233-401 ${oid.slice(-2)}`,
  inn: `7701000001${oid.slice(-2)}`,
  phone: `+790000000${oid.slice(-2)}`,
  phoneConfirmed: true,
  email: `${persona}@example.test`,
  emailConfirmed: true,
  trust: 'confirmed',
  status: 'active',
  passwordHash: 'scrypt$1024$8$1$c2FsdA==$aGFzaA==',
  previousPasswordHashes: [],
  passwordChangedAt: '2026-10-01T08:00:00.000Z',
  passwordMustChange: false,
  failedAttempts: 0,
  lockedAt: null,
  agreementAcceptedAt: null,
  lastSignInAt: null,
  demonstrates: 'test',
  catalogue: ['A1'],
});

const emptyRun = (id = 'run-test') =>
  new Run(id, 10_000_000_000n, new AccountRepository(new MemoryBacking({ version: 1, accounts: [] })));

/** A run with something in every field a run shares. */
function busyRun(): Run {
  const run = emptyRun();
  run.accounts.replaceAll([account('ivanov', '1000001013'), account('petrova', '1000002026')]);
  run.accounts.byPersona('ivanov')!.failedAttempts = 3;
  run.clock.set(Date.parse('2026-11-25T12:00:00Z'), true);
  run.outbox.send('sms', '+79000000013', 'Код 123456', '123456', { kind: 'otp' });
  run.outbox.send('email', 'ivanov@example.test', 'Вход', undefined, { subject: 'Вход', kind: 'security.sign_in' });
  run.faults.arm({ kind: 'server.error', remaining: 2 });
  run.shortcuts.set('fmrm', ['ivanov', 'petrova']);
  run.outage = {
    mode: 'maintenance',
    notice: 'Работы',
    until: null,
    from: '2026-11-25T12:00:00.000Z',
    by: 'control',
  };
  run.unknownLogins.of('phone:+79990000000').failedAttempts = 2;
  run.operatorLockouts.set('operator', { failedAttempts: 5, lockedAt: '2026-11-25T12:00:00.000Z' });
  run.revocations.revoke('0a:bc', Date.parse('2026-11-25T12:00:00Z'), 'keyCompromise');
  run.issuedCertificates.push({
    serial: 'ABCDEF',
    kind: 'person',
    persona: 'ivanov',
    subject: 'CN=Иванов',
    issuer: 'CN=Test',
    notBefore: '2026-11-25T12:00:00.000Z',
    notAfter: '2027-11-25T12:00:00.000Z',
    certificateFile: '',
    keyFile: '',
    certificatePem: '-----BEGIN CERTIFICATE-----',
    privateKeyPem: '-----BEGIN PRIVATE KEY-----',
  });
  const { id, token } = run.esign.newToken();
  token.attemptsLeft = 1;
  token.entries.push({ id: 'ivanov-valid', label: 'Иванов', certificatePem: 'c', keyPem: 'k', source: 'control' });
  run.esign.personaTokens.set('ivanov', id);
  run.esign.clientMethods.set('fmrm', ['password']);
  run.esign.issueChallenge('uid-1', run.clock.now());
  return run;
}

/** The parts as they would travel: JSON text, parsed on the other side. */
const overTheWire = (run: Run) =>
  new Map([...serialiseParts(runParts(run))].map(([name, text]) => [name, JSON.parse(text) as unknown]));

test('every field of a Run is either shared in the snapshot or named as the run’s identity', (t) => {
  const fields = Object.keys(emptyRun()).sort();
  t.deepEqual(fields, [...sharedRunFields, ...runIdentityFields, 'outbox'].filter(unique).sort());
});

test('a busy run round-trips through JSON into a fresh run: every part equal', (t) => {
  const source = busyRun();
  const copy = emptyRun();
  // The test means something only if the source differs from a fresh run in every part.
  const fresh = serialiseParts(runParts(copy));
  t.deepEqual(
    [...serialiseParts(runParts(source))].filter(([name, text]) => fresh.get(name) === text),
    [],
  );
  hydrateRun(copy, overTheWire(source));
  t.deepEqual(serialiseParts(runParts(copy)), serialiseParts(runParts(source)));
  // And the restored state behaves: the clock frozen where it was, the codes and counts readable.
  t.is(copy.clock.now(), Date.parse('2026-11-25T12:00:00Z'));
  t.true(copy.clock.frozen);
  t.is(copy.outbox.read('sms', '+79000000013')[0]?.code, '123456');
  t.is(copy.accounts.byPersona('ivanov')?.failedAttempts, 3);
  t.is(copy.accounts.find([{ kind: 'phone', value: '+79000000026' }])?.persona, 'petrova');
  t.is(copy.faults.take('server.error')?.remaining, 1);
  t.true(copy.revocations.has('0ABC'));
  t.is(copy.issuedCertificate('ab:cd:ef')?.persona, 'ivanov');
  t.is(copy.unknownLogins.of('phone:+79990000000').failedAttempts, 2);
  const tokenId = copy.esign.personaTokens.get('ivanov')!;
  t.is(copy.esign.tokens.get(tokenId)?.attemptsLeft, 1);
  t.is(copy.esign.tokens.get(tokenId)?.describe().certificates[0]?.id, 'ivanov-valid');
  const [challenge] = copy.esign.challenges()[0]!;
  t.notThrows(() => copy.esign.consumeChallenge(challenge, 'uid-1', copy.clock.now()));
  // The next message id goes on from the source's.
  t.is(copy.outbox.send('sms', '+79000000013', 'x').id, source.outbox.send('sms', '+79000000013', 'x').id);
});

test('hydration is in place: the accounts, tokens and outbox other code holds see the new state', (t) => {
  const source = busyRun();
  const copy = emptyRun();
  hydrateRun(copy, overTheWire(source));
  const heldAccount = copy.accounts.byPersona('ivanov')!;
  const heldToken = copy.esign.tokens.get(copy.esign.personaTokens.get('ivanov')!)!;
  const heldOutbox = copy.outbox;
  source.accounts.byPersona('ivanov')!.lockedAt = '2026-11-25T12:01:00.000Z';
  source.esign.tokens.get(source.esign.personaTokens.get('ivanov')!)!.attemptsLeft = 0;
  source.outbox.send('sms', '+79000000013', 'Код 654321', '654321');
  // A field the account did not have comes in the middle: the copy still serialises as the source.
  const { persona, ...rest } = source.accounts.byPersona('ivanov')!;
  source.accounts.replaceAll([
    { persona, totp: null, ...rest },
    ...source.accounts.all().filter((a) => a.persona !== 'ivanov'),
  ]);
  hydrateRun(copy, changedParts(copy, source));
  t.deepEqual(serialiseParts(runParts(copy)), serialiseParts(runParts(source)));
  t.is(copy.accounts.byPersona('ivanov'), heldAccount);
  t.is(heldAccount.lockedAt, '2026-11-25T12:01:00.000Z');
  t.true(heldToken.blocked);
  t.is(heldOutbox.read('sms', '+79000000013')[0]?.code, '654321');
});

test('only the changed parts travel: one account and one inbox for a sign-in, and a removed part is removed', (t) => {
  const source = busyRun();
  const copy = emptyRun();
  hydrateRun(copy, overTheWire(source));
  source.accounts.byPersona('petrova')!.lastSignInAt = '2026-11-25T12:02:00.000Z';
  source.outbox.send('sms', '+79000000026', 'Вход');
  t.deepEqual([...changedParts(copy, source).keys()].sort(), [
    'account:1000002026',
    'inbox:sms:+79000000026',
    'outbox',
  ]);
  source.outbox.clear();
  source.accounts.replaceAll(source.accounts.all().filter((a) => a.persona !== 'ivanov'));
  const changed = changedParts(copy, source);
  t.true(
    changed.has('inbox:email:ivanov@example.test') && changed.get('inbox:email:ivanov@example.test') === undefined,
  );
  hydrateRun(copy, changed);
  t.deepEqual(serialiseParts(runParts(copy)), serialiseParts(runParts(source)));
  t.is(copy.accounts.byPersona('ivanov'), undefined);
  t.deepEqual(copy.outbox.read('email'), []);
});

test('the serialiser that keeps unchanged inboxes’ text writes what a fresh serialisation does, message after message', (t) => {
  const run = busyRun();
  const serialiser = new RunSerialiser();
  for (let i = 0; i < 25; i++) {
    // Past 20 messages an inbox drops its oldest: same length, other first and last messages.
    run.outbox.send('sms', '+79000000013', `Код ${i}`, String(i));
    t.deepEqual(serialiser.texts(run), serialiseParts(runParts(run)));
  }
  hydrateRun(run, overTheWire(busyRun()));
  t.deepEqual(serialiser.texts(run), serialiseParts(runParts(run)));
});

/** What differs between two runs' snapshots, as the sync layer finds it: changed parts parsed, removed ones undefined. */
function changedParts(from: Run, to: Run): Map<string, unknown> {
  const before = serialiseParts(runParts(from));
  const after = serialiseParts(runParts(to));
  const changed = new Map<string, unknown>();
  for (const [name, text] of after) if (before.get(name) !== text) changed.set(name, JSON.parse(text));
  for (const name of before.keys()) if (!after.has(name)) changed.set(name, undefined);
  return changed;
}

function unique<T>(value: T, index: number, list: T[]): boolean {
  return list.indexOf(value) === index;
}
