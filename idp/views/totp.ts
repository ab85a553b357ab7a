/* App codes (A2): the code screen of a sign-in, and the enrolment screen with a QR code and the manual secret. */
import { html, raw, type Html } from '../../lib/html.ts';
import { type Failure, failureAlert, failureReference } from './failure.ts';
import { layout } from './layout.ts';

export function totpPage(view: {
  uid: string;
  digits: number;
  failure?: Failure;
  notice?: string;
  after?: Html;
}): Html {
  return layout(
    { title: 'Код из приложения', screen: 'totp', errorCode: view.failure?.code },
    html`<h1>Введите код из приложения</h1>
<p>Откройте приложение «Госуслуги» (или другое приложение для кодов) и введите код для этой учётной записи.</p>
${view.notice ? html`<div class="alert info" data-testid="notice">${view.notice}</div>` : ''}
${failureAlert(view.failure)}
<form method="post" action="/interaction/${view.uid}/totp" autocomplete="off" novalidate>
<label for="code">Код из приложения</label>
<input type="text" id="code" name="code" class="code-input" inputmode="numeric" maxlength="${view.digits + 4}" data-testid="totp-code" autofocus>
<div class="actions"><button class="btn primary" type="submit" data-testid="submit">Продолжить</button></div>
</form>
${view.after ?? ''}
${failureReference(view.failure)}`,
  );
}

export interface EnrolView {
  /** Where the confirming code is posted. */
  action: string;
  qrSvg: string;
  secret: string;
  uri: string;
  failure?: Failure;
  after?: Html;
}

export function totpEnrolPage(view: EnrolView): Html {
  const grouped = view.secret.replace(/(.{4})/g, '$1 ').trim();
  return layout(
    { title: 'Код из приложения', screen: 'totp-enrol', errorCode: view.failure?.code },
    html`<h1>Подключить код из приложения</h1>
<p>Отсканируйте QR-код приложением «Госуслуги» (или Google Authenticator, FreeOTP и т. п.) либо введите ключ вручную. Затем введите код, который покажет приложение.</p>
${failureAlert(view.failure)}
<div class="qr" data-testid="totp-qr">${raw(view.qrSvg)}</div>
<p>Ключ для ввода вручную: <code data-testid="totp-secret" data-secret="${view.secret}">${grouped}</code></p>
<p class="muted">Тип — по времени (TOTP), 6 цифр, шаг 30 секунд.</p>
<form method="post" action="${view.action}" autocomplete="off" novalidate>
<label for="code">Код из приложения</label>
<input type="text" id="code" name="code" class="code-input" inputmode="numeric" data-testid="totp-code" autofocus>
<div class="actions"><button class="btn primary" type="submit" data-testid="totp-confirm">Подключить</button></div>
</form>
${view.after ?? ''}
${failureReference(view.failure)}`,
  );
}
