/* Step 2: the SMS code (A1, C7): send, resend within limits, check; «нет доступа к телефону» (B5). */
import { randomInt } from 'node:crypto';
import type { Account } from '../domain/account.ts';
import { checkCode, issueCode, type OtpState } from '../domain/otp.ts';
import { EsiaError } from '../errors/esia_error.ts';
import type { Failure } from '../views/failure.ts';
import { advance, renderStage } from './stages.ts';
import { field, inlineFailure, journeyAccount, redirectToStage, type Step } from './step.ts';

/** A fresh code of `length` digits (leading zeros kept); the sign-in and recovery (D1) codes alike. */
export function drawCode(length: number): string {
  return String(randomInt(10 ** length)).padStart(length, '0');
}

/** A refused send (cooldown, cap, failed delivery) as the code screen shows it, with the wait left. */
export function sendRefusal(step: Step, error: unknown): Failure {
  if (!(error instanceof EsiaError)) throw error;
  const wait = error.details.secondsLeft;
  return inlineFailure(step, error, typeof wait === 'number' ? [`Подождите ещё ${wait} с`] : undefined);
}

/**
 * Checks the entered `code` field against `otp` (idp/domain/otp.ts spends an attempt or the code);
 * a refusal is returned as the code screen shows it, with the attempts left after a wrong code.
 */
export function checkEnteredCode(step: Step, otp: OtpState): Failure | undefined {
  try {
    checkCode(otp, field(step.ctx, 'code'), step.run.clock.now());
    return undefined;
  } catch (error) {
    if (!(error instanceof EsiaError)) throw error;
    return inlineFailure(
      step,
      error,
      error.code === 'otp.invalid' ? [`Осталось попыток: ${otp.attemptsLeft}`] : undefined,
    );
  }
}

/**
 * Issues a code and sends it. Throws EsiaError for cooldown, the cap on sends and a failed
 * delivery; a failed delivery keeps the previous state, since nothing reached the phone.
 */
export function sendCode(step: Step, account: Account): void {
  const { s, journey, run } = step;
  const next = issueCode(journey.otp, run.clock.now(), s.config.otp, () => drawCode(s.config.otp.length));
  run.outbox.send(
    'sms',
    account.phone,
    `Код для входа: ${next.code}. Никому его не сообщайте. ТЕСТОВЫЙ СТЕНД ЕСИА`,
    next.code,
  );
  journey.otp = next;
}

/** sendCode, with its refusal shown on the code screen. */
export function sendCodeOrShow(step: Step, account: Account, notice?: string): void {
  try {
    sendCode(step, account);
  } catch (error) {
    return renderStage(step, sendRefusal(step, error));
  }
  step.journey.notice = notice;
  return redirectToStage(step);
}

export async function otpStep(step: Step): Promise<void> {
  const { ctx, journey } = step;
  ctx.state.audit.action = 'otp.check';
  if (journey.stage !== 'otp') return redirectToStage(step);
  const account = journeyAccount(step);
  if (!journey.otp) return renderStage(step, inlineFailure(step, 'otp.delivery_failed'));
  const refused = checkEnteredCode(step, journey.otp);
  if (refused) return renderStage(step, refused);
  journey.amr = [...journey.amr, 'sms'];
  return advance(step, account);
}

export async function resendStep(step: Step): Promise<void> {
  const { ctx, journey } = step;
  ctx.state.audit.action = 'otp.resend';
  if (journey.stage !== 'otp') return redirectToStage(step);
  return sendCodeOrShow(step, journeyAccount(step), 'Новый код отправлен. Предыдущий больше не действует.');
}

export function noPhoneStep(step: Step): never {
  step.ctx.state.audit.action = 'otp.no_phone';
  throw new EsiaError('otp.no_phone_access');
}
