/*
 * The only route table of the sign-in screens. All routes live under /interaction/<uid>, because
 * oidc-provider scopes its interaction cookie to that path.
 */
import Router from '@koa/router';
import type { Context } from 'koa';
import { hashPassword } from '../adapters/password_hash.ts';
import { formOnly } from '../forms.ts';
import { isStoreUnavailable } from '../../lib/store/redis.ts';
import type { Services } from '../services.ts';
import { abortStep } from './abort.ts';
import { consentStep, showConsent } from './consent.ts';
import { backStep, certificateStep, requireSignatureWhereDue, startStep, tlsStep } from './certificate.ts';
import { biometricCancelStep, biometricFinishStep, biometricStartStep } from './biometric.ts';
import { factorSetupStep } from './factor_setup.ts';
import { keyStep, switchFactorStep, totpStep } from './second_factor.ts';
import { agreementStep } from './agreement.ts';
import { confirmCodeStep, confirmSendStep } from './confirm_contact.ts';
import { noPhoneStep, otpStep, resendStep } from './otp.ts';
import { passwordStep } from './password.ts';
import { passwordChangeStep } from './password_change.ts';
import { refuseDuringOutage } from './outage.ts';
import {
  recoveryCode,
  recoveryNoAccess,
  recoveryPassword,
  recoveryResend,
  recoveryShow,
  recoveryStart,
} from './recovery.ts';
import { renderStage } from './stages.ts';
import { finishLogin, loadStep, type Step } from './step.ts';

/** Opens the current screen; answers a pending shortcut (control API) without showing any. */
async function show(step: Step): Promise<void> {
  const { journey, ctx, run } = step;
  ctx.state.audit.action = 'login.show';
  if (step.prompt === 'consent') return showConsent(step);
  if (step.prompt === 'login' && journey.stage === 'password') {
    const persona = run.shortcuts.get(journey.clientId)?.shift();
    const account = persona ? run.accounts.byPersona(persona) : undefined;
    if (account) {
      ctx.state.audit.action = 'login.shortcut';
      step.journey.remember = false;
      return finishLogin(step, account, ['pwd', 'sms']);
    }
  }
  renderStage(step);
}

export async function interactionRoutes(s: Services): Promise<Router> {
  const dummyHash = await hashPassword('not-a-password', s.config.scryptN);
  const router = new Router({ prefix: '/interaction/:uid' });
  const form = formOnly(s, 'interaction.form_forged');
  const step = (handler: (step: Step) => Promise<void> | void, duringOutage = false) =>
    async function stepHandler(ctx: Context) {
      const st = await loadStep(ctx, s);
      if (!duringOutage) refuseDuringOutage(st);
      if (st.run.faults.take('server.error'))
        throw new Error('Armed fault server.error (POST /__control/faults): a simulated internal failure');
      if (st.prompt === 'login') requireSignatureWhereDue(st);
      // What the step changed in its journey is kept before the answer goes, whether it went well or not
      // (a wrong code counts); with the store itself down there is nothing to keep it in.
      let failure: unknown;
      try {
        await handler(st);
      } catch (error) {
        failure = error;
      }
      if (!isStoreUnavailable(failure)) await s.journeys.save(st.journey);
      if (failure) throw failure;
    };

  router.get('/', step(show));
  router.post(
    '/login',
    form,
    step((st) => passwordStep(st, dummyHash)),
  );
  router.post('/otp', form, step(otpStep));
  router.post('/otp/resend', form, step(resendStep));
  router.get('/no-phone', step(noPhoneStep));
  router.post('/password', form, step(passwordChangeStep));
  router.post('/agreement', form, step(agreementStep));
  router.post('/consent', form, step(consentStep));
  router.post('/abort', form, step(abortStep, true));
  // Recovering access (D1, D2): interactions/recovery.ts
  router.get('/recovery', step(recoveryShow));
  router.post('/recovery', form, step(recoveryStart));
  router.post('/recovery/code', form, step(recoveryCode));
  router.post('/recovery/resend', form, step(recoveryResend));
  router.post('/recovery/password', form, step(recoveryPassword));
  router.get('/recovery/no-access', step(recoveryNoAccess));
  // An unconfirmed phone or e-mail confirmed inside the sign-in (B1, B2): interactions/confirm_contact.ts
  router.post('/confirm', form, step(confirmSendStep));
  router.post('/confirm/code', form, step(confirmCodeStep));
  // Electronic signature (A4, A5, A8): the certificate screen, its form, mutual TLS on the HTTPS listener.
  router.post('/certificate/start', form, step(startStep));
  router.post('/certificate/back', form, step(backStep));
  router.post('/certificate', form, step(certificateStep));
  router.get('/certificate/tls', step(tlsStep));
  // feature «webauthn»: biometric sign-in, app code, security key, the factor switch, first-login set-up
  router.post('/biometric', form, step(biometricStartStep));
  router.post('/biometric/finish', form, step(biometricFinishStep));
  router.post('/biometric/back', form, step(biometricCancelStep));
  router.post('/totp', form, step(totpStep));
  router.post('/key', form, step(keyStep));
  router.post('/factor', form, step(switchFactorStep));
  router.post('/setup', form, step(factorSetupStep));
  return router;
}
