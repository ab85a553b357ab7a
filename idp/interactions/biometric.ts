/*
 * feature «webauthn»: «Войти по биометрии» (A3) — sign-in without a password by a platform
 * authenticator with user verification. With a login typed, only that account's devices are asked
 * for, and an account without any is told how to set one up (B5); without one, the device offers
 * whichever passkey it holds for this site (discoverable credential).
 */
import { assertMaySignIn } from '../domain/account.ts';
import { parseIdentifier } from '../domain/identifiers.ts';
import { isLocked } from '../domain/lockout.ts';
import { EsiaError } from '../errors/esia_error.ts';
import { amrOf, finishAuthentication, parseAnswer, startAuthentication } from '../webauthn/ceremony.ts';
import { siteFor } from './factors.ts';
import { organisationRefusal } from './refusals.ts';
import { advance, renderStage } from './stages.ts';
import { field, inlineFailure, redirectToStage, type Step } from './step.ts';

export async function biometricStartStep(step: Step): Promise<void> {
  const { ctx, journey, run } = step;
  ctx.state.audit.action = 'webauthn.biometric.start';
  if (journey.stage !== 'password' && journey.stage !== 'biometric') return redirectToStage(step);
  const identifier = field(ctx, 'identifier').trim();
  let account;
  if (identifier) {
    try {
      account = run.accounts.find(parseIdentifier(identifier));
    } catch (error) {
      if (error instanceof EsiaError) return renderStage(step, inlineFailure(step, error), { identifier });
      throw error;
    }
    if (account && !(account.credentials ?? []).some((c) => c.kind === 'platform')) {
      journey.stage = 'password';
      return renderStage(step, inlineFailure(step, new EsiaError('webauthn.not_set_up', { account: account.oid })), {
        identifier,
      });
    }
  }
  journey.ceremony = await startAuthentication(siteFor(step), run.clock.now(), 'biometric', account);
  journey.stage = 'biometric';
  return redirectToStage(step);
}

export async function biometricFinishStep(step: Step): Promise<void> {
  const { ctx, journey, run, s } = step;
  ctx.state.audit.action = 'webauthn.biometric';
  if (journey.stage !== 'biometric') return redirectToStage(step);
  let found;
  try {
    const answer = parseAnswer<Parameters<typeof finishAuthentication>[2]>(field(ctx, 'response'), field(ctx, 'error'));
    found = await s.mutex.run(`webauthn:${answer.id}`, () =>
      finishAuthentication(siteFor(step), journey.ceremony, answer, run, run.clock.now()),
    );
  } catch (error) {
    if (!(error instanceof EsiaError)) throw error;
    const owner = journey.ceremony?.oid ? run.accounts.byOid(journey.ceremony.oid) : undefined;
    journey.ceremony = await startAuthentication(siteFor(step), run.clock.now(), 'biometric', owner);
    return renderStage(step, inlineFailure(step, error));
  }
  const { account, credential } = found;
  ctx.state.audit.account = account.oid;
  if (isLocked(account)) throw new EsiaError('account.locked', { lockedAt: account.lockedAt });
  journey.ceremony = undefined;
  // An organisation that allows only the signature refuses biometrics too, on the login page as it refuses the password (A9).
  const policy = organisationRefusal(step, account, 'biometric');
  if (policy) {
    journey.stage = 'password';
    return renderStage(step, inlineFailure(step, policy));
  }
  assertMaySignIn(account);
  journey.oid = account.oid;
  journey.amr = amrOf(credential, 'biometric');
  return advance(step, account);
}

/** «Войти по паролю» from the biometric screen. */
export function biometricCancelStep(step: Step): void {
  step.ctx.state.audit.action = 'webauthn.biometric.back';
  if (step.journey.stage === 'biometric') {
    step.journey.stage = 'password';
    step.journey.ceremony = undefined;
  }
  return redirectToStage(step);
}
