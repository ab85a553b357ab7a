/*
 * oidc-provider's consent prompt. A third-party client (no "first_party": true) is shown the consent
 * screen for the scopes the user has not granted it yet; «Разрешить» adds them to the grant,
 * «Отказать» returns access_denied. A first-party system asking prompt=consent is answered at once:
 * the operator's own systems need no screen, and offline_access still needs prompt=consent.
 */
import { EsiaError } from '../errors/esia_error.ts';
import { consentPage, scopeDescriptions } from '../views/consent.ts';
import { field, render, type Step } from './step.ts';

/** The OIDC scopes the request asks for and the grant lacks (all of them for an explicit prompt=consent). */
function askedScopes(step: Step): string[] {
  const missing = step.promptDetails.missingOIDCScope;
  if (Array.isArray(missing) && missing.length) return missing.map(String);
  return String(step.params.scope ?? '')
    .split(' ')
    .filter((scope) => scope in scopeDescriptions);
}

export async function showConsent(step: Step): Promise<void> {
  if (step.firstParty) {
    step.ctx.state.audit.action = 'consent.implied';
    return grantAndFinish(step);
  }
  step.ctx.state.audit.action = 'consent.show';
  render(step, consentPage({ uid: step.uid, clientName: step.clientName, scopes: askedScopes(step) }));
}

export async function consentStep(step: Step): Promise<void> {
  const { ctx, s } = step;
  if (step.prompt !== 'consent')
    throw new EsiaError('interaction.expired', { reason: `this sign-in waits for ${step.prompt}, not consent` });
  const decision = field(ctx, 'decision');
  if (decision === 'allow') {
    ctx.state.audit.action = 'consent.granted';
    return grantAndFinish(step);
  }
  if (decision !== 'deny')
    throw new EsiaError('oauth.invalid_request', {
      field: 'decision',
      expected: 'allow or deny',
      actual: decision || 'empty',
    });
  ctx.state.audit.action = 'consent.refused';
  await s.journeys.end(step.uid);
  const error_description = `the user refused to grant ${askedScopes(step).join(' ')} to ${step.journey.clientId}`;
  await s.provider.interactionFinished(
    ctx.req,
    ctx.res,
    { error: 'access_denied', error_description },
    { mergeWithLastSubmission: false },
  );
  ctx.respond = false;
}

/** Adds what the request asks for to the client's grant for this account and resumes the authorization. */
async function grantAndFinish(step: Step): Promise<void> {
  const { ctx, s } = step;
  const accountId = step.sessionAccountId;
  if (!accountId) throw new EsiaError('interaction.expired', { reason: 'consent without a signed-in account' });
  const { Grant } = s.provider;
  const grant =
    (step.grantId ? await Grant.find(step.grantId) : undefined) ??
    new Grant({ accountId, clientId: step.journey.clientId });
  grant.addOIDCScope(askedScopes(step).join(' '));
  const claims = step.promptDetails.missingOIDCClaims;
  if (Array.isArray(claims)) grant.addOIDCClaims(claims.map(String));
  const grantId = await grant.save();
  Object.assign(ctx.state.audit, { account: accountId, details: { scopes: askedScopes(step) } });
  await s.journeys.end(step.uid);
  await s.provider.interactionFinished(ctx.req, ctx.res, { consent: { grantId } }, { mergeWithLastSubmission: true });
  ctx.respond = false;
}
