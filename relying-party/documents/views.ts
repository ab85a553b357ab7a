/*
 * The documents' screens: the list with its filter (documents), the upload form (documents-upload)
 * and one document with its files and history (document). A refusal of a form is shown next to its
 * field on the same screen, and named on <body data-error-code> for tests and the trainer gallery.
 */
import { html, type Html } from '../../lib/html.ts';
import { moscowTime } from '../../lib/moscow_time.ts';
import type { Brand } from '../views/layout.ts';
import { page } from '../views/layout.ts';
import {
  type DocumentStatus,
  type DocumentType,
  documentStatuses,
  documentTypes,
  type HistoryEntry,
  type PersonDocument,
  statusRequestRule,
  visibleFiles,
  visibleHistory,
} from './model.ts';
import { megabytes } from './upload.ts';

/** A refusal to show by a form's field. */
export interface FormRefusal {
  code: string;
  message: string;
}

const accept = 'application/pdf,image/jpeg,image/png,.pdf,.jpg,.jpeg,.png';

export function statusBadge(status: DocumentStatus): Html {
  const s = documentStatuses[status];
  return html`<span class="badge ${s.css}" data-testid="document-status" data-status="${status}">${s.label}</span>`;
}

/** The date alone, in Moscow: «25.11.2026». */
const day = (iso: string | number) => moscowTime(iso).replace(/, \d\d:\d\d \(МСК\)$/, '');

function options<K extends string>(all: Record<K, string>, chosen: string | undefined, anyLabel?: string): Html {
  const list = Object.entries<string>(all).map(
    ([value, label]) => html`<option value="${value}"${value === chosen ? html` selected` : ''}>${label}</option>`,
  );
  return html`${anyLabel ? html`<option value="">${anyLabel}</option>` : ''}${list}`;
}

const statusLabels = Object.fromEntries(Object.entries(documentStatuses).map(([k, v]) => [k, v.label])) as Record<
  DocumentStatus,
  string
>;

export function documentsPage(
  brand: Brand,
  nav: Html,
  view: { documents: PersonDocument[]; total: number; type?: DocumentType; status?: DocumentStatus },
): Html {
  const rows = view.documents.map(
    (d) => html`<tr data-testid="document-row" data-id="${d.id}" data-type="${d.type}" data-status="${d.status}">
<td><a href="/documents/${d.id}" data-testid="document-link">${d.title}</a><div class="muted">${documentTypes[d.type]}</div>${
      d.status === 'rejected' && d.comment
        ? html`<div class="field-error" data-testid="document-comment">Причина: ${d.comment}</div>`
        : ''
    }</td>
<td>${statusBadge(d.status)}</td>
<td>${day(d.submittedAt)}</td></tr>`,
  );
  const filtered = view.type || view.status;
  return page(brand, {
    screen: 'documents',
    title: 'Документы',
    body: html`${nav}<h1>Документы</h1>
<p>Документы, которые вы передали в регистр, и результат их проверки. Проверка обычно занимает до 7 дней.</p>
<form method="get" action="/documents" class="filters" data-testid="documents-filter">
<label>Тип <select name="type" data-testid="filter-type">${options(documentTypes, view.type, 'Все типы')}</select></label>
<label>Статус <select name="status" data-testid="filter-status">${options(statusLabels, view.status, 'Все статусы')}</select></label>
<button class="secondary" type="submit" data-testid="filter-apply">Показать</button>
${filtered ? html`<a href="/documents" data-testid="filter-reset">Сбросить</a>` : ''}
</form>
<p class="muted" data-testid="documents-count">Показано ${String(view.documents.length)} из ${String(view.total)}.</p>
${
  rows.length
    ? html`<table class="list" data-testid="documents-table"><tr><th>Документ</th><th>Статус</th><th>Подан</th></tr>${rows}</table>`
    : html`<p data-testid="documents-empty">${filtered ? 'Нет документов с такими условиями.' : 'Документов пока нет.'}</p>`
}
<div class="actions"><a class="button primary" href="/documents/upload" data-testid="upload-open">Загрузить документ</a></div>`,
  });
}

function fileField(maxBytes: number, refusal?: FormRefusal): Html {
  return html`<label>Файл (PDF, JPEG или PNG, до ${megabytes(maxBytes)}) <input type="file" name="file" accept="${accept}" required data-testid="upload-file"></label>
${refusal ? html`<p class="field-error" role="alert" data-testid="upload-error" data-code="${refusal.code}">${refusal.message}</p>` : ''}`;
}

export function uploadPage(
  brand: Brand,
  nav: Html,
  view: {
    maxBytes: number;
    type?: string;
    title?: string;
    refusal?: FormRefusal;
    typeError?: string;
    titleError?: string;
  },
  status?: number,
): Html {
  return page(brand, {
    screen: 'documents-upload',
    title: 'Загрузка документа',
    ...(view.refusal && status ? { bodyData: { 'error-code': view.refusal.code } } : {}),
    body: html`${nav}<h1>Загрузка документа</h1>
<form method="post" action="/documents/upload" enctype="multipart/form-data" class="stack" data-testid="upload-form">
<label>Тип документа <select name="type" required data-testid="upload-type">${options(documentTypes, view.type, 'Выберите тип')}</select></label>
${view.typeError ? html`<p class="field-error" role="alert" data-testid="upload-type-error">${view.typeError}</p>` : ''}
<label>Название и номер <input name="title" maxlength="200" value="${view.title ?? ''}" placeholder="Например: Сертификат специалиста № 0177241234567" data-testid="upload-title"></label>
${view.titleError ? html`<p class="field-error" role="alert" data-testid="upload-title-error">${view.titleError}</p>` : ''}
${fileField(view.maxBytes, view.refusal)}
<div class="actions"><button class="primary" type="submit" data-testid="upload-submit">Загрузить</button><a class="button secondary" href="/documents">Отмена</a></div>
</form>
<p class="muted">Формат проверяется по содержимому файла: переименованный файл другого формата не примется.</p>`,
  });
}

