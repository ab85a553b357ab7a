/*
 * The personal-data screens (G4): what the register holds (rp-personal), the edit form with a
 * message next to each refused field (rp-personal-edit), and the journal of versions with
 * «Восстановить» (rp-personal-history). Test ids name fields by their form names.
 */
import { html, type Html } from '../../lib/html.ts';
import { moscowDay, moscowTime, russianDate } from '../../lib/moscow_time.ts';
import { pluralForm } from '../../lib/russian_plural.ts';
import type { RegisterRecord } from '../register.ts';
import { describeAmr } from '../views/pages.ts';
import { type Brand, page } from '../views/layout.ts';
import {
  dateFields,
  type EditableField,
  editableFields,
  fieldLabels,
  gosuslugiFields,
  hints,
  type PersonalValues,
} from './fields.ts';
import type { Change, PersonalVersion, VersionSource } from './journal.ts';

export interface PersonalPageView {
  record: RegisterRecord;
  version: PersonalVersion;
  now: number;
  nav: Html;
  notice?: string;
}

/** A kept value as the page shows it: dates as ДД.ММ.ГГГГ, an empty one as «не указано». */
export function shown(field: string, value: string): string {
  if (!value) return 'не указано';
  return dateFields.has(field) ? russianDate(value) : value;
}

function experience(workStart: string, now: number): string {
  if (!workStart) return '';
  const today = moscowDay(now);
  let years = Number(today.slice(0, 4)) - Number(workStart.slice(0, 4));
  if (today.slice(5) < workStart.slice(5)) years--;
  return years < 1 ? ' (стаж меньше года)' : ` (стаж ${years} ${pluralForm(years, ['год', 'года', 'лет'])})`;
}

export function personalPage(brand: Brand, view: PersonalPageView): Html {
  const r = view.record;
  const v = view.version.values;
  const notice = view.notice ? html`<p class="info" data-testid="personal-notice">${view.notice}</p>` : '';
  const gosuslugi = gosuslugiFields.map(
    (f) =>
      html`<tr class="readonly"><th>${fieldLabels[f]}</th><td data-testid="personal-${f}">${shown(f, r[f])}</td></tr>`,
  );
  const rows = editableFields.map(
    (f) =>
      html`<tr><th>${fieldLabels[f]}</th><td data-testid="personal-${f}">${shown(f, v[f])}${f === 'workStart' ? experience(v[f], view.now) : ''}</td></tr>`,
  );
  return page(brand, {
    screen: 'rp-personal',
    title: 'Личные данные',
    body: html`<h1>Личные данные</h1>
${view.nav}
${notice}
<h2>Сведения из Госуслуг</h2>
<table>${gosuslugi}<tr class="readonly"><th>СНИЛС</th><td data-testid="personal-snils">${r.snils}</td></tr></table>
<p class="muted" data-testid="gosuslugi-note">Эти сведения приходят из Госуслуг и здесь не редактируются. Если они изменились (например, после смены фамилии), исправьте их на Госуслугах и нажмите «Обновить из Госуслуг».</p>
<form method="post" action="/personal/refresh"><button class="secondary" data-testid="refresh-gosuslugi">Обновить из Госуслуг</button></form>
<h2>Сведения регистра</h2>
<table>${rows}</table>
<p class="muted" data-testid="personal-version" data-version="${String(view.version.n)}">Версия ${String(view.version.n)} от ${moscowTime(view.version.at)}.</p>
<div class="actions">
<a class="button primary" href="/personal/edit" data-testid="personal-edit">Редактировать</a>
<a class="button secondary" href="/personal/history" data-testid="personal-history">История изменений</a>
</div>`,
  });
}

export interface EditView {
  record: RegisterRecord;
  /** The version the form was opened on: it goes back with the form (two tabs, one wins). */
  base: number;
  entered: PersonalValues;
  errors: Partial<Record<EditableField, string>>;
  nav: Html;
}

/** A kept value as the form offers it for editing: a date as ДД.ММ.ГГГГ. */
export function editable(values: PersonalValues): PersonalValues {
  return Object.fromEntries(
    editableFields.map((f) => [f, dateFields.has(f) ? russianDate(values[f]) : values[f]]),
  ) as PersonalValues;
}

const inputTypes: Partial<Record<EditableField, string>> = { phone: 'tel', email: 'email' };

