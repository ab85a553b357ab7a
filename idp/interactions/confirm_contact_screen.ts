/* The screen of the confirm_contact stage (B1, B2): the refusal with its offer to confirm, then the code screen. */
import { type Account, maskEmail, maskPhone } from '../domain/account.ts';
import { secondsUntilResend } from '../domain/otp.ts';
import type { ErrorCode } from '../errors/catalogue.ts';
import { EsiaError } from '../errors/esia_error.ts';
import { confirmContactPage, confirmOffer, type ContactChannel } from '../views/confirm_contact.ts';
import { errorPage } from '../views/error.ts';
import type { Failure } from '../views/failure.ts';
import { inlineFailure, render, type Step } from './step.ts';

export const refusalOf: Record<ContactChannel, ErrorCode> = {
  sms: 'account.phone_unconfirmed',
  email: 'account.email_unconfirmed',
};

/** The refusal with its offer while no code was sent, then the code screen. */
export function renderConfirmStage(step: Step, account: Account, failure?: Failure): void {
  const { s, run, uid } = step;
  const c = step.journey.confirm;
  if (!c) throw new EsiaError('interaction.expired', { reason: 'confirmation stage without a confirmation under way' });
  if (!c.otp) {
    // The refusal with its offer; a send that did not go out (SMS gateway down) is named under it.
    const refusal = refusalOf[c.channel];
    const sendFailure = failure?.code === refusal ? undefined : failure;
    const ref = failure?.ref ?? inlineFailure(step, refusal).ref;
    return render(step, errorPage({ code: refusal, ref, uid, action: confirmOffer(uid, c.channel, sendFailure) }));
  }
  const notice = c.notice;
  c.notice = undefined;
  render(
    step,
    confirmContactPage({
      uid,
      channel: c.channel,
      sentTo: c.channel === 'sms' ? maskPhone(account.phone) : maskEmail(account.email),
      codeLength: s.config.otp.length,
      resendIn: secondsUntilResend(c.otp, run.clock.now(), s.config.otp),
      sendsLeft: s.config.otp.maxSends - c.otp.sends,
      notice,
      failure: failure && { ...failure, byEmail: c.channel === 'email' },
    }),
  );
}