export const eventLabels: Record<HistoryEntry['event'], string> = {
  uploaded: 'Загружен',
  reuploaded: 'Загружен повторно',
  accepted: 'Принят',
  rejected: 'Отклонён',
  status_requested: 'Запрошен статус',
};

export function documentPage(
  brand: Brand,
  nav: Html,
  view: { doc: PersonDocument; now: number; maxBytes: number; done?: string; refusal?: FormRefusal; status?: number },
): Html {
  const { doc, now } = view;
  const files = visibleFiles(doc, now);
  const current = doc.files.at(-1);
  const history = visibleHistory(doc, now);
  const rule = statusRequestRule(doc, now);
  const fileName = (id?: string) => doc.files.find((f) => f.id === id)?.name;
  const statusAction =
    doc.status !== 'review'
      ? ''
      : rule.allowed
        ? html`<form method="post" action="/documents/${doc.id}/status-request"><button class="secondary" data-testid="request-status">Запросить статус</button></form>`
        : // Shown but not offered: the server refuses an early request with the same reason (rp.status_too_early).
          html`<form method="post" action="/documents/${doc.id}/status-request"><button class="secondary" disabled data-testid="request-status-disabled">Запросить статус</button></form>
<p class="muted" data-testid="request-status-later">Запросить статус можно с ${rule.from ? day(rule.from) : '—'}: ${doc.statusRequestedAt ? 'через 7 дней после предыдущего запроса' : 'когда документ пробудет на проверке 7 дней'}.</p>`;
  // A refusal goes by its form: the re-upload's file field, else under the status line.
  const byFileField = doc.status === 'rejected' && view.refusal?.code !== 'rp.status_too_early';
  const requestRefusal =
    view.refusal && !byFileField
      ? html`<p class="field-error" role="alert" data-testid="${view.refusal.code === 'rp.status_too_early' ? 'request-status-error' : 'document-error'}">${view.refusal.message}</p>`
      : '';
  const reupload =
    doc.status === 'rejected'
      ? html`<h2>Повторная загрузка</h2>
<p>Загрузите исправленный файл: отклонённый останется в истории документа.</p>
<form method="post" action="/documents/${doc.id}/reupload" enctype="multipart/form-data" class="stack" data-testid="reupload-form">
${fileField(view.maxBytes, byFileField ? view.refusal : undefined)}
<div class="actions"><button class="primary" type="submit" data-testid="reupload-submit">Загрузить повторно</button></div>
</form>`
      : '';
  const done = view.done ? html`<p class="done" role="status" data-testid="document-done">${view.done}</p>` : '';
  return page(brand, {
    screen: 'document',
    title: doc.title,
    ...(view.refusal && view.status ? { bodyData: { 'error-code': view.refusal.code } } : {}),
    body: html`${nav}<p><a href="/documents" data-testid="back-to-documents">← Все документы</a></p>
<h1 data-testid="document-title" data-id="${doc.id}">${doc.title}</h1>
${done}
<table>
<tr><th>Тип</th><td data-testid="document-type">${documentTypes[doc.type]}</td></tr>
<tr><th>Статус</th><td>${statusBadge(doc.status)}</td></tr>
${doc.comment ? html`<tr><th>Комментарий проверяющего</th><td data-testid="document-comment">${doc.comment}</td></tr>` : ''}
<tr><th>${doc.status === 'review' ? 'На проверке с' : 'Подан'}</th><td data-testid="document-submitted">${day(doc.submittedAt)}</td></tr>
${current ? html`<tr><th>Файл</th><td><a href="/documents/${doc.id}/file" data-testid="document-download">${current.name}</a></td></tr>` : ''}
</table>
${statusAction}${requestRefusal}
${reupload}
<h2>Файлы</h2>
<ul data-testid="document-files">${files.map(
      (f) =>
        html`<li data-testid="document-file" data-file="${f.id}"><a href="/documents/${doc.id}/file?v=${f.id}">${f.name}</a> <span class="muted">загружен ${day(f.uploadedAt)}${f === current ? ' · текущий' : ''}</span></li>`,
    )}</ul>
<h2>История</h2>
${
  history.length
    ? html`<ul data-testid="document-history">${history.map(
        (e) =>
          html`<li data-testid="history-entry" data-event="${e.event}"><strong>${moscowTime(e.at)}</strong> — ${eventLabels[e.event]}${e.fileId && fileName(e.fileId) ? html` (${fileName(e.fileId)})` : ''}${e.by ? html`, ${e.by}` : ''}${e.comment ? html`: «${e.comment}»` : ''}</li>`,
      )}</ul>`
    : ''
}
<p class="muted">История хранится 12 месяцев: более ранние записи не показываются.</p>`,
  });
}
