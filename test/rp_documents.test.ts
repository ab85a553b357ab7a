/*
 * The cabinet's documents over HTTP on a whole stand: upload streamed to disk and checked by content,
 * every hostile upload refused in Russian without a 5xx or a file left behind, another person's
 * document unreachable, the 7-day rule and the 12 months of history by the run's clock, re-upload,
 * the reviewer's decision (control API and console) and the reset that deletes a run's files.
 */
import test, { type ExecutionContext } from 'ava';
import { request } from 'node:http';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { newRun } from '../scenarios/runner/stand.ts';
import { HttpBrowser } from '../scenarios/runner/http_browser.ts';
import { sharedStand } from './helpers/stand.ts';
import { signInThrough } from './helpers/sign_in.ts';
import { formAction, multipart, pdfBytes, postAs } from './helpers/uploads.ts';

const shared = sharedStand();
const ivanov = { phone: '+79000000001', snils: '112-233-401 83' };
const belova = { phone: '+79000000017', snils: '112-233-417 91' };

/** A person signed in to the cabinet, in an isolated run of their own unless `run` is given ('main': the stand's main run). */
async function signedIn(t: ExecutionContext, who = ivanov, run?: string) {
  const { stand } = shared;
  const b = new HttpBrowser();
  let id = run;
  if (!id) {
    const made = await newRun(stand);
    t.teardown(made.end);
    id = made.run;
  }
  if (id !== 'main') await b.setCookie(stand.idp, 'esia_run', id);
  const { screen } = await signInThrough(
    stand.rp,
    stand.idp,
    who.phone,
    'Test-1234',
    b,
    id === 'main' ? undefined : id,
  );
  t.is(screen, 'cabinet', `${who.phone}: ${b.errorCode()} ${b.current()?.url}`);
  return { b, run: id };
}

const uploadsOf = async (run: string) =>
  readdir(join(shared.stand.dataDir, 'uploads', 'fmrm', run)).catch(() => [] as string[]);

async function uploadAction(b: HttpBrowser): Promise<string> {
  await b.goto(`${shared.stand.rp}/documents/upload`);
  return formAction(b, 'upload-form');
}

async function upload(
  b: HttpBrowser,
  file: { filename?: string; data: Buffer; type?: string },
  fields = { type: 'diploma', title: 'Диплом № 1' },
) {
  const { body, contentType } = multipart([
    { name: 'type', value: fields.type },
    { name: 'title', value: fields.title },
    { name: 'file', filename: file.filename ?? 'scan.pdf', data: file.data, type: file.type ?? 'application/pdf' },
  ]);
  return postAs(b, await uploadAction(b), body, contentType);
}

const rpControl = (_run: string) => shared.stand.controlAt(shared.stand.rp);
const documentsIn = async (run: string, snils: string) =>
  (
    await rpControl(run)<{
      documents: Array<{ id: string; type: string; title: string; status: string; files: unknown[] }>;
    }>('GET', `/documents?run=${run}&snils=${encodeURIComponent(snils)}`)
  ).documents;

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

for (const [title, file, code, status, words] of [
  ['zero bytes', { data: Buffer.alloc(0) }, 'rp.upload_empty', 400, /пустой \(0 байт\)/],
  [
    'a Windows program named .pdf',
    { data: Buffer.concat([Buffer.from('MZ\x90\x00'), Buffer.alloc(500)]), filename: 'scan.pdf' },
    'rp.upload_disguised',
    415,
    /программа Windows \(MZ\)/,
  ],
  [
    'a Linux program',
    {
      data: Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46]), Buffer.alloc(500)]),
      filename: 'скан.jpg',
      type: 'image/jpeg',
    },
    'rp.upload_disguised',
    415,
    /программа Linux \(ELF\)/,
  ],
  [
    'a script',
    { data: Buffer.from('#!/bin/sh\nrm -rf /\n'), filename: 'doc.png', type: 'image/png' },
    'rp.upload_disguised',
    415,
    /сценарий/,
  ],
  [
    'a Word file sent as application/pdf',
    { data: Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.alloc(300)]) },
    'rp.upload_wrong_type',
    415,
    /архив ZIP или документ Office/,
  ],
  ['over the size limit', { data: pdfBytes(10 * 1024 * 1024 + 1) }, 'rp.upload_too_large', 413, /больше 10 МБ/],
] as const) {
  test(`${title}: refused with a Russian message next to the field, nothing kept on disk`, async (t) => {
    const { b, run } = await signedIn(t);
    const res = await upload(b, file);
    t.is(res.status, status);
    t.is(res.errorCode, code);
    t.regex(res.html, /data-screen="documents-upload"/);
    t.regex(res.html, words);
    t.deepEqual(await uploadsOf(run), []);
  });
}

test('a file of exactly the size limit is accepted; one byte more is not (above)', async (t) => {
  const { b, run } = await signedIn(t);
  const res = await upload(b, { data: pdfBytes(10 * 1024 * 1024) });
  t.is(res.status, 303);
  t.is((await uploadsOf(run)).length, 1);
});

