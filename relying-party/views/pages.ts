/*
 * The RP's ordinary screens: landing (rp-home), the cabinet (G3) and the page after logout (G8).
 * Every control a test clicks has a data-testid; texts may change, test ids may not.
 */
import { html, type Html } from '../../lib/html.ts';
import { moscowTime } from '../../lib/moscow_time.ts';
import { trustLabels } from '../admission.ts';
import { trustLevels } from '../config.ts';
import type { RegisterRecord } from '../register.ts';
import { page, type Brand } from './layout.ts';

export function homePage(brand: Brand, signedIn: boolean): Html {
  const action = signedIn
    ? html`<a class="button primary" href="/cabinet" data-testid="go-cabinet">Перейти в личный кабинет</a>`
    : html`<a class="button primary" href="/login" data-testid="login-esia">Войти через Госуслуги</a>`;
  return page(brand, {
    screen: 'rp-home',
    title: 'Вход',
    body: html`<h1>Личный кабинет медицинского работника</h1>
<p>Здесь можно проверить свою запись в регистре, статус регистрации и сроки ближайших проверок.</p>
<p class="muted">Вход только через Госуслуги (ЕСИА). Отдельного пароля у кабинета нет.</p>
<div class="actions">${action}</div>`,
  });
}

export interface CabinetView {
  record: RegisterRecord;
  amr: readonly string[];
  trust: unknown;
  signedInAt: Date;
  /** The cabinet's tabs, when the portal has pages besides this one. */
  nav?: Html | undefined;
}

const amrLabels: Record<string, string> = {
  pwd: 'пароль',
  sms: 'код из СМС',
  otp: 'одноразовый код',
  mfa: 'двухфакторный вход',
  hwk: 'аппаратный ключ',
  swk: 'программный ключ',
  sc: 'электронная подпись',
  face: 'биометрия',
  fpt: 'биометрия',
  user: 'подтверждение на устройстве',
  pin: 'PIN-код',
};

/** e.g. ['pwd','sms','mfa'] → «пароль + код из СМС (двухфакторный вход)». */
export function describeAmr(amr: readonly string[]): string {
  const steps = [...new Set(amr.filter((m) => m !== 'mfa').map((m) => amrLabels[m] ?? m))];
  const text = steps.length ? steps.join(' + ') : 'способ не сообщён';
  return amr.includes('mfa') ? `${text} (двухфакторный вход)` : text;
}

export function formatDate(iso: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(iso);
  return m ? `${m[3]}.${m[2]}.${m[1]}` : iso;
}

function statusClass(status: string): string {
  return status === 'Зарегистрирован' ? 'ok' : 'wait';
}

export function cabinetPage(brand: Brand, view: CabinetView): Html {
  const r = view.record;
  const trust = trustLevels.find((level) => level === view.trust);
  const checks = [...r.upcomingChecks].sort((a, b) => a.due.localeCompare(b.due));
  const checkList = checks.length
    ? html`<ul data-testid="upcoming-checks">${checks.map(
        (c) => html`<li data-testid="upcoming-check"><strong>${formatDate(c.due)}</strong> — ${c.title}</li>`,
      )}</ul>`
    : html`<p data-testid="upcoming-checks">Ближайших проверок нет.</p>`;
  return page(brand, {
    screen: 'cabinet',
    title: 'Личный кабинет',
    body: html`${view.nav ?? ''}<h1 data-testid="cabinet-name">${r.lastName} ${r.firstName} ${r.middleName}</h1>
<p>Статус регистрации: <span class="badge ${statusClass(r.status)}" data-testid="registration-status">${r.status}</span></p>
<table>
<tr><th>СНИЛС</th><td data-testid="cabinet-snils">${r.snils}</td></tr>
<tr><th>Номер записи в ФМРМ</th><td data-testid="account-number">${r.accountNumber}</td></tr>
<tr><th>Дата рождения</th><td data-testid="cabinet-birth-date">${formatDate(r.birthDate)}</td></tr>
<tr><th>Организация</th><td data-testid="organisation">${r.organisation}</td></tr>
<tr><th>Специальность</th><td data-testid="specialty">${r.specialty}</td></tr>
</table>
<h2>Ближайшие проверки</h2>
${checkList}
<h2>Вход</h2>
<table>
<tr><th>Способ входа в Госуслуги</th><td data-testid="sign-in-method" data-amr="${view.amr.join(' ')}">${describeAmr(view.amr)}</td></tr>
<tr><th>Учётная запись Госуслуг</th><td data-testid="trust-level" data-trust="${trust ?? ''}">${trust ? trustLabels[trust] : 'уровень не сообщён'}</td></tr>
<tr><th>Время входа</th><td data-testid="signed-in-at">${moscowTime(view.signedInAt, 'seconds')}</td></tr>
</table>
<h2>Заявления</h2>
<p class="muted">Заявление о внесении изменений в регистр — юридически значимое действие: Госуслуги попросят подтвердить его электронной подписью.</p>
<form method="post" action="/application/sign"><button class="primary" data-testid="sign-application">Подписать заявление</button></form>
<div class="actions">
<form method="post" action="/logout"><button class="primary" data-testid="logout">Выйти</button></form>
<form method="post" action="/logout/local"><button class="secondary" data-testid="logout-local">Выйти только из ${brand.genitive}</button></form>
</div>
<p class="muted">«Выйти» завершает сеанс и здесь, и на Госуслугах. «Выйти только из ${brand.genitive}» оставляет вход на Госуслугах: другие сервисы откроются без пароля.</p>`,
  });
}

/** After «Подписать заявление»: Госуслуги confirmed the action with an electronic signature (A8). */
export function applicationSignedPage(
  brand: Brand,
  view: { amr: readonly string[]; acr: string; signedAt: Date },
): Html {
  return page(brand, {
    screen: 'rp-application-signed',
    title: 'Заявление подписано',
    body: html`<h1>Заявление подписано</h1>
<p data-testid="application-signed">Заявление подписано электронной подписью и отправлено в регистр.</p>
<table>
<tr><th>Способ подтверждения</th><td data-testid="signature-amr" data-amr="${view.amr.join(' ')}">${describeAmr(view.amr)}</td></tr>
<tr><th>Уровень (acr)</th><td data-testid="signature-acr">${view.acr}</td></tr>
<tr><th>Время</th><td>${moscowTime(view.signedAt, 'seconds')}</td></tr>
</table>
<div class="actions"><a class="button primary" href="/cabinet" data-testid="go-cabinet">Вернуться в личный кабинет</a></div>`,
  });
}

export function loggedOutPage(brand: Brand, ssoFailed: boolean): Html {
  const note = ssoFailed
    ? html`<p class="notice" data-testid="sso-logout-failed">Из ${brand.title} вы вышли, но Госуслуги не ответили, и сеанс на Госуслугах мог остаться открытым. На чужом компьютере закройте браузер.</p>`
    : '';
  return page(brand, {
    screen: 'rp-logged-out',
    title: 'Вы вышли',
    body: html`<h1>Вы вышли из личного кабинета</h1>
${note}
<p>Чтобы вернуться, войдите снова через Госуслуги.</p>
<div class="actions">
<a class="button primary" href="/login" data-testid="login-esia">Войти снова</a>
<a class="button secondary" href="/" data-testid="home-link">На главную</a>
</div>`,
  });
}
