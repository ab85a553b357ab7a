/*
 * What every sign-in step shares: loading the interaction and its journey, reading form fields,
 * showing a failure inside the current form, moving to the next stage, and finishing the login
 * only after every factor has passed.
 */
import type { Context } from 'koa';
import type { Html } from '../../lib/html.ts';
import { notify } from '../adapters/notifications.ts';
import { maskPhone, type Account } from '../domain/account.ts';
import { acrFor, withMfa } from '../domain/assurance.ts';
import { secondsUntilResend } from '../domain/otp.ts';
import { announcementLines } from '../domain/outage.ts';
import { isPasswordExpired, passwordRules } from '../domain/password_policy.ts';
import type { ErrorCode } from '../errors/catalogue.ts';
import { EsiaError } from '../errors/esia_error.ts';
import { newReference } from '../errors/reference.ts';
import { type Run, runCookie } from '../runs.ts';
import type { Services } from '../services.ts';
import { agreementPage } from '../views/agreement.ts';
import type { Failure } from '../views/failure.ts';
import { loginPage } from '../views/login.ts';
import { otpPage } from '../views/otp.ts';
import { passwordChangePage } from '../views/password_change.ts';
import { renderCertificateStage } from './certificate.ts';
import type { Journey } from './journeys.ts';
import { factorStages, renderFactorStage } from './factor_screens.ts';
import { availableFactors } from './second_factor.ts';
import { factorSwitch } from '../views/webauthn.ts';

export interface Step {
  ctx: Context;
  s: Services;
  uid: string;
  journey: Journey;
  /** The run of this sign-in: its accounts, clock, inbox and faults. */
  run: Run;
  clientName: string;
  /** The oidc-provider prompt being answered: `login` or `consent`. */
  prompt: string;
  /** The authorization request's parameters (acr_values for step-up). */
  params: Record<string, unknown>;
  /** The account of the live session, if any (step-up: the signer must be it). */
  sessionAccountId?: string;
}

/** Loads the interaction named in the URL; a stale or foreign one is `interaction.expired`. */
export async function loadStep(ctx: Context, s: Services): Promise<Step> {
  let details: Awaited<ReturnType<Services['provider']['interactionDetails']>>;
  try {
    details = await s.provider.interactionDetails(ctx.req, ctx.res);
  } catch {
    throw new EsiaError('interaction.expired', { reason: 'no interaction for this browser (cookie missing or expired)' });
  }
  if (details.uid !== ctx.params.uid) {
    throw new EsiaError('interaction.expired', { reason: 'interaction in the URL differs from the browser cookie' });
  }
  const clientId = String(details.params.client_id ?? '');
  const client = await s.provider.Client.find(clientId);
  const journey = s.journeys.get(details.uid, clientId, s.runs.get(ctx.cookies.get(runCookie, { signed: false })) ?? s.runs.main);
  ctx.state.run = journey.run;
  ctx.state.audit.trace = details.uid;
  ctx.state.audit.client = clientId;
  if (journey.oid) ctx.state.audit.account = journey.oid;
  ctx.state.uid = details.uid;
  return {
    ctx,
    s,
    uid: details.uid,
    journey,
    run: journey.run,
    clientName: client?.clientName ?? clientId,
    prompt: details.prompt.name,
    params: details.params,
    sessionAccountId: details.session?.accountId,
  };
}

export { field } from '../forms.ts';

/** Records a failure shown inside the current form and returns it for the view. */
export function inlineFailure(step: Step, error: EsiaError | ErrorCode, lines?: string[]): Failure {
  const err = typeof error === 'string' ? new EsiaError(error) : error;
  const detailLines = err.details.lines;
  if (!lines && Array.isArray(detailLines)) lines = detailLines.map(String);
  const ref = newReference();
  Object.assign(step.ctx.state.audit, { outcome: 'refused', code: err.code, ref, details: err.details });
  step.ctx.status = err.status;
  return { code: err.code, ref, ...(lines?.length ? { lines } : {}) };
}

export function render(step: Step, page: Html): void {
  step.ctx.type = 'html';
  step.ctx.body = page.value;
}

/** The account this sign-in has reached (after the password or another first factor); a stage that needs one and has none has expired. */
export function journeyAccount(step: Step): Account {
  const account = step.journey.oid ? step.run.accounts.byOid(step.journey.oid) : undefined;
  if (!account) throw new EsiaError('interaction.expired', { reason: 'sign-in has no account yet' });
  return account;
}

/** Shows the screen of the journey's current stage, with an optional failure. */
export function renderStage(step: Step, failure?: Failure, extra: { identifier?: string; unmetRules?: string[] } = {}): void {
  const { s, journey, uid, run } = step;
  if (journey.stage === 'certificate') return renderCertificateStage(step, failure);
  const account = journey.oid ? run.accounts.byOid(journey.oid) : undefined;
  // feature «webauthn»: app code, security key, biometric sign-in, second factor at first login
  if (factorStages.has(journey.stage)) return renderFactorStage(step, account, failure);
  if (journey.stage === 'password' || !account) {
    const announcement = run.outage ? announcementLines(run.outage) : undefined;
    return render(step, loginPage({ uid, clientName: step.clientName, identifier: extra.identifier, remember: journey.remember, failure, announcement }));
  }
  if (journey.stage === 'otp') {
    const rules = s.config.otp;
    const now = run.clock.now();
    const notice = journey.notice;
    journey.notice = undefined;
    return render(
      step,
      otpPage({
        uid,
        maskedPhone: maskPhone(account.phone),
        codeLength: rules.length,
        resendIn: journey.otp ? secondsUntilResend(journey.otp, now, rules) : 0,
        sendsLeft: rules.maxSends - (journey.otp?.sends ?? 0),
        notice,
        failure,
        after: factorSwitch(uid, 'sms', availableFactors(account)),
      }),
    );
  }
  if (journey.stage === 'password_change') {
    const unmet = extra.unmetRules;
    const rules = passwordRules.map((r) => ({ id: r.id, text: r.text, ...(unmet ? { met: !unmet.includes(r.id) } : {}) }));
    return render(step, passwordChangePage({ uid, rules, failure }));
  }
  return render(step, agreementPage({ uid, clientName: step.clientName }));
}

export function redirectToStage(step: Step): void {
  step.ctx.status = 303;
  step.ctx.redirect(`/interaction/${step.uid}`);
}

/** After the second factor: a forced password change, then the first-login agreement, then done. */
export async function advance(step: Step, account: Account): Promise<void> {
  const { s, journey, run } = step;
  if (isPasswordExpired(account, run.clock.now(), s.config.passwordMaxAgeDays)) {
    journey.stage = 'password_change';
    return redirectToStage(step);
  }
  if (!account.agreementAcceptedAt) {
    journey.stage = 'agreement';
    return redirectToStage(step);
  }
  return finishLogin(step, account, journey.amr);
}

export async function finishLogin(step: Step, account: Account, factors: string[]): Promise<void> {
  const { s, ctx, run } = step;
  const amr = withMfa(factors);
  account.lastSignInAt = new Date(run.clock.now()).toISOString();
  run.accounts.changed();
  notify(run.outbox, account, 'security.sign_in', { at: account.lastSignInAt, system: step.clientName, amr });
  s.journeys.end(step.uid);
  Object.assign(ctx.state.audit, { account: account.oid, details: { amr } });
  await s.provider.interactionFinished(
    ctx.req,
    ctx.res,
    { login: { accountId: account.oid, remember: step.journey.remember, amr, acr: acrFor(amr) } },
    { mergeWithLastSubmission: false },
  );
  ctx.respond = false;
}
