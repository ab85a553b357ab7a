/*
 * Pages of the support console (/support), in Russian: sign-in, search, account card with the
 * actions the operator's role allows, the story of an attempt by its reference code. Every page is
 * marked as the test stand (layout) and carries data-screen, data-testid and the form's CSRF token.
 */
import { html, type Html } from '../../lib/html.ts';
import type { AuditRecord } from '../adapters/audit_journal.ts';
import { fullName, type Account } from '../domain/account.ts';
import { catalogue, type CatalogueEntry, isErrorCode, type ErrorCode } from '../errors/catalogue.ts';
import { moscowTime, type Outage } from '../domain/outage.ts';
import { esiaCodes } from '../esia/errors.ts';
import { failureAlert, failureReference, type Failure } from '../views/failure.ts';
import { layout } from '../views/layout.ts';
import { may, roleTitles, type Role } from './operators.ts';

export interface ConsoleUser {
  login: string;
  name: string;
  role: Role;
  run: string;
  csrf: string;
}

/** The console's own rules, served at /static/support.css (no inline style under the Content-Security-Policy). */
export const supportStylesheetPath = '/static/support.css';
export const supportStylesheet = `
.sup-nav{display:flex;flex-wrap:wrap;gap:8px 16px;align-items:center;justify-content:space-between;border-bottom:1px solid #e1e7f0;padding-bottom:12px;margin-bottom:20px;font-size:14px}
.sup-nav form{display:inline}
table.sup{width:100%;border-collapse:collapse;font-size:14px;margin:8px 0 16px}
table.sup th,table.sup td{text-align:left;padding:6px 8px;border-bottom:1px solid #e1e7f0;vertical-align:top}
table.sup th{color:#66727f;font-weight:600;width:38%}
.sup-actions{display:grid;grid-template-columns:repeat(auto-fill,minmax(220px,1fr));gap:12px;margin:12px 0}
.sup-actions form{margin:0}.sup-actions .btn{width:100%}
.secret{font-size:22px;letter-spacing:.08em;background:#fff8e1;padding:4px 10px;border-radius:6px}
textarea,select{font:inherit;padding:8px 10px;border:1px solid #b2c2d6;border-radius:8px;width:100%}
.row select{height:48px;background:#fff}
.sup-outage{margin-bottom:28px}.sup-outage details{margin-top:12px}
.row{display:flex;gap:8px;align-items:end}.row>*{flex:1}.row .btn{flex:0 0 auto}.row .sup-kind{flex:0 0 190px}
`;
const styles = html`<link rel="stylesheet" href="${supportStylesheetPath}">`;

function page(title: string, screen: string, user: ConsoleUser | null, body: Html, failure?: Failure): Html {
  return layout(
    { title, screen, wide: true, ...(failure ? { errorCode: failure.code } : {}) },
    html`${styles}${user ? nav(user) : ''}${body}`,
  );
}

function nav(user: ConsoleUser): Html {
  return html`<div class="sup-nav" data-testid="support-nav">
<span><b><a href="/support" data-testid="support-home">Консоль поддержки</a></b> · <span data-testid="support-operator">${user.name}</span> (${user.login}, <span data-testid="support-role" data-role="${user.role}">${roleTitles[user.role]}</span>) · прогон <code data-testid="support-run">${user.run}</code></span>
<form method="post" action="/support/logout"><input type="hidden" name="csrf" value="${user.csrf}"><button class="btn link" type="submit" data-testid="support-logout">Выйти</button></form>
</div>`;
}

function csrfField(user: ConsoleUser): Html {
  return html`<input type="hidden" name="csrf" value="${user.csrf}">`;
}

