/*
 * B1, B2: an account whose phone or e-mail is not confirmed is refused after the right password, and
 * the refusal offers to confirm it right there. A code goes to that phone (SMS) or address (e-mail)
 * under the rules of every one-time code (idp/domain/otp.ts: lifetime, attempts, cooldown, cap, the
 * run's clock); the right code marks the contact confirmed (the request's audit record says which)
 * and the sign-in goes on to its second factor.
 */
import { assertMaySignIn, maskEmail, maskPhone, type Account } from '../domain/account.ts';
import { assertTemporaryPasswordValid } from '../domain/account_admin.ts';
import { issueCode } from '../domain/otp.ts';
import type { ErrorCode } from '../errors/catalogue.ts';
import { EsiaError } from '../errors/esia_error.ts';
import type { ContactChannel } from '../views/confirm_contact.ts';
import { refusalOf } from './confirm_contact_screen.ts';
import type { ContactConfirmation } from './journeys.ts';
import { checkEnteredCode, drawCode, sendRefusal } from './otp.ts';
import { startSecondFactor } from './second_factor.ts';
import { advance, renderStage } from './stages.ts';
import { inlineFailure, journeyAccount, redirectToStage, type Step } from './step.ts';

type Next = ContactConfirmation['next'];

const channelOf: Partial<Record<ErrorCode, ContactChannel>> = {
  'account.phone_unconfirmed': 'sms',
  'account.email_unconfirmed': 'email',
};

/**
 * After the password (or recovery): the account's refusals (inactive, restricted), the confirmation
 * of an unconfirmed phone or e-mail, an expired temporary password, then `next`.
 */
export async function continueWhenConfirmed(step: Step, account: Account, next: Next): Promise<void> {
  const { journey } = step;
  let channel: ContactChannel | undefined;
  try {
    assertMaySignIn(account);
  } catch (error) {
    channel = error instanceof EsiaError ? channelOf[error.code] : undefined;
    if (!channel) throw error;
  }
  assertTemporaryPasswordValid(account, step.run.clock.now());
  journey.oid = account.oid;
  if (!channel) return next === 'advance' ? advance(step, account) : startSecondFactor(step, account, next.factor);
  journey.stage = 'confirm_contact';
  journey.confirm = { channel, otp: null, next };
  return renderStage(
    step,
    inlineFailure(
      step,
      new EsiaError(refusalOf[channel], {
        actual: `${describe(account, channel)} unconfirmed`,
        offered: 'confirmation',
      }),
    ),
  );
}

function describe(account: Account, channel: ContactChannel): string {
  return channel === 'sms' ? `phone ${maskPhone(account.phone)}` : `e-mail ${maskEmail(account.email)}`;
}

function confirmationOf(step: Step): ContactConfirmation | undefined {
  return step.journey.stage === 'confirm_contact' ? step.journey.confirm : undefined;
}

/** POST /confirm: the first code, or a new one (the previous stops working). */
export async function confirmSendStep(step: Step): Promise<void> {
  const { ctx, run, s } = step;
  ctx.state.audit.action = 'contact.confirm_send';
  const c = confirmationOf(step);
  if (!c) return redirectToStage(step);
  const account = journeyAccount(step);
  Object.assign(ctx.state.audit, { account: account.oid, details: { channel: c.channel } });
  const resend = c.otp !== null;
  try {
    const next = issueCode(c.otp, run.clock.now(), s.config.otp, () => drawCode(s.config.otp.length));
    const text = `Код для подтверждения ${c.channel === 'sms' ? 'номера телефона' : 'электронной почты'}: ${next.code}. Никому его не сообщайте. ТЕСТОВЫЙ СТЕНД ЕСИА`;
    if (c.channel === 'sms') run.outbox.send('sms', account.phone, text, next.code, { kind: 'contact.confirm' });
    else
      run.outbox.send(
        'email',
        account.email,
        `${text}\n\nЕсли вы не входили на Госуслуги, ничего не делайте.`,
        next.code,
        { subject: 'Подтверждение электронной почты', kind: 'contact.confirm' },
      );
    c.otp = next;
  } catch (error) {
    return renderStage(step, sendRefusal(step, error));
  }
  c.notice = resend ? 'Новый код отправлен. Предыдущий больше не действует.' : undefined;
  return redirectToStage(step);
}

/** POST /confirm/code: the right code confirms the contact, and the sign-in goes on. */
export async function confirmCodeStep(step: Step): Promise<void> {
  const { ctx, run, journey } = step;
  ctx.state.audit.action = 'contact.confirm';
  const c = confirmationOf(step);
  if (!c?.otp) return redirectToStage(step);
  const account = journeyAccount(step);
  Object.assign(ctx.state.audit, { account: account.oid, details: { channel: c.channel } });
  const refused = checkEnteredCode(step, c.otp);
  if (refused) {
    // The journal says how the code went, so the support console explains it in the same words.
    ctx.state.audit.details = { ...ctx.state.audit.details, channel: c.channel };
    return renderStage(step, refused);
  }
  c.otp = null; // single use
  if (c.channel === 'sms') account.phoneConfirmed = true;
  else account.emailConfirmed = true;
  run.accounts.changed();
  ctx.state.audit.details = { channel: c.channel, confirmed: c.channel === 'sms' ? 'phone' : 'email' };
  await continueWhenConfirmed(step, account, c.next);
  if (journey.stage === 'otp' && !journey.notice)
    journey.notice =
      c.channel === 'sms'
        ? 'Номер подтверждён. Теперь введите код для входа.'
        : 'Почта подтверждена. Теперь введите код для входа.';
}
