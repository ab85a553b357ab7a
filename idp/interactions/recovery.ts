/*
 * Recovering access (D1, D2) inside the sign-in, so the user ends signed in to the system they came
 * from: identifier → code → new password → signed in.
 *
 * - Never reveals whether an account exists: the same redirect and the same code screen, the same
 *   work (a code is drawn, the send cooldown and cap apply, an armed SMS fault fires) whether or not
 *   a message is really sent; a code for nobody never matches, so guesses cost attempts alike.
 * - Channel: an e-mail identifier gets the code by e-mail, a phone or СНИЛС (or ИНН) by SMS to the
 *   account's phone. Only a confirmed contact receives anything.
 * - Codes follow idp/domain/otp.ts (lifetime, attempts, single use, cooldown, cap on sends per
 *   sign-in, also across «указать другой телефон»).
 * - After the code: a locked account stays locked until support unlocks it (recovery.account_locked,
 *   D2 texts); a restricted one is refused (account.restricted) with its password unchanged; an
 *   inactive one gets its new password, then is refused as at sign-in (account.inactive).
 * - Success: amr ['pwd', 'sms'] (code by SMS) or ['pwd', 'otp'] (code by e-mail), plus 'mfa' — unless
 *   the client or the account's organisation does not accept a password (A9): the new password is
 *   kept and the login page names the rule, as at the password step.
 */
import { notify } from '../adapters/notifications.ts';
import { maskEmail, maskPhone, type Account } from '../domain/account.ts';
import { parseIdentifier, type Identifier } from '../domain/identifiers.ts';
import { isLocked, registerSuccess } from '../domain/lockout.ts';
import { issueCode, secondsUntilResend, type OtpState } from '../domain/otp.ts';
import { passwordRules } from '../domain/password_policy.ts';
import { EsiaError } from '../errors/esia_error.ts';
import { recoveryCodePage, recoveryPasswordPage, recoveryStartPage } from '../views/recovery.ts';
import type { Failure } from '../views/failure.ts';
import { continueWhenConfirmed } from './confirm_contact.ts';
import { checkEnteredCode, drawCode, sendRefusal } from './otp.ts';
import { refuseNewPassword, saveNewPassword } from './password_change.ts';
import type { Recovery } from './journeys.ts';
import { organisationRefusal, passwordRefusal } from './refusals.ts';
import { renderStage } from './stages.ts';
import { field, inlineFailure, redirectToStage, render, type Step } from './step.ts';

/** A code that no entry can match: entries lose their spaces before the comparison. */
const unmatchable = ' ';

function recoveryUrl(step: Step): string {
  return `/interaction/${step.uid}/recovery`;
}

function toRecovery(step: Step): void {
  step.ctx.status = 303;
  step.ctx.redirect(recoveryUrl(step));
}

/** Recovery is offered while the sign-in has not passed the password. */
function open(step: Step): boolean {
  return step.journey.stage === 'password' && !step.journey.oid;
}

function accountOf(step: Step): Account | undefined {
  const oid = step.journey.recovery?.oid;
  return oid ? step.run.accounts.byOid(oid) : undefined;
}

function showStart(step: Step, failure?: Failure, identifier?: string): void {
  render(step, recoveryStartPage({ uid: step.uid, identifier, failure }));
}

function showCurrent(step: Step, failure?: Failure): void {
  const { journey, run, s } = step;
  const r = journey.recovery;
  if (!r) return showStart(step, failure);
  if (r.stage === 'password') {
    return render(
      step,
      recoveryPasswordPage({ uid: step.uid, rules: passwordRules.map((x) => ({ id: x.id, text: x.text })), failure }),
    );
  }
  const notice = r.notice;
  r.notice = undefined;
  const last = r.lastOtp;
  render(
    step,
    recoveryCodePage({
      uid: step.uid,
      sentTo: r.sentTo,
      codeLength: s.config.otp.length,
      resendIn: last ? secondsUntilResend(last, run.clock.now(), s.config.otp) : 0,
      sendsLeft: s.config.otp.maxSends - (last?.sends ?? 0),
      notice,
      failure,
    }),
  );
}

