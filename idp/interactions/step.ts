/*
 * What every step shares: loading the interaction and its journey, reading form fields, recording a
 * failure shown inside the current form, redirecting to the current stage's screen, and finishing
 * the login once every factor has passed. A leaf of the sign-in screens: it imports none of them
 * (which screen a stage shows, and which stage follows, is stages.ts).
 */
import type { Context } from 'koa';
import type { Html } from '../../lib/html.ts';
import { durableChanges } from '../../lib/store/write_scope.ts';
import { notify } from '../adapters/notifications.ts';
import type { Account } from '../domain/account.ts';
import { acrFor, withMfa } from '../domain/assurance.ts';
import type { ErrorCode } from '../errors/catalogue.ts';
import { EsiaError } from '../errors/esia_error.ts';
import { formFailure } from '../errors/boundary.ts';
import { type Run, runCookie } from '../runs.ts';
import type { Services } from '../services.ts';
import type { Failure } from '../views/failure.ts';
import { isFirstParty } from '../provider/clients.ts';
import type { Journey } from './journeys.ts';

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
  /** What the prompt asks for (consent: missingOIDCScope, missingOIDCClaims). */
  promptDetails: Record<string, unknown>;
  /** The grant the authorization request already has, if any (consent adds to it). */
  grantId?: string;
  /** Whether the client is one of the operator's own systems (no consent screen). */
  firstParty: boolean;
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
    throw new EsiaError('interaction.expired', {
      reason: 'no interaction for this browser (cookie missing or expired)',
    });
  }
  if (details.uid !== ctx.params.uid) {
    throw new EsiaError('interaction.expired', { reason: 'interaction in the URL differs from the browser cookie' });
  }
  const clientId = String(details.params.client_id ?? '');
  const client = await s.provider.Client.find(clientId);
  const journey = await s.journeys.get(
    details.uid,
    clientId,
    s.runs.get(ctx.cookies.get(runCookie, { signed: false })) ?? s.runs.main,
  );
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
    promptDetails: details.prompt.details,
    grantId: details.grantId,
    firstParty: isFirstParty(client),
    params: details.params,
    sessionAccountId: details.session?.accountId,
  };
}

export { field } from '../forms.ts';

/** Records a failure shown inside the current form and returns it for the view. */
export function inlineFailure(step: Step, error: EsiaError | ErrorCode, lines?: string[]): Failure {
  return formFailure(step.ctx, typeof error === 'string' ? new EsiaError(error) : error, lines);
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

export function redirectToStage(step: Step): void {
  step.ctx.status = 303;
  step.ctx.redirect(`/interaction/${step.uid}`);
}

export async function finishLogin(step: Step, account: Account, factors: string[]): Promise<void> {
  const { s, ctx, run } = step;
  const amr = withMfa(factors);
  await s.transact(run, () => {
    account.lastSignInAt = new Date(run.clock.now()).toISOString();
    run.accounts.changed();
    notify(run.outbox, account, 'security.sign_in', { at: account.lastSignInAt, system: step.clientName, amr });
  });
  await s.journeys.end(step.uid);
  Object.assign(ctx.state.audit, { account: account.oid, details: { amr } });
  // interactionFinished answers by itself, so the request frame's wait would come too late.
  await durableChanges();
  await s.provider.interactionFinished(
    ctx.req,
    ctx.res,
    // The login time is the run's, so max_age (configuration.ts) and auth_time follow the run's clock.
    {
      login: {
        accountId: account.oid,
        remember: step.journey.remember,
        amr,
        acr: acrFor(amr),
        ts: Math.floor(run.clock.now() / 1000),
      },
    },
    { mergeWithLastSubmission: false },
  );
  ctx.respond = false;
}
