/*
 * Sign-in with an electronic signature (A4, A5), step-up (A8) and sign-in policies (A9).
 *
 * - «Электронная подпись» on the login page moves the sign-in to the certificate screen, which
 *   carries a fresh challenge bound to this interaction. The page's plugin stand-in (/plugin) signs
 *   it; the form posts {challenge, certificate, signature} here, or what the plugin refused with.
 * - A relying party that asks for acr_values=urn:esia:acr:signature (step-up), or a client whose
 *   policy excludes the password, gets the certificate screen only; in a step-up inside a live
 *   session the signer must be the session's account.
 * - Mutual TLS: /interaction/:uid/certificate/tls on the HTTPS listener reads the client
 *   certificate of the TLS connection (requested, not required, so the failure is named here).
 * amr: `sc` + `pin` (plugin: the token checked the PIN) or `sc` (TLS); acr urn:esia:acr:signature.
 */
import type { TLSSocket } from 'node:tls';
import { assertMaySignIn, type Account } from '../domain/account.ts';
import { asksForSignature } from '../domain/assurance.ts';
import { assertClientAllows, assertOrganisationAllows, clientForbidsPassword } from '../domain/policy.ts';
import { EsiaError } from '../errors/esia_error.ts';
import { accountOfCertificate, verifySignedChallenge } from '../esign/verify.ts';
import { renderStage } from './stages.ts';
import { field, finishLogin, inlineFailure, redirectToStage, type Step } from './step.ts';

/** Codes the plugin stand-in reports through the page; anything else posted as plugin_error is refused. */
const pluginErrors = ['esign.pin_invalid', 'esign.token_blocked'] as const;

/**
 * On a fresh sign-in: a step-up (acr_values) or a client rule without the password sends it
 * straight to the certificate screen.
 */
export function requireSignatureWhereDue(step: Step): void {
  const { journey, s, run } = step;
  if (journey.required || journey.stage !== 'password' || journey.oid) return;
  const stepUp = asksForSignature(step.params.acr_values);
  if (stepUp || clientForbidsPassword(s.esign.clientMethods(run, journey.clientId))) {
    journey.required = 'signature';
    journey.stage = 'certificate';
    if (stepUp && step.sessionAccountId) journey.sessionAccountId = step.sessionAccountId;
  }
}

export function startStep(step: Step): void {
  step.ctx.state.audit.action = 'esign.start';
  if (step.journey.stage === 'password') step.journey.stage = 'certificate';
  redirectToStage(step);
}

export function backStep(step: Step): void {
  step.ctx.state.audit.action = 'esign.back';
  if (step.journey.stage === 'certificate' && step.journey.required !== 'signature') step.journey.stage = 'password';
  redirectToStage(step);
}

/** After a certificate proved the account: policies, account state, the first-login agreement, done. */
async function signedIn(step: Step, account: Account, amr: string[]): Promise<void> {
  const { s, run, journey } = step;
  assertClientAllows('esign', {
    clientMethods: s.esign.clientMethods(run, journey.clientId),
    clientName: step.clientName,
  });
  assertOrganisationAllows('esign', s.esign.organisationOf(account));
  assertMaySignIn(account);
  step.ctx.state.audit.account = account.oid;
  journey.oid = account.oid;
  journey.amr = amr;
  if (!account.agreementAcceptedAt) {
    journey.stage = 'agreement';
    return redirectToStage(step);
  }
  return finishLogin(step, account, amr);
}

export async function certificateStep(step: Step): Promise<void> {
  const { ctx, journey, run, s } = step;
  ctx.state.audit.action = 'esign.verify';
  if (journey.stage !== 'certificate') return redirectToStage(step);
  const pluginError = field(ctx, 'plugin_error');
  if (pluginError) {
    const code = pluginErrors.find((c) => c === pluginError);
    if (!code)
      throw new EsiaError('oauth.invalid_request', {
        field: 'plugin_error',
        expected: pluginErrors.join(' or '),
        actual: pluginError.slice(0, 60),
      });
    // The page reports what the stand-in said; the screen shows the token's own counter, not the page's claim.
    const token = s.esign.browserToken(run, ctx.cookies);
    const lines =
      code === 'esign.pin_invalid'
        ? [`Осталось попыток: ${token.attemptsLeft}`]
        : [`PIN-код введён неверно ${token.maxAttempts} раз подряд`];
    return renderStage(step, inlineFailure(step, new EsiaError(code, { attemptsLeft: token.attemptsLeft }), lines));
  }
  let account: Account;
  try {
    account = await verifySignedChallenge(
      s.pki,
      (challenge) => s.esign.spendChallenge(challenge),
      run,
      step.uid,
      {
        challenge: field(ctx, 'challenge'),
        certificatePem: field(ctx, 'certificate'),
        signature: field(ctx, 'signature'),
      },
      journey.sessionAccountId,
    );
    return await signedIn(step, account, ['sc', 'pin']);
  } catch (error) {
    if (error instanceof EsiaError && error.code !== 'oauth.invalid_request' && !error.code.startsWith('account.'))
      return renderStage(step, inlineFailure(step, error));
    throw error;
  }
}

/** Mutual TLS: the client certificate of this HTTPS connection, checked as a signed challenge's would be. */
export async function tlsStep(step: Step): Promise<void> {
  const { ctx, journey, run, s } = step;
  ctx.state.audit.action = 'esign.tls';
  if (journey.stage === 'password' && !journey.oid) journey.stage = 'certificate';
  if (journey.stage !== 'certificate') return redirectToStage(step);
  const socket = ctx.req.socket as Partial<TLSSocket>;
  try {
    if (typeof socket.getPeerCertificate !== 'function') {
      throw new EsiaError('esign.tls_no_certificate', {
        reason: 'this request did not come over the HTTPS listener',
        expected: `${s.esign.tlsOrigin ?? 'the HTTPS listener'}${ctx.path}`,
      });
    }
    const peer = socket.getPeerCertificate(false);
    if (!peer || !peer.raw)
      throw new EsiaError('esign.tls_no_certificate', { reason: 'the TLS client sent no certificate' });
    const pem = `-----BEGIN CERTIFICATE-----\n${peer.raw.toString('base64').replace(/.{64}/g, '$&\n')}\n-----END CERTIFICATE-----\n`;
    const account = accountOfCertificate(s.pki, run, pem, journey.sessionAccountId);
    return await signedIn(step, account, ['sc']);
  } catch (error) {
    if (error instanceof EsiaError && !error.code.startsWith('account.') && error.code !== 'oauth.invalid_request')
      return renderStage(step, inlineFailure(step, error));
    throw error;
  }
}
