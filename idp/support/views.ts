/*
 * Pages of the support console (/support), in Russian: sign-in, search, account card with the
 * actions the operator's role allows, the story of an attempt by its reference code. Every page is
 * marked as the test stand (layout) and carries data-screen, data-testid and the form's CSRF token.
 */
import { html, type Html } from '../../lib/html.ts';
import type { AuditRecord } from '../adapters/audit_journal.ts';
import { fullName, type Account } from '../domain/account.ts';
import { catalogue, type CatalogueEntry, isErrorCode, type ErrorCode } from '../errors/catalogue.ts';
import { foreignErrorAction } from '../errors/reference.ts';
import { moscowTime, type Outage } from '../domain/outage.ts';
import { failureAlert, failureReference, type Failure } from '../views/failure.ts';
import { may } from './operators.ts';
import { type ConsoleUser, codeTitle, csrfField, outcomeTitles, page, when } from './views_frame.ts';

export { type AccountView, accountPage, type CertificateView } from './views_account.ts';
export { type ConsoleUser, supportStylesheet, supportStylesheetPath } from './views_frame.ts';

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

export const searchKinds = {
  auto: 'определить по вводу',
  name: 'ФИО',
  phone: 'телефон',
  email: 'эл. почта',
  snils: 'СНИЛС',
  fmrm: 'номер в ФМРМ',
} as const;
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

export function homePage(
  user: ConsoleUser,
  view: { query?: string; kind?: SearchKind; results?: FoundAccount[]; notice?: Html; outage: OutageView },
): Html {
  const kind = view.kind ?? 'auto';
  return page(
    'Консоль поддержки',
    view.results ? 'support-search' : 'support-home',
    user,
    html`${view.notice ?? ''}${outagePanel(user, view.outage)}<h1>Поиск пользователя</h1>
<form method="get" action="/support/search" class="row" data-testid="support-search-form">
<div><label for="q">ФИО, телефон, почта, СНИЛС или номер в ФМРМ</label><input type="text" id="q" name="q" value="${view.query ?? ''}" data-testid="support-query"></div>
<div class="sup-kind"><label for="kind">Искать как</label><select id="kind" name="kind" data-testid="support-kind">${Object.entries(
      searchKinds,
    ).map(([k, t]) => html`<option value="${k}"${k === kind ? ' selected' : ''}>${t}</option>`)}</select></div>
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
<div class="row"><div><label for="outage-mode">Режим</label><select id="outage-mode" name="mode" data-testid="support-outage-mode-select">${Object.entries(
        outageModes,
      ).map(
        ([k, t]) =>
          html`<option value="${k}"${k === (f.mode ?? o?.mode ?? 'maintenance') ? ' selected' : ''}>${t}</option>`,
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
  const readOnly = !may(user.role, 'announce_outage')
    ? html`<p class="muted">Объявить или завершить работы может старший оператор.</p>`
    : '';
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

/** What a relying party sent along with its error screen's code (idp/control/references.ts). */
interface ForeignScreen {
  systemTitle?: string;
  title: string;
  message: string;
  remedy?: string;
  support?: string;
  method?: string;
  path?: string;
}

/** What a reference code looks like, for the operator who typed one that is not found. */
const codeShape =
  'Код — 8 знаков, например 7KQ2-M9XD: латинские буквы без O и I и цифры от 2 до 9; регистр, пробелы и дефис не важны.';

/** `code` is the canonical form of what was typed, or the input itself when it cannot be a code (`wellFormed` false). */
export function refPage(
  user: ConsoleUser,
  v: {
    code: string;
    wellFormed: boolean;
    found: { record: AuditRecord; story: AuditRecord[] } | null;
    account?: Account;
  },
): Html {
  if (!v.found) {
    const why = v.wellFormed
      ? html`В журнале аудита эмулятора нет записи с кодом <code>${v.code}</code>. Проверьте код с клиентом. ${codeShape} Коды со страниц ошибок ФМРМ и Портала НМО тоже записываются сюда; если система в тот момент не смогла связаться с эмулятором, код остался в её собственном журнале (файл rp-&lt;система&gt;-references.jsonl в папке данных).`
      : html`«${v.code}» — не код обращения. ${codeShape}`;
    return page(
      `Код ${v.code} — консоль поддержки`,
      'support-ref',
      user,
      html`<h1>Код обращения ${v.code}</h1><p data-testid="support-ref-missing" data-well-formed="${String(v.wellFormed)}">${why}</p><p><a href="/support">← к поиску</a></p>`,
    );
  }
  const { record, story } = v.found;
  // Another system's error screen (a relying party's): its own catalogue's texts came with the record.
  const foreign = record.action === foreignErrorAction ? (record.details as ForeignScreen | undefined) : undefined;
  const found: CatalogueEntry | undefined =
    record.code && isErrorCode(record.code) ? catalogue[record.code as ErrorCode] : undefined;
  // A code that went by e-mail (recovering access) has the entry's e-mail wording, where it has one.
  const entry = foreign
    ? { title: foreign.title, message: foreign.message, support: foreign.support ?? 'система не сообщила' }
    : found && { title: found.title, ...((record.details?.channel === 'email' && found.byEmail) || found) };
  return page(
    `Код ${v.code} — консоль поддержки`,
    'support-ref',
    user,
    html`<h1>Попытка по коду <code data-testid="support-ref-code">${v.code}</code></h1>
<table class="sup" data-testid="support-ref-summary">
<tr><th>Время</th><td data-testid="support-ref-time">${when(record.ts)}</td></tr>
<tr><th>IP-адрес</th><td data-testid="support-ref-ip">${record.ip}</td></tr>
<tr><th>Учётная запись</th><td data-testid="support-ref-account">${v.account ? html`<a href="/support/accounts/${v.account.oid}">${fullName(v.account)}</a> (oid ${v.account.oid})` : (record.account ?? 'не определена (логин не найден или не введён)')}</td></tr>
<tr><th>Система</th><td data-testid="support-ref-system" data-system="${record.client ?? ''}">${foreign?.systemTitle ? `${foreign.systemTitle} (${record.client})` : (record.client ?? '—')}</td></tr>
${foreign ? html`<tr><th>Страница</th><td data-testid="support-ref-page">${foreign.method ?? ''} ${foreign.path ?? ''}${record.status ? ` — HTTP ${record.status}` : ''}</td></tr>` : ''}
${record.run ? html`<tr><th>Прогон</th><td>${record.run}</td></tr>` : ''}
<tr><th>Ошибка</th><td data-testid="support-ref-error" data-code="${record.code ?? ''}">${foreign ? `${foreign.title} (${record.code})` : record.code ? codeTitle(record.code) : 'нет'}</td></tr>
</table>
${
  entry
    ? html`<div class="alert info" data-testid="support-ref-explanation"><strong>${entry.title}</strong>${entry.message}${foreign?.remedy ? html`<br><b>Что предложено человеку:</b> ${foreign.remedy}` : ''}<br><b>Что сказать и проверить:</b> ${entry.support}</div>`
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
