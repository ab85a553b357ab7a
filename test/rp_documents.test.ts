/*
 * The cabinet's documents over HTTP on a whole stand: upload streamed to disk and downloaded as sent,
 * another person's document unreachable, the 7-day rule and the 12 months of history by the run's
 * clock, re-upload, the reviewer's decision (control API and console), the reset and the start that
 * delete a run's files. Hostile uploads: rp_documents_hostile.test.ts.
 */
import test from 'ava';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { HttpBrowser } from '../scenarios/runner/http_browser.ts';
import { belova, documentsStand, ivanov } from './helpers/documents_stand.ts';
import { formAction, multipart, pdfBytes, postAs } from './helpers/uploads.ts';

const { shared, signedIn, uploadsOf, uploadAction, upload, rpControl, documentsIn } = documentsStand();

test('an upload streams to disk under a generated id, lists as на проверке, and downloads as sent', async (t) => {
  const { b, run } = await signedIn(t);
  const data = pdfBytes(300_000);
  const res = await upload(b, { filename: 'Диплом «скан».pdf', data, type: 'text/plain' });
  t.is(res.status, 303);
  const id = /^\/documents\/([\w-]+)\?done=uploaded$/.exec(res.location ?? '')?.[1];
  t.truthy(id, res.location ?? '');
  const files = await uploadsOf(run);
  t.is(files.length, 1);
  t.regex(files[0]!, /^[\w-]+$/);
  t.deepEqual(await readFile(join(shared.stand.dataDir, 'uploads', 'fmrm', run, files[0]!)), data);
  await b.goto(`${shared.stand.rp}${res.location}`);
  t.is(b.screen(), 'document');
  t.is(b.byTestId('document-status')?.getAttribute('data-status'), 'review');
  t.regex(b.byTestId('document-done')?.textContent ?? '', /передан на проверку/);
  const file = await fetch(`${shared.stand.rp}/documents/${id}/file`, {
    headers: { cookie: await b.jar.getCookieString(shared.stand.rp) },
  });
  t.is(file.status, 200);
  t.is(file.headers.get('content-type'), 'application/pdf');
  t.is(file.headers.get('x-content-type-options'), 'nosniff');
  t.is(
    file.headers.get('content-disposition'),
    `attachment; filename="______ ______.pdf"; filename*=UTF-8''${encodeURIComponent('Диплом «скан».pdf')}`,
  );
  t.deepEqual(Buffer.from(await file.arrayBuffer()), data);
  await b.goto(`${shared.stand.rp}/documents?status=review&type=diploma`);
  t.true(
    b
      .requirePage()
      .root.querySelectorAll('[data-testid="document-row"]')
      .every((r) => r.getAttribute('data-status') === 'review' && r.getAttribute('data-type') === 'diploma'),
  );
  t.truthy(b.requirePage().root.querySelector(`[data-testid="document-row"][data-id="${id}"]`));
});

test("another person's document is the same not-found as a missing one, page and file alike", async (t) => {
  const { b: mine, run } = await signedIn(t, ivanov);
  const uploaded = await upload(mine, { data: pdfBytes() });
  const id = /\/documents\/([\w-]+)/.exec(uploaded.location ?? '')![1]!;
  const { b: other } = await signedIn(t, belova, run);
  for (const path of [
    `/documents/${id}`,
    `/documents/${id}/file`,
    '/documents/nonexistent',
    '/documents/nonexistent/file',
  ]) {
    await other.goto(`${shared.stand.rp}${path}`);
    t.is(other.current()?.status, 404, path);
    t.is(other.errorCode(), 'rp.document_not_found', path);
  }
  const seeded = (await documentsIn(run, ivanov.snils))[0]!.id;
  await other.goto(`${shared.stand.rp}/documents/${seeded}`);
  t.is(other.errorCode(), 'rp.document_not_found');
});

