/*
 * The reviewer console's documents section: the queue of documents on review across the run's people
 * (the longest waiting first), one document with its files and history, and the decision: accept, or
 * reject with a comment the person reads.
 */
import type { Context } from 'koa';
import { html } from '../../lib/html.ts';
import { moscowTime } from '../../lib/moscow_time.ts';
import { pluralForm } from '../../lib/russian_plural.ts';
import { RpError } from '../errors.ts';
import type { ReviewerHelpers, ReviewerSection, ReviewerSignedIn } from '../reviewer/console.ts';
import { sendDocumentFile } from './download.ts';
import {
  anyDocument,
  decisionProblem,
  documentTypes,
  type PersonDocument,
  review,
  reviewQueue,
  visibleFiles,
  visibleHistory,
} from './model.ts';
import type { DocumentFiles } from './storage.ts';
import { eventLabels, statusBadge } from './views.ts';

const dayMs = 24 * 60 * 60_000;

export function documentsReviewSection(files: DocumentFiles): ReviewerSection {
  const path = '/documents';
  return {
    path,
    title: 'Документы на проверке',
    mount(router, h) {
      const ownerName = (who: ReviewerSignedIn, doc: PersonDocument) => {
        const r = who.ws.data.records[doc.owner];
        return r ? `${r.lastName} ${r.firstName} ${r.middleName}, СНИЛС ${r.snils}` : `СНИЛС ${doc.owner}`;
      };
      const docOf = (who: ReviewerSignedIn, id: string) => {
        const doc = anyDocument(who.ws, id);
        if (!doc)
          throw new RpError('rp.document_not_found', [], `reviewer ${who.login}: no document ${id.slice(0, 40)}`);
        return doc;
      };
      const showDocument = (ctx: Context, who: ReviewerSignedIn, doc: PersonDocument, problem?: string, comment = '') =>
        h.send(
          ctx,
          who,
          {
            section: path,
            screen: 'reviewer-document',
            title: doc.title,
            body: reviewDocumentBody(h, who, doc, ownerName(who, doc), { problem, comment }),
          },
          problem ? 400 : 200,
        );

      router.get(path, async (ctx) => {
        const who = await h.reviewer(ctx);
        if (!who) return;
        const now = who.ws.clock.now();
        const queue = reviewQueue(who.ws);
        const rows = queue.map((d) => {
          const days = Math.floor((now - Date.parse(d.submittedAt)) / dayMs);
          return html`<tr data-testid="queue-row" data-id="${d.id}"><td><a href="/reviewer/documents/${d.id}" data-testid="queue-open">${d.title}</a><div class="muted">${documentTypes[d.type]} · ${ownerName(who, d)}</div></td>
<td data-testid="queue-days">${String(days)} ${pluralForm(days, ['день', 'дня', 'дней'])}${days >= 7 ? html` <span class="badge bad">дольше 7 дней</span>` : ''}${d.statusRequestedAt ? html` <span class="badge wait" data-testid="queue-status-requested">запрошен статус</span>` : ''}</td></tr>`;
        });
        h.send(ctx, who, {
          section: path,
          screen: 'reviewer-queue',
          title: 'Документы на проверке',
          body: html`<h1>Документы на проверке</h1>
<p class="muted" data-testid="queue-count">В очереди: ${String(queue.length)}. Сначала те, что ждут дольше.</p>
${rows.length ? html`<table class="list" data-testid="review-queue"><tr><th>Документ</th><th>На проверке</th></tr>${rows}</table>` : html`<p data-testid="queue-empty">Очередь пуста.</p>`}`,
        });
      });

      router.get(`${path}/:id`, async (ctx) => {
        const who = await h.reviewer(ctx);
        if (who) showDocument(ctx, who, docOf(who, ctx.params.id!));
      });

      router.get(`${path}/:id/file`, async (ctx) => {
        const who = await h.reviewer(ctx);
        if (!who) return;
        const doc = docOf(who, ctx.params.id!);
        const wanted = typeof ctx.query.v === 'string' ? ctx.query.v : doc.files.at(-1)?.id;
        const file = doc.files.find((f) => f.id === wanted);
        if (!file)
          throw new RpError(
            'rp.document_not_found',
            [],
            `document ${doc.id} has no file ${String(wanted).slice(0, 40)}`,
          );
        await sendDocumentFile(ctx, files, who.ws.id, file);
      });

      router.post(`${path}/:id/decision`, async (ctx) => {
        const who = await h.reviewer(ctx);
        if (!who) return;
        const doc = docOf(who, ctx.params.id!);
        const decision = h.field(ctx, 'decision');
        const comment = h.field(ctx, 'comment').trim();
        const problem = decisionProblem(doc, decision, comment);
        if (problem) return showDocument(ctx, who, doc, problem, comment);
        review(who.ws, doc, decision as 'accepted' | 'rejected', comment, who.name);
        h.log({ event: 'document_reviewed', id: doc.id, decision, reviewer: who.login });
        h.flash(who, `«${doc.title}»: ${decision === 'accepted' ? 'принят' : 'отклонён'}.`);
        ctx.status = 303;
        ctx.redirect('/reviewer/documents');
      });
    },
  };
}

function reviewDocumentBody(
  h: ReviewerHelpers,
  who: ReviewerSignedIn,
  doc: PersonDocument,
  owner: string,
  form: { problem?: string; comment: string },
) {
  const now = who.ws.clock.now();
  const decisionForm =
    doc.status === 'review'
      ? html`<h2>Решение</h2>
<form method="post" action="/reviewer/documents/${doc.id}/decision" class="stack" data-testid="decision-form">${h.tokenField(who)}
<label>Комментарий (обязателен при отклонении) <textarea name="comment" rows="3" maxlength="1000" data-testid="decision-comment">${form.comment}</textarea></label>
${form.problem ? html`<p class="field-error" role="alert" data-testid="decision-error">${form.problem}</p>` : ''}
<div class="actions"><button class="primary" name="decision" value="accepted" data-testid="decision-accept">Принять</button><button class="secondary" name="decision" value="rejected" data-testid="decision-reject">Отклонить</button></div>
</form>`
      : html`<p data-testid="decision-done">Решение уже принято.</p>`;
  return html`<p><a href="/reviewer/documents">← Очередь</a></p>
<h1 data-testid="document-title">${doc.title}</h1>
<table>
<tr><th>Владелец</th><td data-testid="document-owner">${owner}</td></tr>
<tr><th>Тип</th><td>${documentTypes[doc.type]}</td></tr>
<tr><th>Статус</th><td>${statusBadge(doc.status)}</td></tr>
<tr><th>На проверке с</th><td>${moscowTime(doc.submittedAt)}</td></tr>
${doc.statusRequestedAt ? html`<tr><th>Статус запрошен</th><td data-testid="status-requested-at">${moscowTime(doc.statusRequestedAt)}</td></tr>` : ''}
</table>
<h2>Файлы</h2>
<ul>${visibleFiles(doc, now).map((f) => html`<li><a href="/reviewer/documents/${doc.id}/file?v=${f.id}" data-testid="review-file">${f.name}</a> <span class="muted">${moscowTime(f.uploadedAt)}</span></li>`)}</ul>
${decisionForm}
<h2>История</h2>
<ul>${visibleHistory(doc, now).map((e) => html`<li>${moscowTime(e.at)} — ${eventLabels[e.event]}${e.by ? html`, ${e.by}` : ''}${e.comment ? html`: «${e.comment}»` : ''}</li>`)}</ul>`;
}
