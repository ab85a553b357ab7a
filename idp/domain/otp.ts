/*
 * One-time SMS codes of one sign-in (A1, C7): lifetime, single use, limited attempts per code,
 * a cooldown between sends and a cap on sends. Pure: the caller passes `now` and a code source.
 */
import { EsiaError } from '../errors/esia_error.ts';

export interface OtpRules {
  length: number;
  ttlSeconds: number;
  maxAttempts: number;
  resendCooldownSeconds: number;
  maxSends: number;
}

export interface OtpState {
  code: string;
  issuedAt: number;
  expiresAt: number;
  attemptsLeft: number;
  sends: number;
}

/** Issues the first code or a new one, enforcing cooldown and the cap on sends. */
export function issueCode(previous: OtpState | null, now: number, rules: OtpRules, makeCode: () => string): OtpState {
  if (previous) {
    const readyAt = previous.issuedAt + rules.resendCooldownSeconds * 1000;
    if (previous.sends >= rules.maxSends) {
      throw new EsiaError('otp.resend_limit', { expected: `sends < ${rules.maxSends}`, actual: previous.sends });
    }
    if (now < readyAt) {
      throw new EsiaError('otp.resend_cooldown', { secondsLeft: Math.ceil((readyAt - now) / 1000) });
    }
  }
  return {
    code: makeCode(),
    issuedAt: now,
    expiresAt: now + rules.ttlSeconds * 1000,
    attemptsLeft: rules.maxAttempts,
    sends: (previous?.sends ?? 0) + 1,
  };
}

/**
 * Checks an entered code, spending one attempt when it is wrong; throws the precise failure. Single
 * use follows from the sign-in moving past this stage once the code is accepted.
 */
export function checkCode(state: OtpState, entered: string, now: number): void {
  if (state.attemptsLeft <= 0) throw new EsiaError('otp.attempts_exhausted', { attemptsLeft: 0 });
  if (now >= state.expiresAt) {
    throw new EsiaError('otp.expired', {
      expiredAt: new Date(state.expiresAt).toISOString(),
      now: new Date(now).toISOString(),
    });
  }
  if (entered.replace(/\s/g, '') !== state.code) {
    state.attemptsLeft -= 1;
    if (state.attemptsLeft === 0) throw new EsiaError('otp.attempts_exhausted', { attemptsLeft: 0 });
    throw new EsiaError('otp.invalid', { attemptsLeft: state.attemptsLeft });
  }
}

/** Seconds until another code may be requested (0 = now). */
export function secondsUntilResend(state: OtpState, now: number, rules: OtpRules): number {
  return Math.max(0, Math.ceil((state.issuedAt + rules.resendCooldownSeconds * 1000 - now) / 1000));
}
