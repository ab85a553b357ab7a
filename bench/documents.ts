/*
 * `npm run bench:documents`: what the cabinet's documents cost. A stand runs in a child process
 * (bench/documents_stand.ts); this process signs a person in over HTTP, then measures
 *   - the upload of a 10 MB PDF through the multipart form: throughput (MB/s, median of N) and the
 *     stand process's peak memory above its level before the upload (RSS, heap, buffers), which
 *     shows the file is streamed to disk rather than held whole;
 *   - the documents page of a cabinet with 500 documents: GET /documents, median ms of N.
 * Loopback only, bounded loops. Options: `npm run bench:documents -- --help`.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { request } from 'node:http';
import { parseCli } from '../lib/cli.ts';
import { HttpBrowser } from '../scenarios/runner/http_browser.ts';
import { median } from './stats.ts';

const { values: args } = parseCli({
  command: 'npm run bench:documents --',
  summary: 'Upload throughput and memory of a 10 MB document, and the documents page time with 500 documents.',
  options: {
    runs: { type: 'string', value: 'N', help: 'uploads of 10 MB measured (default 7)' },
    documents: { type: 'string', value: 'N', help: 'documents in the cabinet for the page time (default 500)' },
    pages: { type: 'string', value: 'N', help: 'GET /documents measured (default 30)' },
    'gc-while-sampling': {
      type: 'boolean',
      help: 'collect garbage at every memory sample: the peak is then what the upload holds, not chunks awaiting collection',
    },
  },
});
const runs = Number(args.runs ?? '7');
const documents = Number(args.documents ?? '500');
const pages = Number(args.pages ?? '30');
const MB = 1024 * 1024;

const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', 'bench/documents_stand.ts'], {
  stdio: ['pipe', 'pipe', 'inherit'],
  env: { ...process.env, BENCH_GC: args['gc-while-sampling'] ? '1' : '0' },
});
const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
const nextLine = async () => JSON.parse(String((await lines.next()).value)) as Record<string, number | string>;
const { idp, rp } = (await nextLine()) as { idp: string; rp: string };

async function signIn(): Promise<HttpBrowser> {
  const b = new HttpBrowser();
  await b.goto(`${rp}/login`);
  await b.click('submit', { identifier: '+79000000001', password: 'Test-1234' });
  const inbox = (await (await fetch(`${idp}/__control/inbox/sms?to=%2B79000000001`)).json()) as {
    messages: Array<{ code: string }>;
  };
  await b.click('submit', { code: inbox.messages[0]?.code ?? '' });
  if (b.screen() !== 'cabinet') throw new Error(`sign-in ended on ${b.screen()}`);
  return b;
}

function multipart(file: Buffer, name: string): { body: Buffer; type: string } {
  const boundary = '----bench-documents';
  const head = `--${boundary}\r\nContent-Disposition: form-data; name="type"\r\n\r\ndiploma\r\n--${boundary}\r\nContent-Disposition: form-data; name="title"\r\n\r\n${name}\r\n--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${name}.pdf"\r\nContent-Type: application/pdf\r\n\r\n`;
  return {
    body: Buffer.concat([Buffer.from(head), file, Buffer.from(`\r\n--${boundary}--\r\n`)]),
    type: `multipart/form-data; boundary=${boundary}`,
  };
}

async function post(url: string, cookie: string, body: Buffer, type: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: 'POST', headers: { cookie, 'content-type': type, 'content-length': body.length } },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

async function uploadUrl(b: HttpBrowser): Promise<string> {
  await b.goto(`${rp}/documents/upload`);
  const action = b.byTestId('upload-form')?.getAttribute('action') ?? '';
  return new URL(action.replaceAll('&amp;', '&'), rp).href;
}

const b = await signIn();
const cookie = await b.jar.getCookieString(rp);
const file = Buffer.alloc(10 * MB, 0x20);
file.write('%PDF-1.4\n');
const big = multipart(file, 'bench-10mb');

const speeds: number[] = [];
const rss: number[] = [];
const heap: number[] = [];
const buffers: number[] = [];
for (let i = 0; i < runs; i++) {
  const url = await uploadUrl(b);
  child.stdin!.write('mark\n');
  await new Promise((r) => setTimeout(r, 50));
  const started = performance.now();
  const status = await post(url, cookie, big.body, big.type);
  const seconds = (performance.now() - started) / 1000;
  child.stdin!.write('peak\n');
  const mem = await nextLine();
  if (status !== 303) throw new Error(`upload answered ${status}, expected 303`);
  speeds.push(file.length / MB / seconds);
  rss.push(Number(mem.rss) / MB);
  heap.push(Number(mem.heap) / MB);
  buffers.push(Number(mem.external) / MB);
}

// A cabinet with `documents` documents: the person's seeded ones plus small uploads.
const small = Buffer.alloc(2048, 0x20);
small.write('%PDF-1.4\n');
await b.goto(`${rp}/documents`);
const seeded = Number(/из (\d+)/.exec(b.byTestId('documents-count')?.textContent ?? '')?.[1] ?? 0);
const token = new URL(await uploadUrl(b)).search;
for (let i = seeded; i < documents; i++) {
  const one = multipart(small, `Документ ${i}`);
  const status = await post(`${rp}/documents/upload${token}`, cookie, one.body, one.type);
  if (status !== 303) throw new Error(`small upload ${i} answered ${status}`);
}
await b.goto(`${rp}/documents`);
const listed = b.requirePage().root.querySelectorAll('[data-testid="document-row"]').length;
const times: number[] = [];
for (let i = 0; i < pages + 3; i++) {
  const started = performance.now();
  const res = await fetch(`${rp}/documents`, { headers: { cookie } });
  await res.text();
  if (i >= 3) times.push(performance.now() - started); // the first three warm the code paths
}

const fmt = (n: number) => n.toFixed(1);
console.log(
  `upload of a 10 MB PDF (${runs} runs): ${fmt(median(speeds))} MB/s median (min ${fmt(Math.min(...speeds))}, max ${fmt(Math.max(...speeds))})`,
);
console.log(
  `  stand process during the upload, peak above the level before it (median${args['gc-while-sampling'] ? ', garbage collected at each sample' : ''}): RSS +${fmt(median(rss))} MB, heap +${fmt(median(heap))} MB, buffers +${fmt(median(buffers))} MB`,
);
console.log(`documents page with ${listed} documents: ${fmt(median(times))} ms median of ${pages} GET /documents`);
child.stdin!.end();
await new Promise((r) => child.once('exit', r));
