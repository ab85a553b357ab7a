/* Multipart bodies built by hand, so a test can send any shape a hostile client would (parts, names, truncation). */
import type { HttpBrowser } from '../../scenarios/runner/http_browser.ts';

export interface Part {
  name: string;
  value?: string;
  filename?: string;
  data?: Buffer;
  type?: string;
}

export function multipart(
  parts: Part[],
  boundary = `----test${Date.now().toString(16)}`,
): { body: Buffer; contentType: string } {
  const chunks: Buffer[] = [];
  for (const p of parts) {
    const disposition = `form-data; name="${p.name}"${p.filename === undefined ? '' : `; filename="${p.filename}"`}`;
    const head = `--${boundary}\r\nContent-Disposition: ${disposition}\r\n${p.filename === undefined ? '' : `Content-Type: ${p.type ?? 'application/octet-stream'}\r\n`}\r\n`;
    chunks.push(Buffer.from(head), p.data ?? Buffer.from(p.value ?? ''), Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` };
}

export const pdfBytes = (size = 2048) => {
  const b = Buffer.alloc(size, 0x20);
  b.write('%PDF-1.4\n');
  return b;
};

/** The action of a page's form by data-testid (the token in its query), absolute. */
export function formAction(b: HttpBrowser, testid: string): string {
  const page = b.requirePage();
  const action = page.root.querySelector(`[data-testid="${testid}"]`)?.getAttribute('action');
  if (!action) throw new Error(`no form ${testid} on ${page.url}`);
  return new URL(action.replaceAll('&amp;', '&'), page.url).href;
}

/** Posts a body with the browser's cookies and no redirect following; the answer's status, page and Location. */
export async function postAs(
  b: HttpBrowser,
  url: string,
  body: Buffer | string,
  contentType: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; html: string; location: string | null; errorCode: string | undefined }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { cookie: await b.jar.getCookieString(url), 'content-type': contentType, ...headers },
    body: typeof body === 'string' ? body : new Uint8Array(body),
    redirect: 'manual',
  });
  const html = await res.text();
  return {
    status: res.status,
    html,
    location: res.headers.get('location'),
    errorCode: /data-error-code="([^"]+)"/.exec(html)?.[1],
  };
}
