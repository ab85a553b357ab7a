/* First sign-in (G2): accept the user agreement, or leave with access_denied. */
import { EsiaError } from '../errors/esia_error.ts';
import { wantsFactorSetup } from './factor_setup.ts';
import { advance } from './stages.ts';
import { field, journeyAccount, redirectToStage, type Step } from './step.ts';

export async function agreementStep(step: Step): Promise<void> {
  const { ctx, journey, run } = step;
  ctx.state.audit.action = 'agreement';
  if (journey.stage !== 'agreement') return redirectToStage(step);
  const account = journeyAccount(step);
  if (field(ctx, 'decision') !== 'accept') throw new EsiaError('agreement.declined');
  account.agreementAcceptedAt = new Date(run.clock.now()).toISOString();
  run.accounts.changed();
  // feature «webauthn» (G2): a first sign-in is offered a second factor before it goes on
  if (wantsFactorSetup(account)) {
    journey.stage = 'factor_setup';
    return redirectToStage(step);
  }
  return advance(step, account);
}