test('«Запросить статус»: refused with the reason before 7 days on review, offered and recorded after, once per 7 days', async (t) => {
  const { b, run } = await signedIn(t);
  const docs = await documentsIn(run, ivanov.snils);
  const fresh = docs.find((d) => d.type === 'qualification' && d.status === 'review' && d.title.includes('36 ч'))!;
  await b.goto(`${shared.stand.rp}/documents/${fresh.id}`);
  t.is(await b.attribute('request-status', 'data-testid'), null);
  t.regex(b.byTestId('request-status-later')?.textContent ?? '', /Запросить статус можно с/);
  // The page offers no button; a hand-made request (with the cabinet's form token) is refused with the reason.
  const token = new URL(await uploadAction(b)).searchParams.toString();
  const early = await postAs(
    b,
    `${shared.stand.rp}/documents/${fresh.id}/status-request`,
    token,
    'application/x-www-form-urlencoded',
  );
  t.is(early.status, 409);
  t.is(early.errorCode, 'rp.status_too_early');
  t.regex(early.html, /на проверке 2 дня/);
  await rpControl()('POST', `/clock?run=${run}`, { advance: 'P5D' });
  await b.goto(`${shared.stand.rp}/documents/${fresh.id}`);
  await b.click('request-status');
  t.is(b.screen(), 'document');
  t.regex(b.byTestId('document-done')?.textContent ?? '', /Запрос статуса передан/);
  t.truthy(b.requirePage().root.querySelector('[data-testid="history-entry"][data-event="status_requested"]'));
  t.regex(b.byTestId('request-status-later')?.textContent ?? '', /Запросить статус можно с/);
});

test('history is kept 12 months by the run clock: older entries and replaced files leave the page', async (t) => {
  const { b, run } = await signedIn(t);
  const cert = (await documentsIn(run, ivanov.snils)).find((d) => d.type === 'certificate')!;
  const events = async () => {
    await b.goto(`${shared.stand.rp}/documents/${cert.id}`);
    return b
      .requirePage()
      .root.querySelectorAll('[data-testid="history-entry"]')
      .map((e) => e.getAttribute('data-event'));
  };
  // Seeded: uploaded 400 days ago, rejected 396, re-uploaded 60, accepted 55.
  t.deepEqual(await events(), ['accepted', 'reuploaded']);
  t.is(b.requirePage().root.querySelectorAll('[data-testid="document-file"]').length, 2);
  await rpControl()('POST', `/clock?run=${run}`, { advance: 'P308D' });
  t.deepEqual(await events(), ['accepted']);
  t.is(b.requirePage().root.querySelectorAll('[data-testid="document-file"]').length, 1);
  await rpControl()('POST', `/clock?run=${run}`, { advance: 'P10D' });
  t.deepEqual(await events(), []);
  t.is(b.byTestId('document-status')?.getAttribute('data-status'), 'accepted');
});

test('«Повторная загрузка» of a rejected document: the new file on review, the rejected one still in the history', async (t) => {
  const { b, run } = await signedIn(t);
  const rejected = (await documentsIn(run, ivanov.snils)).find((d) => d.status === 'rejected')!;
  await b.goto(`${shared.stand.rp}/documents/${rejected.id}`);
  t.truthy(b.byTestId('document-comment'));
  const { body, contentType } = multipart([
    {
      name: 'file',
      filename: 'новая-справка.png',
      data: Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(100)]),
    },
  ]);
  const res = await postAs(b, formAction(b, 'reupload-form'), body, contentType);
  t.is(res.status, 303);
  await b.goto(`${shared.stand.rp}${res.location}`);
  t.is(b.byTestId('document-status')?.getAttribute('data-status'), 'review');
  const names = b
    .requirePage()
    .root.querySelectorAll('[data-testid="document-file"]')
    .map((f) => f.textContent);
  t.is(names.length, 2);
  t.true(names.some((n) => n.includes('новая-справка.png') && n.includes('текущий')));
  const events = b
    .requirePage()
    .root.querySelectorAll('[data-testid="history-entry"]')
    .map((e) => e.getAttribute('data-event'));
  t.deepEqual(events.slice(0, 3), ['reuploaded', 'rejected', 'uploaded']);
  // Only a rejected document takes a re-upload: this one is on review again.
  const token = new URL(await uploadAction(b)).search;
  const again = await postAs(b, `${shared.stand.rp}/documents/${rejected.id}/reupload${token}`, body, contentType);
  t.is(again.status, 409);
  t.regex(again.html, /Повторно загрузить можно только отклонённый документ/);
  t.is((await documentsIn(run, ivanov.snils)).find((d) => d.id === rejected.id)?.files.length, 2);
});