export function loginPage(view: { failure?: Failure; login?: string }): Html {
  return page(
    'Консоль поддержки — вход',
    'support-login',
    null,
    html`<h1>Консоль поддержки</h1>
<p class="muted">Вход для операторов службы поддержки. Учётная запись пользователя Госуслуг консоль не открывает.</p>
${failureAlert(view.failure)}
<form method="post" action="/support/login" data-testid="support-login-form">
<label for="login">Логин оператора</label>
<input type="text" id="login" name="login" value="${view.login ?? ''}" data-testid="support-login" autocomplete="username" autofocus>
<label for="password">Пароль</label>
<input type="password" id="password" name="password" data-testid="support-password" autocomplete="current-password">
<div class="actions"><button class="btn primary" type="submit" data-testid="support-submit">Войти в консоль</button></div>
</form>
${failureReference(view.failure)}`,
    view.failure,
  );
}

export const searchKinds = { auto: 'определить по вводу', name: 'ФИО', phone: 'телефон', email: 'эл. почта', snils: 'СНИЛС', fmrm: 'номер в ФМРМ' } as const;
export type SearchKind = keyof typeof searchKinds;

export interface FoundAccount {
  account: Account;
  fmrm?: string;
}

/** The run's maintenance or outage (E3) as the console's main page shows it; `failure` and `form` after a refused announcement. */
export interface OutageView {
  state: Outage | null;
  inForce: boolean;
  failure?: Failure;
  form?: Record<string, string>;
}

export function homePage(user: ConsoleUser, view: { query?: string; kind?: SearchKind; results?: FoundAccount[]; notice?: Html; outage: OutageView }): Html {
  const kind = view.kind ?? 'auto';
  return page(
    'Консоль поддержки',
    view.results ? 'support-search' : 'support-home',
    user,
    html`${view.notice ?? ''}${outagePanel(user, view.outage)}<h1>Поиск пользователя</h1>
<form method="get" action="/support/search" class="row" data-testid="support-search-form">
<div><label for="q">ФИО, телефон, почта, СНИЛС или номер в ФМРМ</label><input type="text" id="q" name="q" value="${view.query ?? ''}" data-testid="support-query"></div>
<div class="sup-kind"><label for="kind">Искать как</label><select id="kind" name="kind" data-testid="support-kind">${Object.entries(searchKinds).map(
      ([k, t]) => html`<option value="${k}"${k === kind ? ' selected' : ''}>${t}</option>`,
    )}</select></div>
<button class="btn primary" type="submit" data-testid="support-find">Найти</button>
</form>
${view.results ? results(view.results, view.query ?? '') : ''}
<h2>Код обращения</h2>
<form method="get" action="/support/ref" class="row" data-testid="support-ref-form">
<div><label for="code">Код с экрана ошибки, например 7KQ2-M9XD (регистр, пробелы и дефис не важны)</label><input type="text" id="code" name="code" data-testid="support-ref-input"></div>
<button class="btn secondary" type="submit" data-testid="support-ref-find">Показать попытку</button>
</form>
${may(user.role, 'start_run') ? trainerBlock(user) : ''}`,
    view.outage.failure,
  );
}

const outageModes = { maintenance: 'плановые технические работы', outage: 'сбой (внеплановая недоступность)' } as const;

/**
 * E3 from the console: the state of the console's run for every role; the form to announce and the
 * button to end for the roles that may (senior operator). Times are entered and shown in МСК.
 */
