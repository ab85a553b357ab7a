/*
 * ESIA's «Предоставление прав доступа» screen: before a system first receives a person's data, the
 * user grants or refuses the requested scopes. Refusing sends the system ESIA-007004. Shown for
 * systems registered with "consent": true, once per account, system and set of scopes (per run).
 * Element ids follow the real page where known (#grantAuthorization, used by ekapusta's test bot).
 */
import { html } from '../../lib/html.ts';
import { layout } from '../views/layout.ts';

export const scopeTitles: Record<string, string> = {
  openid: 'Идентификатор учётной записи',
  fullname: 'Фамилия, имя, отчество',
  birthdate: 'Дата рождения',
  gender: 'Пол',
  snils: 'СНИЛС',
  inn: 'ИНН',
  id_doc: 'Данные документа, удостоверяющего личность',
  birthplace: 'Место рождения',
  email: 'Адрес электронной почты',
  mobile: 'Номер мобильного телефона',
  contacts: 'Контактные данные',
  addresses: 'Адреса',
  usr_org: 'Организации пользователя',
  vehicles: 'Транспортные средства',
};

export function consentPage(o: { id: string; systemName: string; scopes: string[] }) {
  return layout(
    { title: 'Предоставление прав доступа', screen: 'esia-consent' },
    html`<h1>Предоставление прав доступа</h1>
<p>Система «${o.systemName}» запрашивает доступ к вашим данным:</p>
<ul data-testid="consent-scopes">${o.scopes.map((s) => html`<li data-scope="${s}">${scopeTitles[s.replace(/\?.*$/, '')] ?? s}</li>`)}</ul>
<form method="post" action="/aas/oauth2/_consent" class="actions">
<input type="hidden" name="id" value="${o.id}">
<button type="submit" name="decision" value="grant" id="grantAuthorization" class="btn primary" data-testid="consent-grant">Предоставить</button>
<button type="submit" name="decision" value="refuse" class="btn secondary" data-testid="consent-refuse">Отказать</button>
</form>`,
  );
}
