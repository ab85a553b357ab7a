/*
 * «Мои услуги» (G1): the person's side of Госуслуги. Each system of the stand is a tile; a tile opens
 * the system's sign-in, which Госуслуги answers at once from the session the person already has.
 */
import { html, type Html } from '../../lib/html.ts';
import { fullName, type Account } from '../domain/account.ts';
import type { ServiceTile } from '../provider/clients.ts';
import { layout } from './layout.ts';

export function myServicesPage(view: { account: Account; tiles: readonly ServiceTile[] }): Html {
  return layout(
    { title: 'Мои услуги', screen: 'my-services', wide: true },
    html`<h1>Мои услуги</h1>
<p>Вы вошли как <strong data-testid="person-name">${fullName(view.account)}</strong>.</p>
<p class="muted">Системы, в которые вы входите через Госуслуги. Откройте нужную: вход выполнится без повторного ввода пароля.</p>
${
  view.tiles.length
    ? html`<ul class="tiles" data-testid="service-tiles">${view.tiles.map(
        (tile) =>
          html`<li><a class="tile" href="${tile.startUrl}" data-testid="service-${tile.clientId}" data-client="${tile.clientId}"><strong>${tile.title}</strong>${tile.description ? html`<span>${tile.description}</span>` : ''}<em>Открыть</em></a></li>`,
      )}</ul>`
    : html`<div class="alert info" data-testid="no-services">На стенде нет своих систем: в файле клиентов (ESIA_CLIENTS) ни у одной нет «first_party»: true.</div>`
}
<div class="actions"><a class="btn secondary" href="/account" data-testid="account-settings">Настройки учётной записи</a><a class="btn link" href="/session/end" data-testid="idp-logout">Выйти из Госуслуг</a></div>`,
  );
}
