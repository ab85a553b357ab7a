/*
 * Recovering access (D1): «Забыли пароль?» on the login page, then three screens inside the same
 * sign-in: the identifier, the code, the new password. The code screen reads the same whether or
 * not an account exists («если такая учётная запись есть…»). Each screen offers the way to support
 * when self-service is impossible (D2).
 */
import { html, type Html } from '../../lib/html.ts';
import { type Failure, failureAlert, failureReference } from './failure.ts';
import { layout } from './layout.ts';
import { codeForms } from './otp.ts';
import { newPasswordFields, type PasswordRuleView } from './password_change.ts';

/** The link on the login page (kept as its own block: other sign-in methods add theirs beside it). */
export function forgotPasswordLink(uid: string): Html {
  return html`<p class="actions recovery-link"><a class="btn link" href="/interaction/${uid}/recovery" data-testid="forgot-password">Забыли пароль?</a></p>`;
}

/** The banner of an announced maintenance that has not started yet (E3). */
export function announcementBanner(lines: string[] | undefined): Html {
  if (!lines?.length) return html``;
  return html`<div class="alert info" role="status" data-testid="outage-announcement"><strong>Внимание</strong>${lines.join(' ')}</div>`;
}

const noAccessLink = (uid: string) =>
  html`<a class="btn link" href="/interaction/${uid}/recovery/no-access" data-testid="no-access">Нет доступа ни к телефону, ни к почте</a>`;

export interface RecoveryStartView {
  uid: string;
  identifier?: string;
  failure?: Failure;
}

export function recoveryStartPage(view: RecoveryStartView): Html {
  return layout(
    { title: 'Восстановление доступа', screen: 'recovery', errorCode: view.failure?.code },
    html`<h1>Восстановление доступа</h1>
<p class="muted">Укажите телефон, электронную почту или СНИЛС из вашей учётной записи. Мы пришлём код подтверждения: на почту, если указана почта, иначе в СМС на подтверждённый телефон.</p>
${failureAlert(view.failure)}
<form method="post" action="/interaction/${view.uid}/recovery" autocomplete="off" novalidate>
<label for="identifier">Телефон / Email / СНИЛС</label>
<input type="text" id="identifier" name="identifier" value="${view.identifier ?? ''}" data-testid="identifier" autofocus>
<div class="actions"><button class="btn primary" type="submit" data-testid="submit">Получить код</button></div>
</form>
<p class="actions"><a class="btn link" href="/interaction/${view.uid}" data-testid="back-to-login">Вернуться ко входу</a> ${noAccessLink(view.uid)}</p>
${failureReference(view.failure)}`,
  );
}

export interface RecoveryCodeView {
  uid: string;
  /** Where the code went, from what the user typed (never from the account). */
  sentTo: string;
  codeLength: number;
  resendIn: number;
  sendsLeft: number;
  notice?: string;
  failure?: Failure;
}

export function recoveryCodePage(view: RecoveryCodeView): Html {
  return layout(
    { title: 'Код восстановления', screen: 'recovery-code', errorCode: view.failure?.code },
    html`<h1>Введите код</h1>
<div class="alert info" data-testid="recovery-sent">Если такая учётная запись есть, мы отправили код ${view.sentTo}. Код действует несколько минут.</div>
${view.notice ? html`<div class="alert ok" data-testid="notice">${view.notice}</div>` : ''}
${failureAlert(view.failure)}
${codeForms({ check: `/interaction/${view.uid}/recovery/code`, resend: `/interaction/${view.uid}/recovery/resend` }, view)}
<p class="muted">Код не приходит? Проверьте, что указали телефон или почту, подтверждённые в учётной записи.</p>
<p class="actions"><a class="btn link" href="/interaction/${view.uid}/recovery?again=1" data-testid="recovery-restart">Указать другой телефон, почту или СНИЛС</a> ${noAccessLink(view.uid)}</p>
${failureReference(view.failure)}`,
  );
}

export interface RecoveryPasswordView {
  uid: string;
  rules: PasswordRuleView[];
  failure?: Failure;
}

export function recoveryPasswordPage(view: RecoveryPasswordView): Html {
  return layout(
    { title: 'Новый пароль', screen: 'recovery-password', errorCode: view.failure?.code },
    html`<h1>Придумайте новый пароль</h1>
<div class="alert ok" data-testid="notice">Код подтверждён. Новый пароль должен отличаться от нескольких предыдущих.</div>
${failureAlert(view.failure)}
<form method="post" action="/interaction/${view.uid}/recovery/password" autocomplete="off" novalidate>
${newPasswordFields(view.rules)}
<div class="actions"><button class="btn primary" type="submit" data-testid="submit">Сохранить и войти</button></div>
</form>
${failureReference(view.failure)}`,
  );
}
