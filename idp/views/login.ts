/* Step 1 of sign-in (A1, A6, A7): login by phone, e-mail, СНИЛС or ИНН, password, «Запомнить меня». */
import { html, type Html } from '../../lib/html.ts';
import { type Failure, failureAlert, failureReference } from './failure.ts';
import { layout } from './layout.ts';
import { announcementBanner, forgotPasswordLink } from './recovery.ts';

export interface LoginView {
  uid: string;
  clientName: string;
  identifier?: string;
  remember?: boolean;
  failure?: Failure;
  /** Issue 7: an announced maintenance that has not started yet (lines of its notice). */
  announcement?: string[];
}

export function loginPage(view: LoginView): Html {
  return layout(
    { title: 'Вход', screen: 'login', errorCode: view.failure?.code },
    html`<h1>Вход</h1>
<p class="muted" data-testid="client-name">для входа в «${view.clientName}»</p>
${announcementBanner(view.announcement)}
${failureAlert(view.failure)}
<form method="post" action="/interaction/${view.uid}/login" autocomplete="off" novalidate>
<label for="identifier">Телефон / Email / СНИЛС / ИНН</label>
<input type="text" id="identifier" name="identifier" value="${view.identifier ?? ''}" data-testid="identifier"${view.identifier ? '' : ' autofocus'}>
<label for="password">Пароль</label>
<input type="password" id="password" name="password" data-testid="password"${view.identifier ? ' autofocus' : ''}>
<label class="check"><input type="checkbox" name="remember" value="yes" data-testid="remember"${view.remember ? ' checked' : ''}> Запомнить меня</label>
<div class="actions">
<button class="btn primary" type="submit" data-testid="submit">Войти</button>
</div>
</form>
${forgotPasswordLink(view.uid)}
<form method="post" action="/interaction/${view.uid}/certificate/start" class="actions">
<button class="btn secondary" type="submit" data-testid="login-esign">Электронная подпись</button>
</form>
<form method="post" action="/interaction/${view.uid}/abort" class="actions">
<button class="btn link" type="submit" data-testid="cancel">Отмена — вернуться в систему</button>
</form>
${failureReference(view.failure)}`,
  );
}