export function editPage(brand: Brand, view: EditView): Html {
  const failed = Object.keys(view.errors).length;
  const r = view.record;
  const fields = editableFields.map((f) => {
    const error = view.errors[f];
    const hint = hints[f];
    return html`<label for="f-${f}">${fieldLabels[f]}</label>
<input type="${inputTypes[f] ?? 'text'}" id="f-${f}" name="${f}" value="${view.entered[f]}" data-testid="field-${f}"${error ? html` aria-invalid="true" aria-describedby="e-${f}"` : ''}>
${hint ? html`<p class="hint">${hint}</p>` : ''}${error ? html`<p class="field-error" id="e-${f}" data-testid="error-${f}">${error}</p>` : ''}`;
  });
  const summary = failed
    ? html`<p class="notice" data-testid="form-errors">Не сохранено: ${String(failed)} ${pluralForm(failed, ['поле заполнено', 'поля заполнены', 'полей заполнено'])} неверно. Исправьте отмеченные поля — остальное, что вы ввели, сохранено в форме.</p>`
    : '';
  return page(brand, {
    screen: 'rp-personal-edit',
    title: 'Редактирование личных данных',
    ...(failed ? { bodyData: { 'error-code': 'rp.personal_invalid' } } : {}),
    body: html`<h1>Редактирование личных данных</h1>
${view.nav}
${summary}
<p class="muted">ФИО, СНИЛС и дату рождения (${r.lastName} ${r.firstName} ${r.middleName}, ${r.snils}, ${russianDate(r.birthDate)}) передают Госуслуги: здесь их изменить нельзя.</p>
<form method="post" action="/personal/edit" novalidate>
<input type="hidden" name="version" value="${String(view.base)}">
${fields}
<div class="actions"><button class="primary" data-testid="personal-save">Сохранить</button><a class="button secondary" href="/personal" data-testid="personal-cancel">Отменить</a></div>
</form>`,
  });
}

const sourceLabels: Record<VersionSource, string> = {
  register: 'Запись регистра',
  edit: 'Изменено в личном кабинете',
  restore: 'Восстановлена версия',
  gosuslugi: 'Обновлено из Госуслуг',
};

export function changeText(c: Change): string {
  return `${fieldLabels[c.field]}: ${shown(c.field, c.from)} → ${shown(c.field, c.to)}`;
}

export function historyPage(brand: Brand, view: { versions: readonly PersonalVersion[]; nav: Html }): Html {
  const head = view.versions.at(-1)!;
  const rows = [...view.versions].reverse().map((v) => {
    const what = v.source === 'restore' ? `${sourceLabels.restore} ${String(v.restoredFrom)}` : sourceLabels[v.source];
    const changes = v.changes.length
      ? html`<ul>${v.changes.map((c) => html`<li>${changeText(c)}</li>`)}</ul>`
      : html`<span class="muted">исходные сведения</span>`;
    const action =
      v.n === head.n
        ? html`<span class="badge ok">текущая</span>`
        : html`<form method="post" action="/personal/history/restore"><input type="hidden" name="version" value="${String(v.n)}"><input type="hidden" name="base" value="${String(head.n)}"><button class="secondary" data-testid="restore-${String(v.n)}">Восстановить</button></form>`;
    return html`<tr data-testid="history-version" data-version="${String(v.n)}"><td>${String(v.n)}</td><td>${moscowTime(v.at)}</td><td>${what}<br><span class="muted">${v.amr.length ? `Вход: ${describeAmr(v.amr)}` : 'без входа через Госуслуги'}</span></td><td>${changes}</td><td>${action}</td></tr>`;
  });
  return page(brand, {
    screen: 'rp-personal-history',
    title: 'История изменений личных данных',
    body: html`<h1>История изменений</h1>
${view.nav}
<p>Каждое изменение личных данных сохраняется как версия: когда, что изменилось и каким способом вы вошли. «Восстановить» возвращает сведения регистра этой версии — это тоже новая версия, её можно отменить.</p>
<table class="grid" data-testid="history"><tr><th>№</th><th>Когда</th><th>Что</th><th>Изменения</th><th></th></tr>${rows}</table>
<div class="actions"><a class="button secondary" href="/personal" data-testid="personal-back">К личным данным</a></div>`,
  });
}
