/* Step 2 (A1, C7): the one-time code from the SMS, resend with a cooldown, and «нет доступа к телефону» (B5). */
import { html, type Html } from '../../lib/html.ts';
import { countdownScriptPath } from './page_scripts.ts';
import { type Failure, failureAlert, failureReference } from './failure.ts';
import { layout } from './layout.ts';

/**
 * The code field and «Получить новый код» with its countdown, posting to `to.check` and `to.resend`:
 * the sign-in code screen and the recovery code screen (D1) share them. `inResend` goes inside the
 * resend form, after the button.
 */
export function codeForms(
  to: { check: string; resend: string },
  view: { codeLength: number; resendIn: number; sendsLeft: number },
  inResend?: Html,
): Html {
  return html`<form method="post" action="${to.check}" autocomplete="off" novalidate>
<label for="code">Код подтверждения</label>
<input type="text" id="code" name="code" class="code-input" inputmode="numeric" maxlength="${view.codeLength + 4}" data-testid="otp-code" autofocus>
<div class="actions"><button class="btn primary" type="submit" data-testid="submit">Продолжить</button></div>
</form>
<form method="post" action="${to.resend}" class="actions">
<button class="btn secondary" type="submit" data-testid="resend" data-resend-in="${view.resendIn}" data-sends-left="${view.sendsLeft}">${
    view.resendIn > 0 ? `Получить новый код через ${view.resendIn} с` : 'Получить новый код'
  }</button>
<script src="${countdownScriptPath}"></script>${inResend ?? ''}
</form>`;
}

/** What every code screen shows around codeForms: the sign-in, recovery and contact confirmation screens. */
export interface CodeScreenView {
  uid: string;
  codeLength: number;
  /** Seconds until a new code may be requested; 0 = now. */
  resendIn: number;
  sendsLeft: number;
  notice?: string;
  failure?: Failure;
}

export interface OtpView extends CodeScreenView {
  maskedPhone: string;
  /** Whether a code went out to that number; false when the SMS gateway refused (otp.delivery_failed). */
  codeSent: boolean;
  /** feature «webauthn»: «Другой способ» (app code, security key). */
  after?: Html;
}

export function otpPage(view: OtpView): Html {
  return layout(
    { title: 'Код из СМС', screen: 'otp', errorCode: view.failure?.code },
    html`<h1>Введите код из СМС</h1>
<p data-testid="code-destination">${view.codeSent ? 'Код отправлен на номер' : 'Код ещё не отправлен на номер'} <b data-testid="masked-phone">${view.maskedPhone}</b></p>
${view.notice ? html`<div class="alert info" data-testid="notice">${view.notice}</div>` : ''}
${failureAlert(view.failure)}
${codeForms(
  { check: `/interaction/${view.uid}/otp`, resend: `/interaction/${view.uid}/otp/resend` },
  view,
  html`
<a class="btn link" href="/interaction/${view.uid}/no-phone" data-testid="no-phone">Нет доступа к телефону</a>`,
)}
${view.after ?? ''}
${failureReference(view.failure)}`,
  );
}
