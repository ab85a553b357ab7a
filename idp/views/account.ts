/* feature «webauthn»: the account's settings page (/account) — its sign-in factors, added and removed here (A2, A3, A5, F1). */
import { html, type Html } from '../../lib/html.ts';
import { fullName, maskPhone, type Account } from '../domain/account.ts';
import { layout } from './layout.ts';

const kindText = { platform: 'Вход по биометрии', roaming: 'Ключ безопасности' } as const;
const day = (iso: string | null) => (iso ? iso.slice(0, 10).split('-').reverse().join('.') : '—');

export function accountPage(view: { account: Account; notice?: string }): Html {
  const { account } = view;
  const credentials = account.credentials ?? [];
  return layout(
    { title: 'Настройки учётной записи', screen: 'account', wide: true },
    html`<h1>Настройки учётной записи</h1>
<p data-testid="account-name">${fullName(account)}</p>
${view.notice ? html`<div class="alert info" data-testid="notice">${view.notice}</div>` : ''}
<h2>Способы подтверждения входа</h2>
<table data-testid="factors">
<tr><th>Способ</th><th>Состояние</th><th></th></tr>
<tr data-factor="sms"><td>Код по СМС</td><td>на номер ${maskPhone(account.phone)}</td><td></td></tr>
<tr data-factor="totp"><td>Код из приложения</td><td data-testid="totp-state">${account.totp ? `подключён ${day(account.totp.enrolledAt)}` : 'не подключён'}</td><td>${
      account.totp
        ? html`<form method="post" action="/account/totp/delete"><button class="btn link" type="submit" data-testid="remove-totp">Отключить</button></form>`
        : html`<form method="post" action="/account/totp/new"><button class="btn link" type="submit" data-testid="add-totp">Подключить</button></form>`
    }</td></tr>
${credentials.map(
  (c, i) =>
    html`<tr data-factor="${c.kind}" data-testid="credential-${i}"><td>${kindText[c.kind]}</td><td>«${c.name}», подключено ${day(c.createdAt)}, последний вход ${day(c.lastUsedAt)}</td><td><form method="post" action="/account/webauthn/${c.id}/delete"><button class="btn link" type="submit" data-testid="remove-credential-${i}">Удалить</button></form></td></tr>`,
)}
</table>
<form method="post" action="/account/webauthn/new" class="actions">
<button class="btn primary" type="submit" name="kind" value="platform" data-testid="add-biometric">Подключить вход по биометрии</button>
<button class="btn secondary" type="submit" name="kind" value="roaming" data-testid="add-key">Добавить ключ безопасности</button>
</form>
<p class="muted">Вход по биометрии работает на телефоне или компьютере с отпечатком пальца, распознаванием лица или PIN-кодом. Ключ безопасности (токен) подтверждает вход после пароля.</p>`,
  );
}

export function registerFields(kind: 'platform' | 'roaming'): Html {
  return html`<input type="hidden" name="kind" value="${kind}">
<label for="name">Название</label>
<input type="text" id="name" name="name" value="${kind === 'platform' ? 'Мой телефон' : 'Ключ безопасности'}" data-testid="credential-name">
${
  kind === 'platform'
    ? html`<label for="biometric">Как устройство проверяет вас</label>
<select id="biometric" name="biometric" data-testid="credential-biometric"><option value="fpt" selected>Отпечаток пальца</option><option value="face">Распознавание лица</option></select>`
    : ''
}`;
}
