import test from 'ava';
import { hintTexts, typingVariants } from '../../idp/domain/keyboard_layout.ts';
import { isPasswordExpired, unmetRules } from '../../idp/domain/password_policy.ts';

const ids = (password: string) => unmetRules(password).map((r) => r.id);

test('names every unmet complexity rule (B7)', (t) => {
  t.deepEqual(ids('Test-1234'), []);
  t.deepEqual(ids('test-1234'), ['upper']);
  t.deepEqual(ids('TEST-1234'), ['lower']);
  t.deepEqual(ids('Test-abcd'), ['digit']);
  t.deepEqual(ids('Test12345'), ['special']);
  t.deepEqual(ids('Te-1'), ['length']);
  t.deepEqual(ids('Тест-1234Ab'), ['latin']);
  t.deepEqual(ids('Test 1234-'), ['latin']);
  t.deepEqual(ids('пароль'), ['length', 'lower', 'upper', 'digit', 'special', 'latin']);
});

test('a password older than the limit, or flagged, is expired (B4, C3)', (t) => {
  const now = Date.parse('2026-11-25T00:00:00Z');
  t.false(isPasswordExpired({ passwordChangedAt: '2026-06-01T00:00:00Z', passwordMustChange: false }, now, 180));
  t.true(isPasswordExpired({ passwordChangedAt: '2026-05-27T00:00:00Z', passwordMustChange: false }, now, 180));
  t.true(isPasswordExpired({ passwordChangedAt: '2026-11-01T00:00:00Z', passwordMustChange: true }, now, 180));
});

test('offers the QWERTY reading of a password typed in ЙЦУКЕН, and back', (t) => {
  t.deepEqual(typingVariants('Еуые-1234').find((v) => v.hint === 'layout')?.password, 'Test-1234');
  t.deepEqual(typingVariants('Ghbdtn!').find((v) => v.hint === 'layout')?.password, 'Привет!');
});

test('offers the Caps Lock and stray-space readings', (t) => {
  t.is(typingVariants('tEST-1234').find((v) => v.hint === 'caps')?.password, 'Test-1234');
  t.is(typingVariants('  Test-1234 ').find((v) => v.hint === 'spaces')?.password, 'Test-1234');
  t.true(hintTexts.layout.includes('раскладке'));
});
