import test from 'ava';
import type { Account } from '../../idp/domain/account.ts';
import { KeyedMutex } from '../../idp/domain/keyed_mutex.ts';
import { isLocked, registerFailure, registerSuccess, unlock } from '../../idp/domain/lockout.ts';
import { checkCode, issueCode, secondsUntilResend } from '../../idp/domain/otp.ts';
import type { EsiaError } from '../../idp/errors/esia_error.ts';

const rules = { length: 6, ttlSeconds: 300, maxAttempts: 3, resendCooldownSeconds: 60, maxSends: 3 };
const t0 = Date.parse('2026-11-25T09:00:00Z');
const code = (fn: () => void) => {
  try {
    fn();
  } catch (error) {
    return (error as EsiaError).code;
  }
  return 'ok';
};

test('a code is accepted within its lifetime and refused after it (C7)', (t) => {
  const state = issueCode(null, t0, rules, () => '123456');
  t.is(
    code(() => checkCode(state, '123 456', t0 + 299_000)),
    'ok',
  );
  const late = issueCode(null, t0, rules, () => '123456');
  t.is(
    code(() => checkCode(late, '123456', t0 + 300_000)),
    'otp.expired',
  );
});

test('wrong codes spend attempts; the last one voids the code (C7)', (t) => {
  const state = issueCode(null, t0, rules, () => '123456');
  t.is(
    code(() => checkCode(state, '000000', t0)),
    'otp.invalid',
  );
  t.is(state.attemptsLeft, 2);
  t.is(
    code(() => checkCode(state, '000000', t0)),
    'otp.invalid',
  );
  t.is(
    code(() => checkCode(state, '000000', t0)),
    'otp.attempts_exhausted',
  );
  t.is(
    code(() => checkCode(state, '123456', t0)),
    'otp.attempts_exhausted',
  );
});

test('resend waits for the cooldown and stops at the cap (C7)', (t) => {
  const first = issueCode(null, t0, rules, () => '111111');
  t.is(
    code(() => issueCode(first, t0 + 59_000, rules, () => '222222')),
    'otp.resend_cooldown',
  );
  t.is(secondsUntilResend(first, t0 + 59_000, rules), 1);
  const second = issueCode(first, t0 + 60_000, rules, () => '222222');
  const third = issueCode(second, t0 + 120_000, rules, () => '333333');
  t.is(third.sends, 3);
  t.is(
    code(() => issueCode(third, t0 + 999_000, rules, () => '444444')),
    'otp.resend_limit',
  );
});

function account(): Account {
  return { failedAttempts: 0, lockedAt: null } as Account;
}

test('locks at the limit, stays locked, unlocks by support (C2)', (t) => {
  const a = account();
  for (let i = 0; i < 4; i++) t.false(registerFailure(a, t0, 5));
  t.true(registerFailure(a, t0, 5));
  t.true(isLocked(a));
  t.false(registerFailure(a, t0, 5), 'only the attempt that locks reports it');
  registerSuccess(a);
  t.true(isLocked(a), 'a later success does not unlock');
  unlock(a);
  t.false(isLocked(a));
  t.is(a.failedAttempts, 0);
});

test('the keyed mutex runs work of one key in arrival order, other keys in parallel', async (t) => {
  const mutex = new KeyedMutex();
  const order: string[] = [];
  const slow = (label: string, ms: number) => async () => {
    await new Promise((r) => setTimeout(r, ms));
    order.push(label);
  };
  await Promise.all([mutex.run('a', slow('a1', 20)), mutex.run('a', slow('a2', 1)), mutex.run('b', slow('b1', 5))]);
  t.deepEqual(order, ['b1', 'a1', 'a2']);
  await t.throwsAsync(mutex.run('a', async () => Promise.reject(new Error('boom'))));
  t.is(await mutex.run('a', async () => 'next still runs'), 'next still runs');
});
