/* What support does to an account (D2, E2): temporary secrets, their effect and lifetime, state edits, notes. */
import test from 'ava';
import type { Account } from '../../idp/domain/account.ts';
import { InputError } from '../../lib/errors.ts';
import {
  addNote,
  assertTemporaryPasswordValid,
  generateTemporarySecret,
  patchAccountState,
  setTemporaryPassword,
} from '../../idp/domain/account_admin.ts';
import { unmetRules } from '../../idp/domain/password_policy.ts';
import { EsiaError } from '../../idp/errors/esia_error.ts';

function account(): Account {
  return {
    oid: '1',
    persona: 'p',
    lastName: 'Иванов',
    firstName: 'Иван',
    middleName: 'Иванович',
    gender: 'male',
    birthDate: '1985-03-14',
    snils: '112-233-401 83',
    inn: '770100000142',
    phone: '+79000000001',
    phoneConfirmed: true,
    email: 'p@example.test',
    emailConfirmed: true,
    trust: 'confirmed',
    status: 'active',
    passwordHash: 'old',
    previousPasswordHashes: ['older'],
    passwordChangedAt: '2026-01-01T00:00:00.000Z',
    passwordMustChange: false,
    failedAttempts: 5,
    lockedAt: '2026-11-25T08:00:00.000Z',
    agreementAcceptedAt: null,
    lastSignInAt: null,
    demonstrates: '',
    catalogue: [],
  };
}

test('a reset secret meets every password rule; a code is 8 digits; both are random', (t) => {
  for (let i = 0; i < 200; i++)
    t.deepEqual(
      unmetRules(generateTemporarySecret('reset')).map((r) => r.id),
      [],
    );
  const codes = new Set(Array.from({ length: 50 }, () => generateTemporarySecret('code')));
  for (const code of codes) t.regex(code, /^\d{8}$/);
  t.true(codes.size > 45);
});

test('a temporary password replaces the old one, unlocks, forces a change and expires by the given clock', (t) => {
  const a = account();
  const now = Date.parse('2026-11-25T09:00:00Z');
  const { expiresAt } = setTemporaryPassword(a, 'temp', 'code', now, 3);
  t.is(expiresAt, '2026-11-25T10:00:00.000Z');
  t.like(a, {
    passwordHash: 'temp',
    passwordMustChange: true,
    failedAttempts: 0,
    lockedAt: null,
    temporaryPasswordExpiresAt: expiresAt,
  });
  t.deepEqual(a.previousPasswordHashes, ['old', 'older']);
  t.notThrows(() => assertTemporaryPasswordValid(a, now + 59 * 60_000));
  const error = t.throws(() => assertTemporaryPasswordValid(a, now + 61 * 60_000));
  t.true(error instanceof EsiaError && error.code === 'password.temporary_expired');
  t.is(setTemporaryPassword(account(), 'x', 'reset', now, 3).expiresAt, '2026-11-26T09:00:00.000Z');
});

test('a state edit is checked whole before anything changes', (t) => {
  const a = account();
  t.throws(() => patchAccountState(a, { status: 'inactive', trust: 'gold' }), {
    instanceOf: InputError,
    message: /trust must be one of simplified, standard, confirmed; got "gold"/,
  });
  t.is(a.status, 'active', 'the valid field before the bad one was not applied');
  t.throws(() => patchAccountState(a, { oid: '2' }), { message: /Unknown field "oid"/ });
  t.deepEqual(patchAccountState(a, { status: 'restricted', phoneConfirmed: false }), {
    status: 'restricted',
    phoneConfirmed: false,
  });
  t.like(a, { status: 'restricted', phoneConfirmed: false });
});

test('notes need text and are kept in order with the operator', (t) => {
  const a = account();
  t.throws(() => addNote(a, { at: 'x', by: 'operator', text: '  ' }), { instanceOf: InputError });
  addNote(a, { at: '2026-11-25T09:00:00.000Z', by: 'operator', text: ' Звонил, паспорт проверен ' });
  addNote(a, { at: '2026-11-25T09:05:00.000Z', by: 'senior', text: 'Выдан временный код' });
  t.deepEqual(
    a.notes?.map((n) => `${n.by}: ${n.text}`),
    ['operator: Звонил, паспорт проверен', 'senior: Выдан временный код'],
  );
});