function outagePanel(user: ConsoleUser, v: OutageView): Html {
  const o = v.state;
  const state = o
    ? html`<table class="sup" data-testid="support-outage-state" data-mode="${o.mode}" data-in-force="${v.inForce ? 'yes' : 'no'}">
<tr><th>Режим</th><td data-testid="support-outage-mode">${outageModes[o.mode]} · ${v.inForce ? 'вход закрыт' : 'объявлены заранее, пока только предупреждение'}</td></tr>
<tr><th>Текст для пользователей</th><td data-testid="support-outage-notice">${o.notice}</td></tr>
<tr><th>Начало</th><td>${moscowTime(o.from)}</td></tr>
<tr><th>Ожидаемое восстановление</th><td data-testid="support-outage-until">${o.until ? moscowTime(o.until) : 'неизвестно'}</td></tr>
<tr><th>Объявил</th><td>${o.by}</td></tr>
</table>`
    : html`<p data-testid="support-outage-state" data-mode="none" data-in-force="no">Сервис работает: технические работы и сбои не объявлены.</p>`;
  const f = v.form ?? {};
  const announce = may(user.role, 'announce_outage')
    ? html`<details${v.failure || !o ? ' open' : ''}><summary>${o ? 'Изменить объявление' : 'Объявить технические работы или сбой'}</summary>
${failureAlert(v.failure)}
<form method="post" action="/support/outage" data-testid="support-outage-form">${csrfField(user)}
<div class="row"><div><label for="outage-mode">Режим</label><select id="outage-mode" name="mode" data-testid="support-outage-mode-select">${Object.entries(outageModes).map(
        ([k, t]) => html`<option value="${k}"${k === (f.mode ?? o?.mode ?? 'maintenance') ? ' selected' : ''}>${t}</option>`,
      )}</select></div>
<div><label for="outage-until">Ожидаемое время восстановления (МСК)</label><input type="datetime-local" id="outage-until" name="until" value="${f.until ?? ''}" data-testid="support-outage-until-input"></div>
<div><label for="outage-from">Начало (МСК; пусто — сейчас)</label><input type="datetime-local" id="outage-from" name="from" value="${f.from ?? ''}" data-testid="support-outage-from-input"></div></div>
<label for="outage-notice">Текст для пользователей (пусто — стандартный)</label><textarea id="outage-notice" name="notice" rows="2" maxlength="500" data-testid="support-outage-notice-input">${f.notice ?? ''}</textarea>
<div class="actions"><button class="btn primary" type="submit" data-testid="support-outage-announce">Объявить</button></div>
</form>
${failureReference(v.failure)}</details>`
    : '';
  const end =
    o && may(user.role, 'end_outage')
      ? html`<form method="post" action="/support/outage/end">${csrfField(user)}<button class="btn secondary" type="submit" data-testid="support-outage-end">Завершить: сервис снова работает</button></form>`
      : '';
  const readOnly = !may(user.role, 'announce_outage') ? html`<p class="muted">Объявить или завершить работы может старший оператор.</p>` : '';
  return html`<section class="sup-outage" data-testid="support-outage"><h2>Технические работы и сбои</h2>${state}${end}${announce}${readOnly}</section>`;
}

function results(found: FoundAccount[], query: string): Html {
  if (!found.length) return html`<p data-testid="support-no-results">По запросу «${query}» никого не нашли.</p>`;
  return html`<table class="sup" data-testid="support-results"><tr><th>ФИО</th><th>Телефон</th><th>СНИЛС</th><th>ФМРМ</th></tr>
${found.map(
  ({ account, fmrm }, i) =>
    html`<tr><td><a href="/support/accounts/${account.oid}" data-testid="support-open-${i}" data-persona="${account.persona}">${fullName(account)}</a></td><td>${account.phone}</td><td>${account.snils}</td><td>${fmrm ?? '—'}</td></tr>`,
)}</table>`;
}

function trainerBlock(user: ConsoleUser): Html {
  return html`<h2>Сценарии для обучения</h2>
<p class="muted">Тренер воспроизводит сценарии в отдельном прогоне: свои копии персон, часы и входящие, основной стенд не затрагивается.</p>
<div class="actions">
<form method="post" action="/support/runs">${csrfField(user)}<button class="btn secondary" type="submit" data-testid="support-new-run">Новый отдельный прогон</button></form>
<a class="btn link" href="/trainer" data-testid="support-trainer-gallery">Галерея сценариев — «Воспроизвести»</a>
</div>`;
}

const statusTitles = { active: 'активна', inactive: 'неактивна (регистрация не завершена)', restricted: 'ограничена' } as const;
const trustTitles = { simplified: 'упрощённая', standard: 'стандартная', confirmed: 'подтверждённая' } as const;

/** Journal times in МСК, as every user screen shows them, to the second. */
function when(iso: string | null | undefined): string {
  return iso ? moscowTime(iso, 'seconds') : '—';
}

export interface CertificateView {
  serial: string;
  variant: string;
  subject: string;
  issuer: string;
  notBefore: string;
  notAfter: string;
  validity: 'valid' | 'expired' | 'not-yet-valid';
  revoked: { at: string; reason: string } | null;
}

