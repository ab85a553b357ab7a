/*
 * Reads an application/x-www-form-urlencoded body into ctx.request.body: flat keys, a repeated key
 * becomes an array (as qs does for plain keys, so "one value only" checks still see the repeat).
 * Used instead of @koa/bodyparser on the sign-in screens, the hot path: co-body, raw-body and qs
 * cost more than the rest of a POST of two fields. Failures are Koa HTTP errors that the error
 * boundary turns into catalogue pages: 413 over the limit, 415 for a compressed body.
 */
import type { Context } from 'koa';

export type Form = Record<string, string | string[]>;

export async function readForm(ctx: Context, limitBytes: number): Promise<Form> {
  const encoding = ctx.get('content-encoding');
  if (encoding && encoding !== 'identity') ctx.throw(415, `Content-Encoding ${encoding} is not accepted for a form; send it uncompressed`);
  const declared = Number(ctx.get('content-length') || 0);
  if (declared > limitBytes) ctx.throw(413, `The form is ${declared} bytes; at most ${limitBytes} are accepted`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limitBytes) ctx.throw(413, `The form is over ${limitBytes} bytes`);
    chunks.push(chunk);
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
