/* Forced password change (B4, C3) with every complexity rule shown and each unmet one named (B7). */
import { html, type Html } from '../../lib/html.ts';
import { catalogue } from '../errors/catalogue.ts';
import { type Failure, failureAlert, failureReference } from './failure.ts';
import { layout } from './layout.ts';

/** A complexity rule as the form lists it; `met` once a password was checked against it. */
export interface PasswordRuleView {
  id: string;
  text: string;
  met?: boolean;
}

/** The new password, its repeat and every rule (B7): the forced change and recovery (D1) share them. */
export function newPasswordFields(rules: readonly PasswordRuleView[]): Html {
  return html`<label for="password">Новый пароль</label>
<input type="password" id="password" name="password" data-testid="new-password" autofocus>
<label for="repeat">Повторите пароль</label>
<input type="password" id="repeat" name="repeat" data-testid="repeat-password">
<p class="muted spaced">Пароль должен содержать:</p>
<ul class="rules" data-testid="rules">${rules.map(
    (r) => html`<li class="${r.met === undefined ? '' : r.met ? 'ok' : 'bad'}" data-rule="${r.id}">${r.text}</li>`,
  )}</ul>`;
}

export interface PasswordChangeView {
  uid: string;
  /** Why the change is forced: the password expired (B4), or it is a temporary one from support (D2). */
  reason: 'password.expired' | 'password.temporary_change';
  rules: PasswordRuleView[];
  failure?: Failure;
}

export function passwordChangePage(view: PasswordChangeView): Html {
  const notice = catalogue[view.reason];
  return layout(
    { title: notice.title, screen: 'password-change', errorCode: view.failure?.code ?? view.reason },
    html`<h1>${notice.title}</h1>
<div class="alert info" data-testid="notice" data-error-code="${view.reason}">${notice.message} ${notice.remedy}</div>
${failureAlert(view.failure)}
<form method="post" action="/interaction/${view.uid}/password" autocomplete="off" novalidate>
${newPasswordFields(view.rules)}
<div class="actions"><button class="btn primary" type="submit" data-testid="submit">Сохранить и продолжить</button></div>
</form>
${failureReference(view.failure)}`,
  );
}