export interface AccountView {
  account: Account;
  /** The account's certificates from the test PKI, with their state in the console's run. */
  certificates: CertificateView[];
  fmrm?: string;
  now: number;
  passwordMaxAgeDays: number;
  attempts: AuditRecord[];
  notice?: Html;
  /** A temporary password or code, shown once. */
  secret?: { value: string; kind: 'reset' | 'code'; expiresAt: string };
}

export function accountPage(user: ConsoleUser, v: AccountView): Html {
  const a = v.account;
  const ageDays = Math.floor((v.now - Date.parse(a.passwordChangedAt)) / 86_400_000);
  const act = (action: string, testid: string, label: string, extra: Html = html``) =>
    html`<form method="post" action="/support/accounts/${a.oid}/${action}">${csrfField(user)}${extra}<button class="btn secondary" type="submit" data-testid="${testid}">${label}</button></form>`;
  return page(
    `${fullName(a)} — консоль поддержки`,
    'support-account',
    user,
    html`<h1 data-testid="support-account-name" data-oid="${a.oid}" data-persona="${a.persona}">${fullName(a)}</h1>
${v.notice ?? ''}
${v.secret ? secretBlock(v.secret) : ''}
<h2>Состояние</h2>
<table class="sup" data-testid="support-state">
<tr><th>Статус</th><td data-testid="support-status" data-value="${a.status}">${statusTitles[a.status]}</td></tr>
<tr><th>Уровень учётной записи</th><td data-testid="support-trust" data-value="${a.trust}">${trustTitles[a.trust]}</td></tr>
<tr><th>Блокировка</th><td data-testid="support-locked" data-value="${a.lockedAt ? 'yes' : 'no'}">${a.lockedAt ? `заблокирована с ${when(a.lockedAt)}` : 'нет'}</td></tr>
<tr><th>Неверных паролей подряд</th><td data-testid="support-failed">${a.failedAttempts}</td></tr>
<tr><th>Пароль сменён</th><td>${when(a.passwordChangedAt)} (${ageDays} дн. назад, предел ${v.passwordMaxAgeDays})</td></tr>
<tr><th>Смена пароля при входе</th><td data-testid="support-must-change" data-value="${a.passwordMustChange ? 'yes' : 'no'}">${a.passwordMustChange ? 'обязательна' : 'нет'}${a.temporaryPasswordExpiresAt ? ` · временный пароль действует до ${when(a.temporaryPasswordExpiresAt)}` : ''}</td></tr>
<tr><th>Последний вход</th><td>${when(a.lastSignInAt)}</td></tr>
<tr><th>Соглашение принято</th><td>${when(a.agreementAcceptedAt)}</td></tr>
</table>
<h2>Данные и факторы входа</h2>
<table class="sup" data-testid="support-factors">
<tr><th>Телефон (СМС-код)</th><td>${a.phone} · ${a.phoneConfirmed ? 'подтверждён' : 'не подтверждён'}</td></tr>
<tr><th>Электронная почта</th><td>${a.email} · ${a.emailConfirmed ? 'подтверждена' : 'не подтверждена'}</td></tr>
<tr><th>СНИЛС</th><td data-testid="support-snils">${a.snils}</td></tr>
<tr><th>ИНН</th><td>${a.inn}</td></tr>
<tr><th>Дата рождения</th><td>${a.birthDate}</td></tr>
<tr><th>Номер в ФМРМ</th><td data-testid="support-fmrm">${v.fmrm ?? 'нет записи в регистре'}</td></tr>
${otherFactors(a)}
</table>
<h2>Действия</h2>
<div class="sup-actions" data-testid="support-actions">
${may(user.role, 'unlock') ? act('unlock', 'support-unlock', 'Снять блокировку') : ''}
${may(user.role, 'temporary_code') ? act('temporary-code', 'support-temporary-code', 'Выдать временный код') : ''}
${may(user.role, 'reset_password') ? act('reset-password', 'support-reset-password', 'Сбросить пароль') : ''}
</div>
${may(user.role, 'temporary_code') ? html`<p class="muted" data-testid="support-identity-check"><b>Сначала проверьте личность:</b> паспорт, СНИЛС и данные о профессиональной регистрации (номер в ФМРМ) должны совпасть с карточкой.</p><p class="muted">Временный код — 8 цифр, продиктуйте по телефону после проверки личности; действует час. Сброс пароля — новый пароль по правилам сложности уходит на подтверждённую почту; действует сутки. В обоих случаях старый пароль сразу перестаёт действовать, а при входе потребуется придумать новый.</p>` : ''}
${may(user.role, 'edit_state') ? stateForm(user, a) : ''}
${certificatesBlock(user, a, v.certificates)}
<h2>Заметки</h2>
${a.notes?.length ? html`<ul data-testid="support-notes">${a.notes.map((n) => html`<li><span class="muted">${when(n.at)}, ${n.by}:</span> ${n.text}</li>`)}</ul>` : html`<p class="muted" data-testid="support-notes">Заметок нет.</p>`}
${
  may(user.role, 'note')
    ? html`<form method="post" action="/support/accounts/${a.oid}/note">${csrfField(user)}<label for="note">Новая заметка</label><textarea id="note" name="text" rows="2" data-testid="support-note-text"></textarea><div class="actions"><button class="btn secondary" type="submit" data-testid="support-add-note">Добавить заметку</button></div></form>`
    : ''
}
<h2>Последние события</h2>
${attemptsTable(v.attempts)}`,
  );
}