/** Where the code goes, said from the input only (never from the account, which would reveal it). */
function describeTarget(reading: Identifier): string {
  if (reading.kind === 'email') return `на почту ${maskEmail(reading.value)}`;
  if (reading.kind === 'phone') return `в СМС на номер ${maskPhone(reading.value)}`;
  return 'в СМС на подтверждённый телефон учётной записи';
}

/**
 * Draws a code under the cooldown and cap, and sends it when there is someone to send it to.
 * Throws EsiaError (otp.resend_cooldown, otp.resend_limit, otp.delivery_failed) the same way in both cases.
 */
function sendRecoveryCode(step: Step, r: Pick<Recovery, 'oid' | 'channel' | 'lastOtp'>): OtpState {
  const { s, run } = step;
  const now = run.clock.now();
  const code = drawCode(s.config.otp.length);
  const next = issueCode(r.lastOtp, now, s.config.otp, () => code);
  const account = r.oid ? run.accounts.byOid(r.oid) : undefined;
  if (!account) {
    // Nobody to send to: an armed SMS fault still fires, as a real send would meet it.
    if (r.channel === 'sms') {
      const fault = run.faults.take('sms.fail', 'sms.delay');
      if (fault?.kind === 'sms.fail') throw new EsiaError('otp.delivery_failed', { fault: 'sms.fail' });
    }
    return { ...next, code: unmatchable };
  }
  const text = `Код для восстановления доступа: ${code}. Никому его не сообщайте. ТЕСТОВЫЙ СТЕНД ЕСИА`;
  if (r.channel === 'email') {
    run.outbox.send(
      'email',
      account.email,
      `${text}\n\nЕсли вы не запрашивали восстановление, ничего не делайте и смените пароль.`,
      code,
      {
        subject: 'Код для восстановления доступа',
        kind: 'recovery.code',
      },
    );
  } else {
    run.outbox.send('sms', account.phone, text, code, { kind: 'recovery.code' });
    notify(run.outbox, account, 'security.code_requested', {
      at: new Date(now).toISOString(),
      channel: `СМС на ${maskPhone(account.phone)}`,
    });
  }
  return next;
}

/** GET /recovery: the current screen; ?again=1 starts over with another identifier. */
export function recoveryShow(step: Step): void {
  step.ctx.state.audit.action = 'recovery.show';
  if (!open(step)) return redirectToStage(step);
  const r = step.journey.recovery;
  if (step.ctx.query.again === '1' && r) {
    step.journey.recovery = { ...r, stage: 'code', otp: null, oid: undefined };
    return showStart(step);
  }
  if (r && !r.otp && r.stage === 'code') return showStart(step);
  showCurrent(step);
}

/** POST /recovery: the identifier. */
export async function recoveryStart(step: Step): Promise<void> {
  const { ctx, journey, run } = step;
  ctx.state.audit.action = 'recovery.start';
  if (!open(step)) return redirectToStage(step);
  const identifier = field(ctx, 'identifier');
  if (!identifier.trim()) return showStart(step, inlineFailure(step, 'recovery.identifier_missing'));
  let readings: Identifier[];
  try {
    readings = parseIdentifier(identifier);
  } catch (error) {
    if (error instanceof EsiaError) return showStart(step, inlineFailure(step, error), identifier);
    throw error;
  }
  let account: Account | undefined;
  let matched = readings[0]!;
  for (const reading of readings) {
    account = run.accounts.find([reading]);
    if (account) {
      matched = reading;
      break;
    }
  }
  const channel = matched.kind === 'email' ? 'email' : 'sms';
  const reachable =
    account && (channel === 'email' ? account.emailConfirmed : account.phoneConfirmed) ? account : undefined;
  ctx.state.audit.details = {
    identifierKind: readings.map((x) => x.kind).join('|'),
    channel,
    delivered: reachable !== undefined,
  };
  if (account) ctx.state.audit.account = account.oid;
  const previous = journey.recovery?.lastOtp ?? null;
  const pending = { oid: reachable?.oid, channel, lastOtp: previous } as const;
  let otp: OtpState;
  try {
    otp = sendRecoveryCode(step, pending);
  } catch (error) {
    return showStart(step, sendRefusal(step, error), identifier);
  }
  journey.recovery = { stage: 'code', ...pending, sentTo: describeTarget(readings[0]!), otp, lastOtp: otp };
  toRecovery(step);
}

