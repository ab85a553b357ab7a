/*
 * A document's file as a download: always an attachment, with the Content-Type sniffed at upload
 * and nosniff, so a browser never renders an upload as a page of this site. The person's file name
 * is only the suggested name of the download.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { Context } from 'koa';
import { RpError } from '../errors.ts';
import type { FileVersion } from './model.ts';
import { seededFile } from './seeded_file.ts';
import type { DocumentFiles } from './storage.ts';

export async function sendDocumentFile(
  ctx: Context,
  files: DocumentFiles,
  run: string,
  file: FileVersion,
): Promise<void> {
  const path = file.seeded ? undefined : files.pathOf(run, file.id);
  const size = path ? (await stat(path).catch(() => undefined))?.size : undefined;
  if (path && size === undefined) throw new RpError('rp.document_not_found', [], `file ${file.id} is not on disk`);
  ctx.set('Content-Disposition', contentDisposition(file.name));
  ctx.set('X-Content-Type-Options', 'nosniff');
  ctx.set('Cache-Control', 'private, no-store');
  ctx.type = file.contentType;
  if (!path) {
    ctx.body = seededFile(file);
    return;
  }
  ctx.length = size!;
  ctx.body = createReadStream(path);
}

/** attachment with an ASCII fallback and the real name in RFC 5987 form. */
function contentDisposition(name: string): string {
  const fallback = name.replace(/[^\x20-\x7e]|["\\%]/g, '_');
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}
