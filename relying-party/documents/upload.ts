/*
 * Receives a multipart/form-data upload (busboy), streaming its one file to disk: nothing is held
 * whole in memory, the file goes to a temporary name beside its place, and only a complete file whose
 * content is an accepted kind (sniff.ts) is kept until the caller places it. Every hostile shape
 * (over the size limit, too many parts, a truncated body, zero bytes, a program named .pdf) ends as
 * an UploadProblem with the person's message, never a 5xx, and leaves no file behind.
 */
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { finished as endOfStream, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import busboy from 'busboy';
import type { Context } from 'koa';
import type { RpErrorCode } from '../errors.ts';
import { newId } from './model.ts';
import { type Sniffed, sniff, sniffLength } from './sniff.ts';

export interface UploadLimits {
  /** Largest file accepted, bytes. */
  maxFileBytes: number;
}

export interface UploadProblem {
  code: Extract<RpErrorCode, `rp.upload_${string}`>;
  status: number;
  /** For the person, next to the file field. */
  message: string;
  /** For the log. */
  internal: string;
}

export interface ReceivedFile {
  id: string;
  /** The person's file name as display text: the last path segment, control characters removed. */
  name: string;
  size: number;
  sniffed: Sniffed;
  /** Renames the checked file into its place (the run's folder, under its id). */
  place(): Promise<void>;
  discard(): Promise<void>;
}

export type Received =
  | { ok: true; fields: Record<string, string>; file: ReceivedFile }
  | { ok: false; fields: Record<string, string>; problem: UploadProblem };

const maxFields = 8;
const maxFieldBytes = 4096;
/** Room for the fields and the multipart framing around the file. */
const framingBytes = 64 * 1024;

export const megabytes = (bytes: number) => `${Math.round((bytes / 1024 / 1024) * 10) / 10} МБ`;

export function displayName(raw: string | undefined): string {
  const last = (raw ?? '').split(/[/\\]/).pop() ?? '';
  // Control characters (below U+0020, and DEL) are dropped: they would only confuse the display.
  const clean = [...last]
    .filter((c) => c.charCodeAt(0) >= 0x20 && c.charCodeAt(0) !== 0x7f)
    .join('')
    .trim()
    .slice(0, 200);
  return clean || 'файл без имени';
}

const problem = (code: UploadProblem['code'], status: number, message: string, internal: string): UploadProblem => ({
  code,
  status,
  message,
  internal,
});

export function tooLarge(limits: UploadLimits, name: string | undefined, internal: string): UploadProblem {
  const limit = megabytes(limits.maxFileBytes);
  return problem(
    'rp.upload_too_large',
    413,
    `${name ? `Файл «${name}»` : 'Файл'} больше ${limit}. Загрузите файл не больше ${limit}: сохраните скан с меньшим разрешением или в PDF со сжатием.`,
    internal,
  );
}

/** Reads the request's form: the fields, and the file of the field `fileField` checked and waiting to be placed. */
export async function receiveUpload(
  ctx: Context,
  folder: string,
  limits: UploadLimits,
  fileField = 'file',
): Promise<Received> {
  const fields: Record<string, string> = {};
  const refuse = (p: UploadProblem): Received => ({ ok: false, fields, problem: p });
  if (!ctx.is('multipart/form-data'))
    return refuse(
      problem(
        'rp.upload_malformed',
        415,
        'Форма отправлена не как загрузка файла. Откройте страницу загрузки и выберите файл кнопкой «Выберите файл».',
        `Content-Type ${ctx.get('content-type') || 'absent'}, expected multipart/form-data`,
      ),
    );
  const declared = Number(ctx.get('content-length') || 0);
  if (declared > limits.maxFileBytes + framingBytes) {
    // The body is not read: nothing of it reaches the disk, and the connection closes after the answer.
    ctx.set('Connection', 'close');
    return refuse(tooLarge(limits, undefined, `Content-Length ${declared} over ${limits.maxFileBytes} + framing`));
  }

  let parser: busboy.Busboy;
  try {
    parser = busboy({
      headers: ctx.req.headers,
      // Browsers send the file name as raw UTF-8 bytes, not RFC 2231.
      defParamCharset: 'utf8',
      limits: {
        files: 1,
        fields: maxFields,
        parts: maxFields + 1,
        fieldSize: maxFieldBytes,
        fieldNameSize: 100,
        headerPairs: 20,
        // busboy counts a file that reaches its limit as cut off: one byte more, so exactly the limit passes.
        fileSize: limits.maxFileBytes + 1,
      },
    });
  } catch (err) {
    return refuse(malformed(`busboy refused the headers: ${(err as Error).message}`));
  }

  let found: (Omit<ReceivedFile, 'place' | 'discard'> & { temp: string; truncated: boolean }) | undefined;
  let trouble: UploadProblem | undefined;
  let writing: Promise<void> = Promise.resolve();
  let current: (NodeJS.ReadableStream & { destroy(error?: Error): void }) | undefined;
  const temps: string[] = [];
  const tooMany = (what: string) => {
    trouble ??= problem(
      'rp.upload_malformed',
      400,
      'Форма содержит лишние поля или файлы. Загружайте один файл через форму на этой странице.',
      `${what} limit reached`,
    );
  };

  parser.on('field', (name, value, info) => {
    if (info.nameTruncated || info.valueTruncated) return tooMany(`field size (${name.slice(0, 40)})`);
    fields[name] = value;
  });
  parser.on('partsLimit', () => tooMany('parts'));
  parser.on('filesLimit', () => tooMany('files'));
  parser.on('fieldsLimit', () => tooMany('fields'));
  parser.on('file', (name, stream, info) => {
    if (name !== fileField || found || trouble) {
      if (name !== fileField) tooMany(`file in field ${name.slice(0, 40)}`);
      stream.resume();
      return;
    }
    const id = newId();
    const temp = join(folder, `.${id}.part`);
    temps.push(temp);
    const entry = {
      id,
      temp,
      name: displayName(info.filename),
      size: 0,
      sniffed: sniff(new Uint8Array()),
      truncated: false,
    };
    found = entry;
    current = stream;
    let head = Buffer.alloc(0);
    const tap = new Transform({
      transform(chunk: Buffer, _enc, done) {
        if (head.length < sniffLength) head = Buffer.concat([head, chunk.subarray(0, sniffLength - head.length)]);
        entry.size += chunk.length;
        done(null, chunk);
      },
    });
    stream.on('limit', () => {
      entry.truncated = true;
    });
    writing = pipeline(stream, tap, createWriteStream(temp, { flags: 'wx' })).then(() => {
      entry.sniffed = sniff(head);
    });
  });

  const finished = new Promise<void>((resolve, reject) => {
    parser.on('close', resolve);
    parser.on('error', reject);
    // A client that goes away mid-body (even before this line ran): busboy would wait for bytes that never come.
    endOfStream(ctx.req, (err) => {
      if (err) reject(new Error(`the client closed the connection before the body was complete (${err.message})`));
    });
  });
  ctx.req.pipe(parser);
  try {
    await finished;
    await writing;
  } catch (err) {
    ctx.req.unpipe(parser);
    ctx.req.resume();
    // The file's stream would wait for bytes that never come: end its write, so the temporary file can go.
    current?.destroy(err as Error);
    await writing.catch(() => undefined);
    await Promise.all(temps.map((t) => rm(t, { force: true })));
    return refuse(malformed((err as Error).message));
  }

  const discardAll = () => Promise.all(temps.map((t) => rm(t, { force: true }))).then(() => undefined);
  const file = found;
  const why = trouble ?? (file ? contentProblem(file, limits) : undefined);
  if (why || !file) {
    await discardAll();
    return refuse(
      why ?? problem('rp.upload_empty', 400, 'Выберите файл документа: PDF, JPEG или PNG.', 'no file part in the form'),
    );
  }
  return {
    ok: true,
    fields,
    file: {
      id: file.id,
      name: file.name,
      size: file.size,
      sniffed: file.sniffed,
      place: () => rename(file.temp, join(folder, file.id)),
      discard: discardAll,
    },
  };
}

function malformed(internal: string): UploadProblem {
  return problem(
    'rp.upload_malformed',
    400,
    'Файл передан не полностью: соединение прервалось или форма повреждена. Ничего не сохранено, загрузите файл ещё раз.',
    internal,
  );
}

function contentProblem(
  file: { name: string; size: number; sniffed: Sniffed; truncated: boolean },
  limits: UploadLimits,
): UploadProblem | undefined {
  if (file.truncated) return tooLarge(limits, file.name, `file over ${limits.maxFileBytes} bytes`);
  if (file.size === 0)
    return problem(
      'rp.upload_empty',
      400,
      `Файл «${file.name}» пустой (0 байт). Выберите файл, в котором есть скан или фотография документа.`,
      'zero-byte file',
    );
  if (file.sniffed.executable)
    return problem(
      'rp.upload_disguised',
      415,
      `Файл «${file.name}» — не документ: по содержимому это ${file.sniffed.label}, хотя имя может говорить иное. Программы и сценарии не принимаются; загрузите скан документа в формате PDF, JPEG или PNG.`,
      `executable content: ${file.sniffed.label}`,
    );
  if (!file.sniffed.accepted)
    return problem(
      'rp.upload_wrong_type',
      415,
      `Файл «${file.name}» не PDF, JPEG или PNG: по содержимому это ${file.sniffed.label}. Сохраните документ в PDF или сфотографируйте его (JPEG, PNG) и загрузите снова.`,
      `content: ${file.sniffed.label}`,
    );
  return undefined;
}