/** POST /recovery/resend */
export async function recoveryResend(step: Step): Promise<void> {
  step.ctx.state.audit.action = 'recovery.resend';
  const r = step.journey.recovery;
  if (!open(step) || !r || r.stage !== 'code') return toRecovery(step);
  if (r.oid) step.ctx.state.audit.account = r.oid;
  try {
    const otp = sendRecoveryCode(step, r);
    r.otp = otp;
    r.lastOtp = otp;
  } catch (error) {
    return showCurrent(step, sendRefusal(step, error));
  }
  r.notice = 'Новый код отправлен. Предыдущий больше не действует.';
  toRecovery(step);
}

/** POST /recovery/code */
export async function recoveryCode(step: Step): Promise<void> {
  const { ctx } = step;
  ctx.state.audit.action = 'recovery.code';
  const r = step.journey.recovery;
  if (!open(step)) return redirectToStage(step);
  if (!r || r.stage !== 'code' || !r.otp) return showStart(step, inlineFailure(step, 'recovery.not_started'));
  if (r.oid) ctx.state.audit.account = r.oid;
  const refused = checkEnteredCode(step, r.otp);
  if (refused) {
    // The journal says how the code went, so the support console explains it in the same words.
    ctx.state.audit.details = { ...ctx.state.audit.details, channel: r.channel };
    return showCurrent(step, { ...refused, byEmail: r.channel === 'email' });
  }
  r.otp = null; // single use
  const account = accountOf(step);
  if (!account)
    throw new EsiaError('recovery.not_started', { reason: 'the account was reset or deleted during recovery' });
  if (isLocked(account)) throw new EsiaError('recovery.account_locked', { lockedAt: account.lockedAt });
  if (account.status === 'restricted')
    throw new EsiaError('account.restricted', { actual: 'status=restricted', during: 'recovery' });
  r.stage = 'password';
  toRecovery(step);
}

/** POST /recovery/password: the rules of B7, the history of C3, then the sign-in continues. */
export async function recoveryPassword(step: Step): Promise<void> {
  const { ctx, journey } = step;
  ctx.state.audit.action = 'recovery.password';
  const r = journey.recovery;
  if (!open(step)) return redirectToStage(step);
  if (!r || r.stage !== 'password') return showStart(step, inlineFailure(step, 'recovery.not_started'));
  const account = accountOf(step);
  if (!account)
    throw new EsiaError('recovery.not_started', { reason: 'the account was reset or deleted during recovery' });
  ctx.state.audit.account = account.oid;
  const refused = await refuseNewPassword(step, account);
  if (refused?.unmet) {
    const unmet = refused.unmet;
    return render(
      step,
      recoveryPasswordPage({
        uid: step.uid,
        rules: passwordRules.map((x) => ({ id: x.id, text: x.text, met: !unmet.includes(x.id) })),
        failure: refused.failure,
      }),
    );
  }
  if (refused) return showCurrent(step, refused.failure);
  // Locked meanwhile (wrong passwords in another tab): still support's to unlock.
  if (isLocked(account)) throw new EsiaError('recovery.account_locked', { lockedAt: account.lockedAt });
  registerSuccess(account);
  await saveNewPassword(step, account, 'восстановление доступа');
  journey.recovery = undefined;
  // The new password is kept; signing in with it follows the same rules as at the password step (A8, A9).
  const policy = passwordRefusal(step) ?? organisationRefusal(step, account);
  if (policy) return renderStage(step, inlineFailure(step, policy));
  journey.amr = ['pwd', r.channel === 'sms' ? 'sms' : 'otp'];
  // An unconfirmed phone or e-mail is confirmed here too (B1, B2), then the sign-in goes on.
  return continueWhenConfirmed(step, account, 'advance');
}

/** GET /recovery/no-access: self-service is impossible; what to bring to support (D2). */
export function recoveryNoAccess(step: Step): never {
  step.ctx.state.audit.action = 'recovery.no_access';
  // For support's lookup by reference code (journal only; the screen says nothing about the account).
  const oid = step.journey.recovery?.oid;
  if (oid) step.ctx.state.audit.account = oid;
  throw new EsiaError('recovery.self_service_impossible');
}
