/*
 * The documents' pages in the cabinet: the list (filter by type and status, a plain GET form),
 * upload, one document, its files, «Запросить статус», «Повторная загрузка». A person reaches only
 * their own documents: another person's id is the same «not found» as a missing one.
 */
import type Router from '@koa/router';
import type { Context } from 'koa';
import { RpError } from '../errors.ts';
import type { Cabinet, PageHelpers } from '../feature.ts';
import {
  addDocument,
  documentsOf,
  documentTypes,
  type FileVersion,
  isDocumentStatus,
  isDocumentType,
  ownDocument,
  type PersonDocument,
  replaceFile,
  requestStatus,
  statusRequestRule,
  visibleFiles,
} from './model.ts';
import { sendDocumentFile } from './download.ts';
import type { DocumentFiles } from './storage.ts';
import { type ReceivedFile, receiveUpload, type UploadLimits } from './upload.ts';
import { documentPage, documentsPage, type FormRefusal, uploadPage } from './views.ts';

/** A re-upload of a document that is not (or no longer) rejected: from a stale page or another tab. */
const onlyRejected: FormRefusal = {
  code: 'rp.upload_malformed',
  message: 'Повторно загрузить можно только отклонённый документ: этот уже на проверке или принят. Обновите страницу.',
};

const doneTexts: Record<string, string> = {
  uploaded: 'Документ загружен и передан на проверку.',
  reuploaded: 'Новый файл загружен, документ снова на проверке.',
  requested: 'Запрос статуса передан проверяющему.',
};

export function mountDocumentPages(router: Router, h: PageHelpers, files: DocumentFiles, limits: UploadLimits): void {
  /** The signed-in person, or undefined after sending the browser to the landing page. */
  const person = async (ctx: Context): Promise<Cabinet | undefined> => {
    const cabinet = await h.cabinet(ctx);
    if (!cabinet) {
      ctx.status = 303;
      ctx.redirect('/');
    }
    return cabinet;
  };
  const own = (c: Cabinet, id: string): PersonDocument => {
    const doc = ownDocument(c.ws, c.record.snils, id);
    if (!doc)
      throw new RpError('rp.document_not_found', [], `document ${id.slice(0, 40)} is not ${c.record.accountNumber}'s`);
    return doc;
  };
  const nav = (c: Cabinet) => h.nav(c, '/documents');
  const showDocument = (ctx: Context, c: Cabinet, doc: PersonDocument, refusal?: FormRefusal, status = 200) =>
    h.send(
      ctx,
      documentPage(h.brand, nav(c), {
        doc,
        now: c.ws.clock.now(),
        maxBytes: limits.maxFileBytes,
        done: typeof ctx.query.done === 'string' ? doneTexts[ctx.query.done] : undefined,
        refusal,
        status: refusal ? status : undefined,
      }),
      status,
    );
  const version = (c: Cabinet, f: ReceivedFile): FileVersion => ({
    id: f.id,
    name: f.name,
    size: f.size,
    contentType: f.sniffed.contentType!,
    uploadedAt: new Date(c.ws.clock.now()).toISOString(),
  });

  router.get('/documents', async (ctx) => {
    const c = await person(ctx);
    if (!c) return;
    const type = isDocumentType(ctx.query.type) ? ctx.query.type : undefined;
    const status = isDocumentStatus(ctx.query.status) ? ctx.query.status : undefined;
    const all = documentsOf(c.ws, c.record.snils);
    const shown = all.filter((d) => (!type || d.type === type) && (!status || d.status === status));
    h.send(ctx, documentsPage(h.brand, nav(c), { documents: shown, total: all.length, type, status }));
  });

  router.get('/documents/upload', async (ctx) => {
    const c = await person(ctx);
    if (c) h.send(ctx, uploadPage(h.brand, nav(c), { maxBytes: limits.maxFileBytes }));
  });

  router.post('/documents/upload', async (ctx) => {
    const c = await person(ctx);
    if (!c) return;
    const received = await receiveUpload(ctx, await files.folder(c.ws.id), limits);
    const type = received.fields.type;
    const title = (received.fields.title ?? '').trim();
    const typeError = isDocumentType(type) ? undefined : 'Выберите тип документа из списка.';
    const titleError = title.length > 200 ? 'Название не длиннее 200 символов.' : undefined;
    if (!received.ok || typeError || titleError) {
      if (received.ok) await received.file.discard();
      const refusal = received.ok ? undefined : received.problem;
      if (refusal) h.log({ event: 'upload_refused', code: refusal.code, internal: refusal.internal });
      const status = refusal?.status ?? 400;
      return h.send(
        ctx,
        uploadPage(
          h.brand,
          nav(c),
          { maxBytes: limits.maxFileBytes, type, title, refusal, typeError, titleError },
          refusal ? status : undefined,
        ),
        status,
      );
    }
    await received.file.place();
    const doc = addDocument(
      c.ws,
      c.record.snils,
      { type: type as keyof typeof documentTypes, title: title || documentTypes[type as keyof typeof documentTypes] },
      version(c, received.file),
    );
    h.log({
      event: 'document_uploaded',
      id: doc.id,
      bytes: received.file.size,
      type: received.file.sniffed.contentType,
    });
    ctx.status = 303;
    ctx.redirect(`/documents/${doc.id}?done=uploaded`);
  });

  router.get('/documents/:id', async (ctx) => {
    const c = await person(ctx);
    if (c) showDocument(ctx, c, own(c, ctx.params.id!));
  });

  router.post('/documents/:id/status-request', async (ctx) => {
    const c = await person(ctx);
    if (!c) return;
    const doc = own(c, ctx.params.id!);
    const rule = statusRequestRule(doc, c.ws.clock.now());
    if (!rule.allowed) return showDocument(ctx, c, doc, { code: 'rp.status_too_early', message: rule.reason }, 409);
    requestStatus(c.ws, doc);
    ctx.status = 303;
    ctx.redirect(`/documents/${doc.id}?done=requested`);
  });

  router.post('/documents/:id/reupload', async (ctx) => {
    const c = await person(ctx);
    if (!c) return;
    const doc = own(c, ctx.params.id!);
    // Refused before the body is read; checked again after it, as a reviewer may decide meanwhile.
    if (doc.status !== 'rejected') return showDocument(ctx, c, doc, onlyRejected, 409);
    const received = await receiveUpload(ctx, await files.folder(c.ws.id), limits);
    if (!received.ok) {
      h.log({ event: 'upload_refused', code: received.problem.code, internal: received.problem.internal });
      return showDocument(ctx, c, doc, received.problem, received.problem.status);
    }
    if (doc.status !== 'rejected') {
      await received.file.discard();
      return showDocument(ctx, c, doc, onlyRejected, 409);
    }
    await received.file.place();
    replaceFile(c.ws, doc, version(c, received.file));
    ctx.status = 303;
    ctx.redirect(`/documents/${doc.id}?done=reuploaded`);
  });

  router.get('/documents/:id/file', async (ctx) => {
    const c = await person(ctx);
    if (!c) return;
    const doc = own(c, ctx.params.id!);
    const wanted = typeof ctx.query.v === 'string' ? ctx.query.v : undefined;
    const file = wanted ? visibleFiles(doc, c.ws.clock.now()).find((f) => f.id === wanted) : doc.files.at(-1);
    if (!file) throw new RpError('rp.document_not_found', [], `document ${doc.id} has no file ${wanted?.slice(0, 40)}`);
    await sendDocumentFile(ctx, files, c.ws.id, file);
  });
}