test('hostile shapes: thousands of parts, a second file, a form that is not multipart, an oversized declared body', async (t) => {
  const { b, run } = await signedIn(t);
  const many = multipart(Array.from({ length: 3000 }, (_, i) => ({ name: `f${i}`, value: 'x' })));
  const manyRes = await postAs(b, await uploadAction(b), many.body, many.contentType);
  t.is(manyRes.status, 400);
  t.is(manyRes.errorCode, 'rp.upload_malformed');
  t.regex(manyRes.html, /лишние поля или файлы/);
  const two = multipart([
    { name: 'type', value: 'diploma' },
    { name: 'file', filename: 'a.pdf', data: pdfBytes() },
    { name: 'file', filename: 'b.pdf', data: pdfBytes() },
  ]);
  t.is((await postAs(b, await uploadAction(b), two.body, two.contentType)).errorCode, 'rp.upload_malformed');
  // A body that is neither a form nor a file form cannot carry the form's token: refused as forged.
  const json = await postAs(b, await uploadAction(b), '{"file":"x"}', 'application/json');
  t.is(json.status, 403);
  t.is(json.errorCode, 'rp.form_forged');
  const action = await uploadAction(b);
  const declared = await new Promise<number>((resolve, reject) => {
    const req = request(
      action,
      {
        method: 'POST',
        headers: { 'content-type': 'multipart/form-data; boundary=x', 'content-length': String(50 * 1024 * 1024) },
      },
      (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      },
    );
    req.on('error', reject);
    void b.jar.getCookieString(action).then((cookie) => {
      req.setHeader('cookie', cookie);
      req.write('--x\r\n');
    });
  });
  t.is(declared, 413);
  // The declared length is refused before a byte of the body is read, with the same message.
  t.deepEqual(await uploadsOf(run), []);
});

test('a path-traversal file name is display text only: the file is stored under a generated id inside the run folder', async (t) => {
  const { b, run } = await signedIn(t);
  const res = await upload(b, { filename: '../../../../../tmp/evil\\..\\x.pdf', data: pdfBytes() });
  t.is(res.status, 303);
  const files = await uploadsOf(run);
  t.is(files.length, 1);
  t.regex(files[0]!, /^[\w-]+$/);
  await b.goto(`${shared.stand.rp}${res.location}`);
  t.false((b.byTestId('document-download')?.textContent ?? '/').includes('/'));
  t.false((b.byTestId('document-download')?.textContent ?? '\\').includes('\\'));
});

test('a body cut off mid-file leaves no file, not even a temporary one', async (t) => {
  const { b, run } = await signedIn(t);
  const action = await uploadAction(b);
  const cookie = await b.jar.getCookieString(action);
  const { body, contentType } = multipart([
    { name: 'type', value: 'diploma' },
    { name: 'file', filename: 'big.pdf', data: pdfBytes(2 * 1024 * 1024) },
  ]);
  await new Promise<void>((resolve) => {
    const req = request(action, {
      method: 'POST',
      headers: { cookie, 'content-type': contentType, 'content-length': String(body.length) },
    });
    req.on('error', () => resolve());
    req.write(body.subarray(0, 1024 * 1024), () =>
      setTimeout(() => {
        req.destroy();
        resolve();
      }, 100),
    );
  });
  // The server notices the closed connection and removes the partial file.
  for (let i = 0; i < 50 && (await uploadsOf(run)).length > 0; i++) await new Promise((r) => setTimeout(r, 50));
  t.deepEqual(await uploadsOf(run), []);
  // The stand is still well: the next upload passes.
  t.is((await upload(b, { data: pdfBytes() })).status, 303);
});

test('a multipart form without the token in its action, or from another origin, is refused', async (t) => {
  const { b } = await signedIn(t);
  const { body, contentType } = multipart([
    { name: 'type', value: 'diploma' },
    { name: 'file', filename: 'a.pdf', data: pdfBytes() },
  ]);
  const bare = await postAs(b, `${shared.stand.rp}/documents/upload`, body, contentType);
  t.is(bare.status, 403);
  t.is(bare.errorCode, 'rp.form_forged');
  const foreign = await postAs(b, await uploadAction(b), body, contentType, { origin: 'http://evil.example' });
  t.is(foreign.status, 403);
  t.is(foreign.errorCode, 'rp.form_forged');
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
  await rpControl(run)('POST', `/clock?run=${run}`, { advance: 'P5D' });
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
  await rpControl(run)('POST', `/clock?run=${run}`, { advance: 'P308D' });
  t.deepEqual(await events(), ['accepted']);
  t.is(b.requirePage().root.querySelectorAll('[data-testid="document-file"]').length, 1);
  await rpControl(run)('POST', `/clock?run=${run}`, { advance: 'P10D' });
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
  const control = rpControl(run);
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
  await rpControl(run)('POST', `/reset?run=${run}`, {});
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