/** Fields of the account this console does not know yet (factors other sign-in methods add: keys, apps…), shown as stored; secrets never. */
const knownFields = new Set([
  'oid', 'persona', 'lastName', 'firstName', 'middleName', 'gender', 'birthDate', 'snils', 'inn', 'phone', 'phoneConfirmed', 'email', 'emailConfirmed', 'trust', 'status',
  'passwordHash', 'previousPasswordHashes', 'passwordChangedAt', 'passwordMustChange', 'failedAttempts', 'lockedAt', 'agreementAcceptedAt', 'lastSignInAt',
  'demonstrates', 'catalogue', 'temporaryPasswordExpiresAt', 'notes',
]);

function otherFactors(a: Account): Html {
  const entries = Object.entries(a).filter(([key, value]) => !knownFields.has(key) && !/hash|secret|private|password/i.test(key) && value !== undefined && value !== null);
  return html`${entries.map(([key, value]) => {
    const text = JSON.stringify(value, (k, v: unknown) => (/hash|secret|private/i.test(k) ? '…' : v));
    return html`<tr data-testid="support-factor" data-field="${key}"><th>${key}</th><td><code>${text.length > 240 ? `${text.slice(0, 240)}…` : text}</code></td></tr>`;
  })}`;
}

function secretBlock(secret: { value: string; kind: 'reset' | 'code'; expiresAt: string }): Html {
  return html`<div class="alert info" data-testid="support-secret-block"><strong>${secret.kind === 'code' ? 'Временный код' : 'Временный пароль'} — показан один раз</strong>
<code class="secret" data-testid="support-secret" data-secret="${secret.value}">${secret.value}</code><br>
${secret.kind === 'code' ? 'Продиктуйте код пользователю: он вводит его вместо пароля.' : 'Пароль отправлен на подтверждённую почту пользователя.'} Действует до ${when(secret.expiresAt)}; при входе потребуется сменить пароль.</div>`;
}

const validityTitles = { valid: 'действует', expired: 'срок истёк', 'not-yet-valid': 'ещё не начал действовать' } as const;
const reasonTitles: Record<string, string> = {
  keyCompromise: 'компрометация ключа',
  superseded: 'заменён',
  affiliationChanged: 'изменились сведения',
  cessationOfOperation: 'прекращение деятельности',
  unspecified: 'без причины',
};

