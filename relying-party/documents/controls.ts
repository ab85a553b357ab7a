/*
 * The documents' control routes (loopback only, JSON), for scenarios and the trainer: find a
 * person's documents by СНИЛС, and take a reviewer's decision without the console.
 *   GET  /__control/documents?snils=112-233-401 83
 *   POST /__control/documents/:id/review {decision: 'accepted'|'rejected', comment?, by?}
 */
import { ControlError } from '../../lib/http/control_input.ts';
import type { ControlRoutes } from '../control.ts';
import { findRecord } from '../data.ts';
import { anyDocument, decisionProblem, documentsOf, type PersonDocument, review } from './model.ts';

const summary = (d: PersonDocument) => ({
  id: d.id,
  type: d.type,
  title: d.title,
  status: d.status,
  comment: d.comment ?? null,
  submittedAt: d.submittedAt,
  statusRequestedAt: d.statusRequestedAt ?? null,
  files: d.files.map((f) => ({
    id: f.id,
    name: f.name,
    size: f.size,
    contentType: f.contentType,
    uploadedAt: f.uploadedAt,
  })),
  history: d.history,
});

export const documentControls: ControlRoutes = (router, h) => {
  router.get('/documents', async (ctx) => {
    const ws = await h.workspaceOf(ctx);
    const snils = typeof ctx.query.snils === 'string' ? ctx.query.snils : '';
    if (!snils)
      throw new ControlError(400, 'control.bad_snils', 'Give ?snils= (e.g. 112-233-401 83): whose documents to list.');
    if (!findRecord(ws.data, snils))
      throw new ControlError(
        404,
        'control.no_record',
        `No register record with СНИЛС ${snils.slice(0, 20)} in run ${ws.id}.`,
      );
    ctx.body = { run: ws.id, documents: documentsOf(ws, snils).map(summary) };
  });

  router.post('/documents/:id/review', async (ctx) => {
    const ws = await h.workspaceOf(ctx);
    const b = await h.body(ctx);
    const doc = anyDocument(ws, ctx.params.id!);
    if (!doc)
      throw new ControlError(404, 'control.no_document', `No document ${ctx.params.id!.slice(0, 40)} in run ${ws.id}.`);
    const comment = typeof b.comment === 'string' ? b.comment.trim() : '';
    const problem = decisionProblem(doc, b.decision, comment);
    if (problem) throw new ControlError(doc.status !== 'review' ? 409 : 400, 'control.bad_decision', problem);
    review(
      ws,
      doc,
      b.decision as 'accepted' | 'rejected',
      comment,
      typeof b.by === 'string' && b.by ? b.by : 'Проверяющий (сценарий)',
    );
    ctx.body = { run: ws.id, document: summary(doc) };
  });
};
