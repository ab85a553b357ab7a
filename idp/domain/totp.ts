/*
 * App codes (A2): TOTP, RFC 6238, via otplib. The caller passes `now` (the run's clock). A code is
 * accepted for the current step ±toleranceSteps; each step's code is accepted once; a code that
 * would be right a few steps further away is named as the phone's clock drifting.
 */
import { generateSecret, generateSync, generateURI, verifySync } from 'otplib';
import { EsiaError } from '../errors/esia_error.ts';
import type { TotpEnrolment } from './account.ts';

export interface TotpRules {
  digits: number;
  periodSeconds: number;
  toleranceSteps: number;
  issuer: string;
}

/** How far beyond the tolerance a right code is still recognised as clock drift (not as a wrong code). */
const driftSteps = 10;

export function newTotpSecret(): string {
  return generateSecret();
}

export function stepAt(now: number, rules: TotpRules): number {
  return Math.floor(now / 1000 / rules.periodSeconds);
}

/** The code an app shows at `now` (control API, tests, trainers). */
export function currentCode(
  secret: string,
  now: number,
  rules: TotpRules,
): { code: string; step: number; validForSeconds: number } {
  const epoch = Math.floor(now / 1000);
  const code = generateSync({ secret, epoch, period: rules.periodSeconds, digits: rules.digits as 6 });
  return { code, step: stepAt(now, rules), validForSeconds: rules.periodSeconds - (epoch % rules.periodSeconds) };
}

/** otpauth:// URI for the QR code. */
export function enrolmentUri(secret: string, label: string, rules: TotpRules): string {
  return generateURI({ issuer: rules.issuer, label, secret, period: rules.periodSeconds, digits: rules.digits as 6 });
}

/** Checks an entered code; returns the time step it belongs to, to be recorded as used. */
export function checkTotp(
  enrolment: Pick<TotpEnrolment, 'secret' | 'lastStep'>,
  entered: string,
  now: number,
  rules: TotpRules,
): number {
  const token = entered.replace(/\s/g, '');
  const epoch = Math.floor(now / 1000);
  const options = { secret: enrolment.secret, token, period: rules.periodSeconds, digits: rules.digits as 6 };
  if (!/^\d+$/.test(token) || token.length !== rules.digits)
    throw new EsiaError('totp.invalid', { expected: `${rules.digits} digits`, actual: `${token.length} characters` });
  const near = verifySync({ ...options, epoch, epochTolerance: rules.toleranceSteps * rules.periodSeconds });
  if (near.valid) {
    const step = stepAt(now, rules) + near.delta;
    if (enrolment.lastStep !== null && step <= enrolment.lastStep)
      throw new EsiaError('totp.reused', { step, lastAccepted: enrolment.lastStep });
    return step;
  }
  const far = verifySync({ ...options, epoch, epochTolerance: driftSteps * rules.periodSeconds });
  if (far.valid) {
    throw new EsiaError('totp.clock_skew', {
      driftSteps: far.delta,
      tolerance: `±${rules.toleranceSteps} steps of ${rules.periodSeconds} s`,
    });
  }
  throw new EsiaError('totp.invalid', { tolerance: `±${rules.toleranceSteps} steps` });
}