function certificatesBlock(user: ConsoleUser, a: Account, certificates: CertificateView[]): Html {
  if (!certificates.length) return html`<h2>Сертификаты</h2><p class="muted" data-testid="support-certificates">Сертификатов тестового УЦ у этой записи нет.</p>`;
  const revoke = may(user.role, 'revoke_certificate');
  const reissue = may(user.role, 'reissue_certificate')
    ? html`<form method="post" action="/support/accounts/${a.oid}/certificates/reissue" data-testid="support-reissue-form">${csrfField(user)}<button class="btn secondary" type="submit" data-testid="support-reissue">Перевыпустить сертификат</button></form>
<p class="muted">Перевыпуск: действующий сертификат отзывается с причиной «заменён», тестовый УЦ выпускает новый на год по часам прогона и кладёт его на виртуальный токен этого прогона.</p>`
    : '';
  return html`<h2>Сертификаты</h2>
<table class="sup" data-testid="support-certificates"><tr><th>Серийный номер</th><th>Срок</th><th>Состояние</th></tr>
${certificates.map(
  (c) =>
    html`<tr data-testid="support-certificate" data-serial="${c.serial}" data-variant="${c.variant}" data-revoked="${c.revoked ? 'yes' : 'no'}"><td><code>${c.serial}</code><br><span class="muted">${c.variant}</span></td><td data-testid="support-certificate-validity">${when(c.notBefore)} — ${when(c.notAfter)}</td><td>${validityTitles[c.validity]}${
      c.revoked ? html`<br>отозван ${when(c.revoked.at)} (${reasonTitles[c.revoked.reason] ?? c.revoked.reason})` : ''
    }${
      revoke && !c.revoked
        ? html`<form method="post" action="/support/accounts/${a.oid}/certificates/${c.serial}/revoke">${csrfField(user)}<select name="reason">${Object.entries(reasonTitles).map(([k, t]) => html`<option value="${k}">${t}</option>`)}</select><button class="btn secondary" type="submit" data-testid="support-revoke-${c.variant}">Отозвать</button></form>`
        : ''
    }</td></tr>`,
)}</table>
${reissue}`;
}

function stateForm(user: ConsoleUser, a: Account): Html {
  const select = (name: string, options: Record<string, string>, value: string) =>
    html`<select name="${name}" data-testid="support-state-${name}">${Object.entries(options).map(([k, t]) => html`<option value="${k}"${k === value ? ' selected' : ''}>${t}</option>`)}</select>`;
  const yesNo = { true: 'да', false: 'нет' };
  return html`<h2>Состояние записи (старший оператор)</h2>
<form method="post" action="/support/accounts/${a.oid}/state" data-testid="support-state-form">${csrfField(user)}
<div class="row"><div><label>Статус</label>${select('status', statusTitles, a.status)}</div><div><label>Уровень</label>${select('trust', trustTitles, a.trust)}</div></div>
<div class="row"><div><label>Телефон подтверждён</label>${select('phoneConfirmed', yesNo, String(a.phoneConfirmed))}</div><div><label>Почта подтверждена</label>${select('emailConfirmed', yesNo, String(a.emailConfirmed))}</div></div>
<div class="actions"><button class="btn secondary" type="submit" data-testid="support-save-state">Сохранить состояние</button></div></form>`;
}

const outcomeTitles = { ok: 'успешно', refused: 'отказ', error: 'сбой' } as const;

function codeTitle(code: string | undefined): string {
  if (!code) return '';
  if (isErrorCode(code)) return `${catalogue[code].title} (${code})`;
  // Codes of the ESIA protocol face (ESIA-0070xx) carry ESIA's own Russian meaning.
  const esia = (esiaCodes as Record<string, { meaning: string }>)[code];
  return esia ? `${esia.meaning} (${code})` : code;
}

function attemptsTable(records: AuditRecord[]): Html {
  if (!records.length) return html`<p class="muted" data-testid="support-attempts">Событий в журнале нет.</p>`;
  return html`<table class="sup" data-testid="support-attempts"><tr><th>Время</th><th>Действие</th><th>Итог</th><th>Код обращения</th></tr>
${records.map(
  (r) =>
    html`<tr><td>${when(r.ts)}<br><span class="muted">${r.ip}</span></td><td>${r.action}${r.operator ? html`<br><span class="muted">оператор ${r.operator}</span>` : ''}</td><td>${outcomeTitles[r.outcome]}${r.code ? html`<br>${codeTitle(r.code)}` : ''}</td><td>${r.ref ? html`<a href="/support/ref?code=${r.ref}">${r.ref}</a>` : ''}</td></tr>`,
)}</table>`;
}

