/* The emulator's front page: what this is, where to point an application, and the personas. */
import { html, type Html } from '../../lib/html.ts';
import type { Account } from '../domain/account.ts';
import { layout } from './layout.ts';

export function homePage(view: {
  issuer: string;
  accounts: Account[];
  passwords: Map<string, string>;
  controlEnabled: boolean;
}): Html {
  return layout(
    { title: 'Эмулятор ЕСИА', screen: 'home', wide: true },
    html`<h1>Эмулятор ЕСИА — тестовый стенд</h1>
<p>Локальная замена Госуслуг для разработки и обучения. Настоящие учётные записи здесь не работают.</p>
<div class="actions"><a class="btn primary" href="/my/services" data-testid="idp-sign-in">Войти на Госуслуги как пользователь</a></div>
<p class="muted">После входа откроется «Мои услуги»: ФМРМ и Портал НМО плитками, каждая открывается без повторного пароля.</p>
<table>
<tr><th>Discovery (OpenID Connect)</th><td><a href="/.well-known/openid-configuration" data-testid="discovery">${view.issuer}/.well-known/openid-configuration</a></td></tr>
<tr><th>Issuer</th><td><code>${view.issuer}</code></td></tr>
<tr><th>Мои услуги</th><td><a href="/my/services" data-testid="my-services">/my/services</a> — системы пользователя, вход в них без повторного пароля</td></tr>
<tr><th>Настройки учётной записи</th><td><a href="/account" data-testid="account-settings">/account</a> — вход по биометрии, ключи безопасности, код из приложения</td></tr>
${view.controlEnabled ? html`<tr><th>Управление стендом</th><td><a href="/__control">/__control</a> — сброс, часы, входящие СМС, сбои</td></tr>` : ''}
</table>
<h2>Персоны</h2>
<table data-testid="personas">
<tr><th>Логин (телефон)</th><th>Пароль</th><th>ФИО</th><th>Что показывает</th></tr>
${view.accounts.map(
  (a) =>
    html`<tr data-persona="${a.persona}"><td><code>${a.phone}</code><br><span class="muted">${a.email}<br>СНИЛС ${a.snils}</span></td><td><code>${view.passwords.get(a.persona) ?? '—'}</code></td><td>${a.lastName} ${a.firstName} ${a.middleName}</td><td>${a.demonstrates}<br><span class="muted">${a.catalogue.join(', ')}</span></td></tr>`,
)}
</table>`,
  );
}
