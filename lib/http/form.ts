/*
 * Reads an application/x-www-form-urlencoded body into ctx.request.body: flat keys, a repeated key
 * becomes an array (as qs does for plain keys, so "one value only" checks still see the repeat).
 * Used instead of @koa/bodyparser on the sign-in screens, the hot path: co-body, raw-body and qs
 * cost more than the rest of a POST of two fields. Failures are Koa HTTP errors that the error
 * boundary turns into catalogue pages: 413 over the limit, 415 for a compressed body.
 */
import type { Readable } from 'node:stream';
import type { Context } from 'koa';

export type Form = Record<string, string | string[]>;

/**
 * The body's chunks, or undefined as soon as it passes `limit` bytes (a chunked body declares no
 * length). It stops listening instead of destroying the stream, so the socket lives on to carry the
 * 413 page and the request keeps its client address for the audit record.
 */
export function readUpTo(req: Readable, limit: number): Promise<Buffer[] | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const stop = () => req.off('data', onData).off('end', onEnd).off('error', onError).off('close', onClose);
    const done = (result: Buffer[] | undefined) => {
      stop();
      resolve(result);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.pause();
        done(undefined);
      } else chunks.push(chunk);
    };
    const onEnd = () => done(chunks);
    const onError = (error: Error) => {
      stop();
      reject(error);
    };
    // Gone before the end: a 4xx for the journal, as the client will read nothing.
    const onClose = () =>
      onError(
        Object.assign(new Error('The client closed the connection before the form was complete'), {
          status: 400,
          expose: true,
        }),
      );
    req.on('data', onData).on('end', onEnd).on('error', onError).on('close', onClose);
  });
}

export async function readForm(ctx: Context, limitBytes: number): Promise<Form> {
  const encoding = ctx.get('content-encoding');
  if (encoding && encoding !== 'identity')
    ctx.throw(415, `Content-Encoding ${encoding} is not accepted for a form; send it uncompressed`);
  const declared = Number(ctx.get('content-length') || 0);
  if (declared > limitBytes) ctx.throw(413, `The form is ${declared} bytes; at most ${limitBytes} are accepted`);
  const chunks = await readUpTo(ctx.req, limitBytes);
  if (!chunks) {
    // The rest of the body is left unread, so the connection cannot carry another request.
    ctx.set('Connection', 'close');
    ctx.throw(413, `The form is over ${limitBytes} bytes`);
  }
  const form: Form = {};
  const text = chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8');
  for (const [key, value] of new URLSearchParams(text)) {
    const seen = form[key];
    form[key] = seen === undefined ? value : Array.isArray(seen) ? [...seen, value] : [seen, value];
  }
  ctx.request.body = form;
  return form;
}