/** What a reference code looks like, for the operator who typed one that is not found. */
const codeShape = 'Код — 8 знаков, например 7KQ2-M9XD: латинские буквы без O и I и цифры от 2 до 9; регистр, пробелы и дефис не важны.';

/** `code` is the canonical form of what was typed, or the input itself when it cannot be a code (`wellFormed` false). */
export function refPage(user: ConsoleUser, v: { code: string; wellFormed: boolean; found: { record: AuditRecord; story: AuditRecord[] } | null; account?: Account }): Html {
  if (!v.found) {
    const why = v.wellFormed
      ? html`В журнале аудита эмулятора нет записи с кодом <code>${v.code}</code>. Проверьте код с клиентом. ${codeShape} Код со страницы ошибки самой системы (например ФМРМ) хранится в её журнале, а не здесь.`
      : html`«${v.code}» — не код обращения. ${codeShape}`;
    return page(
      `Код ${v.code} — консоль поддержки`,
      'support-ref',
      user,
      html`<h1>Код обращения ${v.code}</h1><p data-testid="support-ref-missing" data-well-formed="${String(v.wellFormed)}">${why}</p><p><a href="/support">← к поиску</a></p>`,
    );
  }
  const { record, story } = v.found;
  const found: CatalogueEntry | undefined = record.code && isErrorCode(record.code) ? catalogue[record.code as ErrorCode] : undefined;
  // A code that went by e-mail (recovering access) has the entry's e-mail wording, where it has one.
  const entry = found && { title: found.title, ...((record.details?.channel === 'email' && found.byEmail) || found) };
  return page(
    `Код ${v.code} — консоль поддержки`,
    'support-ref',
    user,
    html`<h1>Попытка по коду <code data-testid="support-ref-code">${v.code}</code></h1>
<table class="sup" data-testid="support-ref-summary">
<tr><th>Время</th><td data-testid="support-ref-time">${when(record.ts)}</td></tr>
<tr><th>IP-адрес</th><td data-testid="support-ref-ip">${record.ip}</td></tr>
<tr><th>Учётная запись</th><td data-testid="support-ref-account">${v.account ? html`<a href="/support/accounts/${v.account.oid}">${fullName(v.account)}</a> (oid ${v.account.oid})` : (record.account ?? 'не определена (логин не найден или не введён)')}</td></tr>
<tr><th>Система</th><td>${record.client ?? '—'}</td></tr>
${record.run ? html`<tr><th>Прогон</th><td>${record.run}</td></tr>` : ''}
<tr><th>Ошибка</th><td data-testid="support-ref-error" data-code="${record.code ?? ''}">${record.code ? codeTitle(record.code) : 'нет'}</td></tr>
</table>
${
  entry
    ? html`<div class="alert info" data-testid="support-ref-explanation"><strong>${entry.title}</strong>${entry.message}<br><b>Что сказать и проверить:</b> ${entry.support}</div>`
    : ''
}
${record.details ? html`<details class="dev"><summary>Подробности для разработчиков</summary><pre data-testid="support-ref-details">${JSON.stringify(record.details, null, 2)}</pre></details>` : ''}
<h2>Все шаги этой попытки</h2>
<ol data-testid="support-ref-steps">${story.map(
      (r) =>
        html`<li${r.ref === record.ref ? html` data-testid="support-ref-this"` : ''}>${when(r.ts)} — ${r.action} — ${outcomeTitles[r.outcome]}${r.status ? ` (HTTP ${r.status})` : ''}${r.code ? html` — ${codeTitle(r.code)}` : ''}${r.ref ? html` — код ${r.ref}` : ''}</li>`,
    )}</ol>
<p><a href="/support">← к поиску</a></p>`,
  );
}
