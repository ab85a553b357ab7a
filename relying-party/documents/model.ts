/*
 * A person's documents (G5) in a run's data: each document has a type, a status (принят, на проверке,
 * отклонён with the reviewer's comment), its file versions (a re-upload keeps the rejected file) and
 * its history. Every decision is by the run's clock: «Запросить статус» only after 7 days on review,
 * history and old file versions older than 12 months leave the page. Every change of status notifies
 * the person (notifications.ts).
 */
import { randomBytes } from 'node:crypto';
import { pluralForm } from '../../lib/russian_plural.ts';
import type { RpData } from '../data.ts';
import { notify } from '../notifications.ts';
import { snilsKey } from '../register.ts';
import type { Workspace } from '../workspaces.ts';

export const documentTypes = {
  license: 'Лицензия',
  certificate: 'Сертификат специалиста',
  accreditation: 'Свидетельство об аккредитации',
  diploma: 'Диплом',
  qualification: 'Удостоверение о повышении квалификации',
  statement: 'Справка',
} as const;
export type DocumentType = keyof typeof documentTypes;

export const documentStatuses = {
  accepted: { label: 'Принят', css: 'ok' },
  review: { label: 'На проверке', css: 'wait' },
  rejected: { label: 'Отклонён', css: 'bad' },
} as const;
export type DocumentStatus = keyof typeof documentStatuses;

export const isDocumentType = (v: unknown): v is DocumentType =>
  typeof v === 'string' && Object.hasOwn(documentTypes, v);
export const isDocumentStatus = (v: unknown): v is DocumentStatus =>
  typeof v === 'string' && Object.hasOwn(documentStatuses, v);

export interface FileVersion {
  /** Generated: the name on disk. Never the person's file name. */
  id: string;
  /** The person's file name, display text only. */
  name: string;
  size: number;
  /** Sniffed from the content (sniff.ts), the download's Content-Type. */
  contentType: string;
  uploadedAt: string;
  /** A seeded document's file: not on disk, the download is drawn from the document (seeded_file.ts). */
  seeded?: true;
}

export interface HistoryEntry {
  at: string;
  event: 'uploaded' | 'reuploaded' | 'accepted' | 'rejected' | 'status_requested';
  /** The reviewer's ФИО for a decision. */
  by?: string;
  comment?: string;
  fileId?: string;
}

export interface PersonDocument {
  id: string;
  /** СНИЛС digits of the owner. */
  owner: string;
  type: DocumentType;
  /** e.g. «Сертификат специалиста № 0177241234567». */
  title: string;
  status: DocumentStatus;
  /** The reviewer's comment on the last decision (required for a rejection). */
  comment?: string;
  /** When the current review began (the upload or re-upload). */
  submittedAt: string;
  /** The last «Запросить статус» in the current review. */
  statusRequestedAt?: string;
  /** Oldest first; the last one is the current file. */
  files: FileVersion[];
  /** Oldest first. */
  history: HistoryEntry[];
}

export type WithDocuments = RpData & { documents?: Record<string, PersonDocument> };

const dayMs = 24 * 60 * 60_000;
/** «Запросить статус» is offered after this long on review, and again this long after a request. */
export const statusRequestAfterMs = 7 * dayMs;

/** The instant 12 months before `now`: history older than that is not kept on the page. */
export function historyHorizon(now: number): number {
  const d = new Date(now);
  d.setUTCFullYear(d.getUTCFullYear() - 1);
  return d.getTime();
}

export const newId = () => randomBytes(9).toString('base64url');

function table(ws: Workspace): Record<string, PersonDocument> {
  return ((ws.data as WithDocuments).documents ??= {});
}

export function allDocuments(ws: Workspace): PersonDocument[] {
  return Object.values((ws.data as WithDocuments).documents ?? {});
}

/** The person's documents, the newest review first. */
export function documentsOf(ws: Workspace, snils: string): PersonDocument[] {
  const owner = snilsKey(snils);
  return allDocuments(ws)
    .filter((d) => d.owner === owner)
    .sort((a, b) => b.submittedAt.localeCompare(a.submittedAt));
}

/** One of the person's own documents; someone else's id is the same undefined as a missing one. */
export function ownDocument(ws: Workspace, snils: string, id: string): PersonDocument | undefined {
  const doc = Object.hasOwn(table(ws), id) ? table(ws)[id] : undefined;
  return doc && doc.owner === snilsKey(snils) ? doc : undefined;
}

export function anyDocument(ws: Workspace, id: string): PersonDocument | undefined {
  return Object.hasOwn(table(ws), id) ? table(ws)[id] : undefined;
}

/** What the page shows of the history: the last 12 months by the run's clock, newest first. */
export function visibleHistory(doc: PersonDocument, now: number): HistoryEntry[] {
  const horizon = historyHorizon(now);
  return doc.history.filter((e) => Date.parse(e.at) >= horizon).reverse();
}

/** The file versions kept: the current one always, earlier ones for 12 months after they were replaced. */
export function visibleFiles(doc: PersonDocument, now: number): FileVersion[] {
  const horizon = historyHorizon(now);
  return doc.files.filter(
    (_file, i) => i === doc.files.length - 1 || Date.parse(doc.files[i + 1]!.uploadedAt) >= horizon,
  );
}

