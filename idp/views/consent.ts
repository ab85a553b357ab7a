/*
 * The OIDC face's consent screen: a system that is not one of the operator's own asks for the
 * user's data, and the user allows or refuses. Each scope is named by the data the system gets.
 */
import { html, type Html } from '../../lib/html.ts';
import { layout } from './layout.ts';

/** What a system receives for each scope of the OIDC face, in the user's words. */
export const scopeDescriptions: Record<string, string> = {
  openid: 'Идентификатор вашей учётной записи и то, каким способом вы вошли',
  profile: 'Фамилия, имя, отчество, дата рождения и пол',
  email: 'Адрес электронной почты и подтверждён ли он',
  phone: 'Номер мобильного телефона и подтверждён ли он',
  snils: 'СНИЛС',
  inn: 'ИНН',
  trust: 'Уровень учётной записи: упрощённая, стандартная или подтверждённая',
  offline_access: 'Доступ к этим данным, когда вы не в системе: она сможет обновлять их без вашего входа',
};

export interface ConsentView {
  uid: string;
  clientName: string;
  scopes: string[];
}

export function consentPage(view: ConsentView): Html {
  return layout(
    { title: 'Доступ к вашим данным', screen: 'consent' },
    html`<h1>Доступ к вашим данным</h1>
<p data-testid="client-name">Система «${view.clientName}» запрашивает доступ к данным вашей учётной записи. Если разрешить, она получит:</p>
<ul class="rules scopes" data-testid="consent-scopes">${view.scopes.map((s) => html`<li data-scope="${s}">${scopeDescriptions[s] ?? s}</li>`)}</ul>
<p class="muted">Разрешайте, только если доверяете этой системе и сами входите в неё. Если отказать, система не получит ваших данных, а вы вернётесь в неё без входа.</p>
<form method="post" action="/interaction/${view.uid}/consent" class="actions">
<button class="btn primary" type="submit" name="decision" value="allow" data-testid="consent-allow">Разрешить</button>
<button class="btn secondary" type="submit" name="decision" value="deny" data-testid="consent-deny">Отказать</button>
</form>`,
  );
}
