/*
 * Hostile uploads to the cabinet's documents: zero bytes, programs under a document's name, other
 * formats, over the size limit, thousands of parts, a second file, no multipart at all, a declared
 * body too large, path-traversal names, a body cut off mid-file, a forged form. Each is refused in
 * Russian next to the field, never with a 5xx, and leaves no file on disk, not even a temporary one.
 */
import test from 'ava';
import { request } from 'node:http';
import { documentsStand } from './helpers/documents_stand.ts';
import { multipart, pdfBytes, postAs } from './helpers/uploads.ts';

const { shared, signedIn, uploadsOf, uploadAction, upload } = documentsStand();

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