test('the reviewer decides through the control API: a rejection needs a comment, the person reads it', async (t) => {
  const { b, run } = await signedIn(t);
  const control = rpControl();
  const onReview = (await documentsIn(run, ivanov.snils)).find((d) => d.status === 'review')!;
  await t.throwsAsync(control('POST', `/documents/${onReview.id}/review?run=${run}`, { decision: 'rejected' }), {
    message: /комментарий/,
  });
  await t.throwsAsync(control('POST', `/documents/${onReview.id}/review?run=${run}`, { decision: 'maybe' }), {
    message: /accepted/,
  });
  await control('POST', `/documents/${onReview.id}/review?run=${run}`, {
    decision: 'rejected',
    comment: 'Нечитаемый скан.',
  });
  await t.throwsAsync(control('POST', `/documents/${onReview.id}/review?run=${run}`, { decision: 'accepted' }), {
    message: /409.*уже проверен/,
  });
  await b.goto(`${shared.stand.rp}/documents/${onReview.id}`);
  t.is(b.byTestId('document-status')?.getAttribute('data-status'), 'rejected');
  t.is(b.byTestId('document-comment')?.textContent, 'Нечитаемый скан.');
});

test('the reviewer console: queue across people, open one, reject needs a comment, accept; the person sees the decision', async (t) => {
  const { b, run } = await signedIn(t);
  // The person's cabinet session is no reviewer's: the console asks them to sign in.
  await b.goto(`${shared.stand.rp}/reviewer/documents`);
  t.is(b.screen(), 'reviewer-login');
  const r = new HttpBrowser();
  await r.setCookie(shared.stand.idp, 'esia_run', run);
  await r.goto(`${shared.stand.rp}/reviewer`);
  await r.click('reviewer-sign-in', { login: 'reviewer', password: 'Reviewer-1234' });
  await r.click('reviewer-section');
  t.is(r.screen(), 'reviewer-queue');
  const rows = r.requirePage().root.querySelectorAll('[data-testid="queue-row"]');
  t.true(rows.length > 18, `${rows.length} documents on review across the register`);
  const target = (await documentsIn(run, ivanov.snils)).find((d) => d.status === 'review')!;
  await r.goto(`${shared.stand.rp}/reviewer/documents/${target.id}`);
  t.is(r.screen(), 'reviewer-document');
  await r.click('decision-reject', { comment: '' });
  t.is(r.current()?.status, 400);
  t.regex(r.byTestId('decision-error')?.textContent ?? '', /нужен комментарий/);
  await r.click('decision-accept', { comment: 'Всё верно.' });
  t.is(r.screen(), 'reviewer-queue');
  t.regex(r.byTestId('reviewer-flash')?.textContent ?? '', /принят/);
  await b.goto(`${shared.stand.rp}/documents/${target.id}`);
  t.is(b.byTestId('document-status')?.getAttribute('data-status'), 'accepted');
  t.regex(await b.text(), /Принят, Громова Ирина Павловна: «Всё верно\.»/);
});

test("a run's reset deletes its uploaded files and brings the seeded documents back", async (t) => {
  const { b, run } = await signedIn(t);
  t.is((await upload(b, { data: pdfBytes() })).status, 303);
  t.is((await uploadsOf(run)).length, 1);
  const before = (await documentsIn(run, ivanov.snils)).length;
  await rpControl()('POST', `/reset?run=${run}`, {});
  t.deepEqual(await uploadsOf(run), []);
  t.is((await documentsIn(run, ivanov.snils)).length, before - 1);
});

test("a start removes the upload folders of isolated runs gone with the previous process, keeping the main run's", async (t) => {
  const { mkdtemp, mkdir, writeFile, rm, stat } = await import('node:fs/promises');
  const { tmpdir } = await import('node:os');
  const { rpConfig } = await import('../relying-party/config.ts');
  const { startRp } = await import('../relying-party/server.ts');
  const dataDir = await mkdtemp(join(tmpdir(), 'rp-orphans-'));
  const uploads = join(dataDir, 'uploads', 'fmrm');
  await mkdir(join(uploads, 'run-0123456789ab'), { recursive: true });
  await writeFile(join(uploads, 'run-0123456789ab', 'abc'), 'x');
  await mkdir(join(uploads, 'main'), { recursive: true });
  await writeFile(join(uploads, 'main', 'def'), 'y');
  const rp = await startRp(rpConfig({ port: 0, dataDir }));
  t.teardown(async () => {
    await rp.close();
    await rm(dataDir, { recursive: true, force: true });
  });
  const gone = async () => !(await stat(join(uploads, 'run-0123456789ab')).catch(() => undefined));
  for (let i = 0; i < 40 && !(await gone()); i++) await new Promise((r) => setTimeout(r, 25));
  t.true(await gone());
  t.is(await readFile(join(uploads, 'main', 'def'), 'utf8'), 'y');
});
