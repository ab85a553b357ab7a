/*
 * feature «webauthn», first sign-in (G2): after the agreement, «настроить второй фактор» — register
 * this device's biometrics (WebAuthn, platform, user verification) or leave it for later.
 */
import type { Account } from '../domain/account.ts';
import { EsiaError } from '../errors/esia_error.ts';
import { finishRegistration, parseAnswer, startRegistration } from '../webauthn/ceremony.ts';
import { siteFor } from './factors.ts';
import { renderStage } from './stages.ts';
import { field, finishLogin, inlineFailure, journeyAccount, redirectToStage, type Step } from './step.ts';

/** Whether a first sign-in should be offered the set-up: no device and no app code yet. */
export function wantsFactorSetup(account: Account): boolean {
  return !(account.credentials ?? []).length && !account.totp;
}

export async function factorSetupStep(step: Step): Promise<void> {
  const { ctx, journey, run } = step;
  ctx.state.audit.action = 'factor.setup';
  if (journey.stage !== 'factor_setup') return redirectToStage(step);
  const account = journeyAccount(step);
  const action = field(ctx, 'action');
  if (action === 'biometric') {
    journey.ceremony = await startRegistration(siteFor(step), run.clock.now(), account, 'platform');
    return redirectToStage(step);
  }
  if (action === 'biometric-finish' && journey.ceremony) {
    try {
      const answer = parseAnswer<Parameters<typeof finishRegistration>[2]>(field(ctx, 'response'), field(ctx, 'error'));
      const credential = await finishRegistration(siteFor(step), journey.ceremony, answer, run, run.clock.now(), {
        name: 'Это устройство',
      });
      account.credentials = [...(account.credentials ?? []), credential];
      run.accounts.changed();
    } catch (error) {
      if (!(error instanceof EsiaError)) throw error;
      journey.ceremony = await startRegistration(siteFor(step), run.clock.now(), account, 'platform');
      return renderStage(step, inlineFailure(step, error));
    }
    ctx.state.audit.details = { registered: 'platform' };
  }
  journey.ceremony = undefined;
  return finishLogin(step, account, journey.amr);
}
