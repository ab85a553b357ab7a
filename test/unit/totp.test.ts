/* App codes (A2): RFC 6238 via otplib, on a given clock: tolerance, single use per step, drift named. */
import test from 'ava';
import { generateSync } from 'otplib';
import { defaults } from '../../idp/config/defaults.ts';
import { checkTotp, currentCode, stepAt } from '../../idp/domain/totp.ts';
import { EsiaError } from '../../idp/errors/esia_error.ts';

const rules = defaults.totp;
const secret = 'HMG53O6B4U7A3UX6APOZSVMJIUIKKUQB';
const now = Date.parse('2026-11-25T09:00:10.000Z');
const codeAt = (ms: number) => generateSync({ secret, epoch: Math.floor(ms / 1000) });
const code = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    return error instanceof EsiaError ? error.code : String(error);
  }
  return 'accepted';
};

test('RFC 6238 test vector (SHA-1, 8 digits, T=59 s) through the same library', (t) => {
  // RFC 6238 appendix B: secret "12345678901234567890" (ASCII) → 94287082 at 59 s.
  const ascii = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';
  t.is(generateSync({ secret: ascii, epoch: 59, digits: 8 }), '94287082');
});

test('the current code is accepted and its step returned; the control API shows the same code', (t) => {
  t.is(checkTotp({ secret, lastStep: null }, codeAt(now), now, rules), stepAt(now, rules));
  t.is(currentCode(secret, now, rules).code, codeAt(now));
  t.is(currentCode(secret, now, rules).validForSeconds, 20);
});

test('one step either side is tolerated, the default being ±1', (t) => {
  t.is(
    code(() => checkTotp({ secret, lastStep: null }, codeAt(now - 30_000), now, rules)),
    'accepted',
  );
  t.is(
    code(() => checkTotp({ secret, lastStep: null }, codeAt(now + 30_000), now, rules)),
    'accepted',
  );
  t.is(
    code(() => checkTotp({ secret, lastStep: null }, codeAt(now - 30_000), now, { ...rules, toleranceSteps: 0 })),
    'totp.clock_skew',
  );
});

test('a code further away is named as clock drift, not as a wrong code', (t) => {
  t.is(
    code(() => checkTotp({ secret, lastStep: null }, codeAt(now - 90_000), now, rules)),
    'totp.clock_skew',
  );
  t.is(
    code(() => checkTotp({ secret, lastStep: null }, codeAt(now + 120_000), now, rules)),
    'totp.clock_skew',
  );
});

test('a code already used in its step, or an older step, is refused', (t) => {
  const step = checkTotp({ secret, lastStep: null }, codeAt(now), now, rules);
  t.is(
    code(() => checkTotp({ secret, lastStep: step }, codeAt(now), now, rules)),
    'totp.reused',
  );
  t.is(
    code(() => checkTotp({ secret, lastStep: step }, codeAt(now - 30_000), now, rules)),
    'totp.reused',
  );
  t.is(
    code(() => checkTotp({ secret, lastStep: step }, codeAt(now + 30_000), now, rules)),
    'accepted',
  );
});

test('wrong digits, wrong length and letters are a wrong code', (t) => {
  const wrong = String((Number(codeAt(now)) + 1) % 1_000_000).padStart(6, '0');
  t.is(
    code(() => checkTotp({ secret, lastStep: null }, wrong, now, rules)),
    'totp.invalid',
  );
  t.is(
    code(() => checkTotp({ secret, lastStep: null }, '12345', now, rules)),
    'totp.invalid',
  );
  t.is(
    code(() => checkTotp({ secret, lastStep: null }, 'abcdef', now, rules)),
    'totp.invalid',
  );
  t.is(
    code(() =>
      checkTotp({ secret, lastStep: null }, ` ${codeAt(now).slice(0, 3)} ${codeAt(now).slice(3)} `, now, rules),
    ),
    'accepted',
  );
});
