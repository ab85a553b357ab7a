/* The sign-in screens' form reader: what qs gave for plain keys, and the same refusals as the body parser. */
import test from 'ava';
import Koa from 'koa';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { readForm } from '../../lib/http/form.ts';

const app = new Koa();
app.use(async (ctx) => {
  try {
    ctx.body = await readForm(ctx, 256);
  } catch (error) {
    const e = error as { status?: number; message: string };
    ctx.status = e.status ?? 500;
    ctx.body = { status: e.status, message: e.message };
  }
});
const server = app.listen(0, '127.0.0.1');
const url = () => `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
test.after.always(() => server.close());

const post = (body: BodyInit, headers: Record<string, string> = {}) =>
  fetch(url(), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body,
    duplex: 'half',
  } as RequestInit);

test('fields, percent-encoded UTF-8, + as a space; a repeated field becomes a list', async (t) => {
  const res = await post('identifier=%2B7+900&name=%D0%98%D0%B2%D0%B0%D0%BD&a=1&a=2&a=3&empty=');
  t.is(res.status, 200);
  t.deepEqual(await res.json(), { identifier: '+7 900', name: 'Иван', a: ['1', '2', '3'], empty: '' });
});

test('an empty body is an empty form', async (t) => {
  t.deepEqual(await (await post('')).json(), {});
});

test('over the limit: 413, whether the length is declared or the body is streamed', async (t) => {
  const declared = await post(`x=${'y'.repeat(400)}`);
  t.is(declared.status, 413);
  t.regex(((await declared.json()) as { message: string }).message, /at most 256/);
  const streamed = await post(
    new ReadableStream({
      start(c) {
        for (let i = 0; i < 10; i++) c.enqueue(new TextEncoder().encode('z'.repeat(40)));
        c.close();
      },
    }),
  );
  t.is(streamed.status, 413);
});

test('a compressed form is refused with 415, not read as text', async (t) => {
  const res = await post(gzipSync('a=1'), { 'content-encoding': 'gzip' });
  t.is(res.status, 415);
  t.regex(((await res.json()) as { message: string }).message, /gzip/);
});
