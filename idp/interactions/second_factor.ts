/*
 * feature «webauthn»: the second factor after the password — SMS (otp.ts), app code (A2) or security
 * key (A5) — chosen on the login page and switchable on each factor's screen; a factor the account
 * does not have falls back to SMS with `factor.not_set_up` (B5).
 */
import type { Account } from '../domain/account.ts';
import { checkTotp } from '../domain/totp.ts';
import { EsiaError } from '../errors/esia_error.ts';
import type { SecondFactor } from '../views/webauthn.ts';
import { amrOf, finishAuthentication, parseAnswer, startAuthentication } from '../webauthn/ceremony.ts';
import { availableFactors, siteFor } from './factors.ts';
import { sendCode, sendCodeOrShow } from './otp.ts';
import { advance, renderStage } from './stages.ts';
import { field, inlineFailure, journeyAccount, redirectToStage, type Step } from './step.ts';

async function enter(step: Step, account: Account, factor: SecondFactor): Promise<void> {
  const { journey, run } = step;
  journey.factorFailures = 0;
  if (factor === 'totp') {
    journey.stage = 'totp';
    return redirectToStage(step);
  }
  if (factor === 'key') {
    journey.stage = 'key';
    journey.ceremony = await startAuthentication(siteFor(step), run.clock.now(), 'key', account);
    return redirectToStage(step);
  }
  journey.stage = 'otp';
  if (journey.otp) return redirectToStage(step);
  return sendCodeOrShow(step, account);
}

/** After the password: the chosen factor, or SMS with the reason when the account lacks it. */
export async function startSecondFactor(step: Step, account: Account, chosen: string): Promise<void> {
  const factor: SecondFactor = chosen === 'totp' || chosen === 'key' ? chosen : 'sms';
  if (availableFactors(account).includes(factor)) return enter(step, account, factor);
  step.journey.stage = 'otp';
  try {
    sendCode(step, account);
  } catch (error) {
    if (!(error instanceof EsiaError)) throw error;
    return renderStage(step, inlineFailure(step, error));
  }
  return renderStage(
    step,
    inlineFailure(step, new EsiaError('factor.not_set_up', { chosen: factor, available: availableFactors(account) })),
  );
}

const secondFactorStages = new Set(['otp', 'totp', 'key']);

/** «Другой способ» on a second-factor screen. */
export async function switchFactorStep(step: Step): Promise<void> {
  step.ctx.state.audit.action = 'factor.switch';
  if (!secondFactorStages.has(step.journey.stage)) return redirectToStage(step);
  const account = journeyAccount(step);
  const factor = field(step.ctx, 'factor') as SecondFactor;
  if (!availableFactors(account).includes(factor)) return redirectToStage(step);
  return enter(step, account, factor);
}

/** Wrong app codes in one sign-in before it must start again (the SMS code's limit). */
function spendAttempt(step: Step, error: EsiaError): EsiaError {
  const journey = step.journey;
  journey.factorFailures = (journey.factorFailures ?? 0) + 1;
  const limit = step.s.config.otp.maxAttempts;
  if (journey.factorFailures >= limit)
    return new EsiaError('otp.attempts_exhausted', { attemptsLeft: 0, last: error.code });
  return error;
}

export async function totpStep(step: Step): Promise<void> {
  const { ctx, journey, run, s } = step;
  ctx.state.audit.action = 'totp.check';
  if (journey.stage !== 'totp') return redirectToStage(step);
  const account = journeyAccount(step);
  if (!account.totp) return redirectToStage(step);
  if ((journey.factorFailures ?? 0) >= s.config.otp.maxAttempts)
    return renderStage(step, inlineFailure(step, 'otp.attempts_exhausted'));
  try {
    account.totp.lastStep = checkTotp(account.totp, field(ctx, 'code'), run.clock.now(), s.config.totp);
  } catch (error) {
    if (error instanceof EsiaError) return renderStage(step, inlineFailure(step, spendAttempt(step, error)));
    throw error;
  }
  run.accounts.changed();
  journey.amr = [...journey.amr, 'otp'];
  return advance(step, account);
}

/** The security key's answer (A5): a credential of this account, user presence enough. */
export async function keyStep(step: Step): Promise<void> {
  const { ctx, journey, run } = step;
  ctx.state.audit.action = 'webauthn.key';
  if (journey.stage !== 'key') return redirectToStage(step);
  const account = journeyAccount(step);
  try {
    const answer = parseAnswer<Parameters<typeof finishAuthentication>[2]>(field(ctx, 'response'), field(ctx, 'error'));
    const { credential } = await finishAuthentication(siteFor(step), journey.ceremony, answer, run, run.clock.now());
    journey.ceremony = undefined;
    journey.amr = [...journey.amr, ...amrOf(credential, 'key')];
  } catch (error) {
    if (!(error instanceof EsiaError)) throw error;
    journey.ceremony = await startAuthentication(siteFor(step), run.clock.now(), 'key', account);
    return renderStage(step, inlineFailure(step, error));
  }
  return advance(step, account);
}
