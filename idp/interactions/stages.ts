/*
 * The stage table: which screen each stage of a sign-in shows, and which stage follows the second
 * factor. The words of the sign-in screens:
 * - interaction: oidc-provider's pending authorization request, named by its uid in the URL;
 * - journey: our state of one interaction (journeys.ts), kept apart because oidc-provider drops
 *   custom fields and `login` must not be recorded before every factor has passed;
 * - stage: where the journey stands (password, otp, certificate…), so which screen it shows;
 * - step: one request against a journey (step.ts), handled by a file named after what it does.
 * Steps import this table; the table imports only the screens, so nothing imports a step back.
 */
import { type Account, maskPhone } from '../domain/account.ts';
import { hasTemporaryPassword } from '../domain/account_admin.ts';
import { secondsUntilResend } from '../domain/otp.ts';
import { announcementLines } from '../domain/outage.ts';
import { isPasswordExpired, passwordRules } from '../domain/password_policy.ts';
import { agreementPage } from '../views/agreement.ts';
import type { Failure } from '../views/failure.ts';
import { loginPage } from '../views/login.ts';
import { otpPage } from '../views/otp.ts';
import { passwordChangePage } from '../views/password_change.ts';
import { factorSwitch } from '../views/webauthn.ts';
import { renderCertificateStage } from './certificate_screen.ts';
import { renderConfirmStage } from './confirm_contact_screen.ts';
import { renderFactorStage } from './factor_screens.ts';
import { availableFactors } from './factors.ts';
import type { Stage } from './journeys.ts';
import { finishLogin, redirectToStage, render, type Step } from './step.ts';

/** What a screen may be told besides a failure: the identifier typed, the password rules not met. */
export interface StageExtra {
  identifier?: string;
  unmetRules?: string[];
}

type Screen = (step: Step, account: Account | undefined, failure: Failure | undefined, extra: StageExtra) => void;

function loginScreen(step: Step, _account: Account | undefined, failure: Failure | undefined, extra: StageExtra): void {
  const { journey, uid, run } = step;
  const announcement = run.outage ? announcementLines(run.outage) : undefined;
  // login_hint pre-fills the identifier until the user types one.
  const identifier =
    extra.identifier ?? (typeof step.params.login_hint === 'string' ? step.params.login_hint : undefined);
  render(
    step,
    loginPage({ uid, clientName: step.clientName, identifier, remember: journey.remember, failure, announcement }),
  );
}

function otpScreen(step: Step, account: Account, failure: Failure | undefined): void {
  const { s, journey, uid, run } = step;
  const rules = s.config.otp;
  const notice = journey.notice;
  journey.notice = undefined;
  render(
    step,
    otpPage({
      uid,
      maskedPhone: maskPhone(account.phone),
      // A failed resend leaves the earlier code valid, so «отправлен» stays true only when none went out at all.
      codeSent: Boolean(journey.otp),
      codeLength: rules.length,
      resendIn: journey.otp ? secondsUntilResend(journey.otp, run.clock.now(), rules) : 0,
      sendsLeft: rules.maxSends - (journey.otp?.sends ?? 0),
      notice,
      failure,
      after: factorSwitch(uid, 'sms', availableFactors(account)),
    }),
  );
}

function passwordChangeScreen(step: Step, account: Account, failure: Failure | undefined, extra: StageExtra): void {
  const unmet = extra.unmetRules;
  const rules = passwordRules.map((r) => ({
    id: r.id,
    text: r.text,
    ...(unmet ? { met: !unmet.includes(r.id) } : {}),
  }));
  const reason = hasTemporaryPassword(account) ? 'password.temporary_change' : 'password.expired';
  render(step, passwordChangePage({ uid: step.uid, reason, rules, failure }));
}

function agreementScreen(step: Step): void {
  render(step, agreementPage({ uid: step.uid, clientName: step.clientName }));
}

/** A screen that needs the account the sign-in has reached; without one the journey is back at the login screen. */
const withAccount =
  (screen: (step: Step, account: Account, failure: Failure | undefined, extra: StageExtra) => void): Screen =>
  (step, account, failure, extra) =>
    account ? screen(step, account, failure, extra) : loginScreen(step, account, failure, extra);

const screens: Record<Stage, Screen> = {
  password: loginScreen,
  otp: withAccount(otpScreen),
  confirm_contact: withAccount(renderConfirmStage),
  password_change: withAccount(passwordChangeScreen),
  agreement: withAccount(agreementScreen),
  totp: renderFactorStage,
  key: renderFactorStage,
  biometric: renderFactorStage,
  factor_setup: renderFactorStage,
  certificate: (step, _account, failure) => renderCertificateStage(step, failure),
};

/** Shows the screen of the journey's current stage, with an optional failure. */
export function renderStage(step: Step, failure?: Failure, extra: StageExtra = {}): void {
  const { journey, run } = step;
  const account = journey.oid ? run.accounts.byOid(journey.oid) : undefined;
  screens[journey.stage](step, account, failure, extra);
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
