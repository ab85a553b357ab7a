/*
 * Single logout (G8). oidc-provider asks the browser to confirm with a form; like ESIA, the
 * emulator signs out at once: the page submits itself, and a button covers browsers without script.
 */
import { html, raw, type Html } from '../../lib/html.ts';
import { layout } from './layout.ts';
import { autosubmitScriptPath } from './page_scripts.ts';

/** `form` is oidc-provider's own form markup (with its CSRF token); it is trusted. */
export function logoutPage(form: string): Html {
  return layout(
    { title: 'Выход', screen: 'logout', autosubmit: 'op.logoutForm' },
    html`<h1>Выход из Госуслуг</h1>
<p>Завершаем сеанс во всех системах, куда вы вошли через Госуслуги…</p>
${raw(form.replace('</form>', '<input type="hidden" name="logout" value="yes"></form>'))}
<div class="actions"><button class="btn primary" type="submit" form="op.logoutForm" data-testid="logout-confirm">Выйти</button></div>
<script src="${autosubmitScriptPath}"></script>`,
  );
}

export function loggedOutPage(): Html {
  return layout(
    { title: 'Вы вышли', screen: 'logged-out' },
    html`<div class="big-icon info">✓</div><h1>Вы вышли из Госуслуг</h1><p>Сеанс завершён. Можно закрыть эту вкладку.</p>`,
  );
}