/** Documents on review across the run's people, the longest waiting first: the reviewer's queue. */
export function reviewQueue(ws: Workspace): PersonDocument[] {
  return allDocuments(ws)
    .filter((d) => d.status === 'review')
    .sort((a, b) => a.submittedAt.localeCompare(b.submittedAt));
}

export type StatusRequest = { allowed: true } | { allowed: false; reason: string; from?: number };

/** Whether «Запросить статус» may be pressed now, and if not, why, in the person's words. */
export function statusRequestRule(doc: PersonDocument, now: number): StatusRequest {
  if (doc.status !== 'review')
    return { allowed: false, reason: `Документ уже проверен: ${documentStatuses[doc.status].label.toLowerCase()}.` };
  const since = Date.parse(doc.statusRequestedAt ?? doc.submittedAt);
  const from = since + statusRequestAfterMs;
  if (now >= from) return { allowed: true };
  const days = Math.floor((now - Date.parse(doc.submittedAt)) / dayMs);
  return {
    allowed: false,
    from,
    reason: doc.statusRequestedAt
      ? 'Статус уже запрошен: повторный запрос возможен через 7 дней после предыдущего.'
      : `Документ на проверке ${days} ${pluralForm(days, ['день', 'дня', 'дней'])}: запросить статус можно, когда проверка длится 7 дней и больше.`,
  };
}

const at = (ws: Workspace) => new Date(ws.clock.now()).toISOString();
const link = (doc: PersonDocument) => `/documents/${doc.id}`;

export function requestStatus(ws: Workspace, doc: PersonDocument): void {
  doc.statusRequestedAt = at(ws);
  doc.history.push({ at: doc.statusRequestedAt, event: 'status_requested' });
  notify(ws, doc.owner, {
    kind: 'document.status_requested',
    title: 'Статус документа запрошен',
    text: `Запрос о ходе проверки документа «${doc.title}» передан проверяющему.`,
    link: link(doc),
  });
}

/** A new document from an upload, on review. */
export function addDocument(
  ws: Workspace,
  snils: string,
  fields: { type: DocumentType; title: string },
  file: FileVersion,
): PersonDocument {
  const doc: PersonDocument = {
    id: newId(),
    owner: snilsKey(snils),
    ...fields,
    status: 'review',
    submittedAt: file.uploadedAt,
    files: [file],
    history: [{ at: file.uploadedAt, event: 'uploaded', fileId: file.id }],
  };
  table(ws)[doc.id] = doc;
  notify(ws, doc.owner, {
    kind: 'document.uploaded',
    title: 'Документ загружен',
    text: `«${doc.title}» передан на проверку. Обычно проверка занимает до 7 дней.`,
    link: link(doc),
  });
  return doc;
}

/** «Повторная загрузка» of a rejected document: the new file is current, the rejected one stays in the history. */
export function replaceFile(ws: Workspace, doc: PersonDocument, file: FileVersion): void {
  doc.files.push(file);
  doc.status = 'review';
  delete doc.comment;
  delete doc.statusRequestedAt;
  doc.submittedAt = file.uploadedAt;
  doc.history.push({ at: file.uploadedAt, event: 'reuploaded', fileId: file.id });
  notify(ws, doc.owner, {
    kind: 'document.uploaded',
    title: 'Документ загружен повторно',
    text: `Новый файл документа «${doc.title}» передан на проверку.`,
    link: link(doc),
  });
}

/** The reviewer's decision. A rejection carries the comment the person reads. */
export function review(
  ws: Workspace,
  doc: PersonDocument,
  decision: 'accepted' | 'rejected',
  comment: string,
  by: string,
): void {
  doc.status = decision;
  if (comment) doc.comment = comment;
  else delete doc.comment;
  delete doc.statusRequestedAt;
  doc.history.push({ at: at(ws), event: decision, by, ...(comment ? { comment } : {}) });
  notify(
    ws,
    doc.owner,
    decision === 'accepted'
      ? {
          kind: 'document.accepted',
          title: 'Документ принят',
          text: `«${doc.title}» проверен и принят.${comment ? ` Комментарий проверяющего: ${comment}` : ''}`,
          link: link(doc),
        }
      : {
          kind: 'document.rejected',
          title: 'Документ отклонён',
          text: `«${doc.title}» отклонён. Причина: ${comment} Загрузите исправленный файл на странице документа.`,
          link: link(doc),
        },
  );
}

/** Why a reviewer's decision cannot be taken (developer's words for the control API, shown in the console too), or undefined. */
export function decisionProblem(doc: PersonDocument, decision: unknown, comment: string): string | undefined {
  if (decision !== 'accepted' && decision !== 'rejected')
    return 'Решение — «accepted» (принять) или «rejected» (отклонить).';
  if (doc.status !== 'review')
    return `Документ уже проверен (${documentStatuses[doc.status].label.toLowerCase()}): решение принимают только по документам на проверке.`;
  if (decision === 'rejected' && !comment.trim())
    return 'Для отклонения нужен комментарий: человек прочитает в нём, что исправить.';
  if (comment.length > 1000) return 'Комментарий не длиннее 1000 символов.';
  return undefined;
}
