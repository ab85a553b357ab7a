/* Step 2 (A1, C7): the one-time code from the SMS, resend with a cooldown, and «нет доступа к телефону» (B5). */
import { html, raw, type Html } from '../../lib/html.ts';

/** Counts the resend wait down on screen; the server still decides (a click too early is refused by name). */
const countdown = `(() => {
  const b = document.querySelector('[data-testid=resend]');
  let left = Number(b.dataset.resendIn);
  if (!(left > 0)) return;
  const t = setInterval(() => {
    left -= 1;
    b.textContent = left > 0 ? 'Получить новый код через ' + left + ' с' : 'Получить новый код';
    if (left <= 0) clearInterval(t);
  }, 1000);
})();`;
import { type Failure, failureAlert, failureReference } from './failure.ts';
import { layout } from './layout.ts';

export interface OtpView {
  uid: string;
  maskedPhone: string;
  codeLength: number;
  /** Seconds until a new code may be requested; 0 = now. */
  resendIn: number;
  sendsLeft: number;
  notice?: string;
  failure?: Failure;
  /** feature «webauthn»: «Другой способ» (app code, security key). */
  after?: Html;
}

export function otpPage(view: OtpView): Html {
  return layout(
    { title: 'Код из СМС', screen: 'otp', errorCode: view.failure?.code },
    html`<h1>Введите код из СМС</h1>
<p>Код отправлен на номер <b data-testid="masked-phone">${view.maskedPhone}</b></p>
${view.notice ? html`<div class="alert info" data-testid="notice">${view.notice}</div>` : ''}
${failureAlert(view.failure)}
<form method="post" action="/interaction/${view.uid}/otp" autocomplete="off" novalidate>
<label for="code">Код подтверждения</label>
<input type="text" id="code" name="code" class="code-input" inputmode="numeric" maxlength="${view.codeLength + 4}" data-testid="otp-code" autofocus>
<div class="actions"><button class="btn primary" type="submit" data-testid="submit">Продолжить</button></div>
</form>
<form method="post" action="/interaction/${view.uid}/otp/resend" class="actions">
<button class="btn secondary" type="submit" data-testid="resend" data-resend-in="${view.resendIn}" data-sends-left="${view.sendsLeft}">${
      view.resendIn > 0 ? `Получить новый код через ${view.resendIn} с` : 'Получить новый код'
    }</button>
<script>${raw(countdown)}</script>
<a class="btn link" href="/interaction/${view.uid}/no-phone" data-testid="no-phone">Нет доступа к телефону</a>
</form>
${view.after ?? ''}
${failureReference(view.failure)}`,
  );
}
