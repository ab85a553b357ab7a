/*
 * The kinds of malformed request that once got a 5xx: deeply nested JSON to the ESIA token
 * endpoints, Basic credentials with a bad percent-encoding, an OCSP GET that is not
 * percent-decodable, an oversized form sent chunked (no Content-Length), and a body that is not the
 * gzip it claims. Each now gets its specific 4xx answer, and the oversized one its 413 page and an
 * audit record with the client's address.
 */
import test from 'ava';
import { request } from 'node:http';
import { parseOcspResponse } from '../../lib/pki/revocation.ts';
import { type Stand, startStand } from '../../scenarios/runner/stand.ts';

let stand: Stand;
test.before(async () => {
  stand = await startStand();
});
test.after.always(() => stand?.close());

for (const path of ['/aas/oauth2/te', '/aas/oauth2/v3/te']) {
  test(`${path}: a parameter nested 20,000 deep is ESIA-007003 naming it, not a stack overflow`, async (t) => {
    for (const body of [
      `{"client_id":${'['.repeat(20_000)}${']'.repeat(20_000)},"state":"s"}`,
      `{"client_id":${'{"a":'.repeat(5_000)}1${'}'.repeat(5_000)}}`,
    ]) {
      const res = await fetch(stand.idp + path, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      });
      t.is(res.status, 400);
      const answer = (await res.json()) as { error: string; error_description: string };
      t.is(answer.error, 'invalid_request');
      t.regex(answer.error_description, /^ESIA-007003: /);
    }
  });

  test(`${path}: Basic credentials that are not valid percent-encoding are ESIA-007003`, async (t) => {
    for (const credentials of ['FMRM01:%', '%E0%A4%A:secret', 'FMRM01:%FF%FE']) {
      const res = await fetch(stand.idp + path, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          authorization: `Basic ${Buffer.from(credentials).toString('base64')}`,
        },
        body: 'grant_type=authorization_code&code=x&state=s',
      });
      t.is(res.status, 400, credentials);
      t.regex(((await res.json()) as { error_description: string }).error_description, /^ESIA-007003: /, credentials);
    }
  });
}

test('a body that says it is gzip but is not gets a 400 at the ESIA token endpoints, not a 500', async (t) => {
  for (const path of ['/aas/oauth2/te', '/aas/oauth2/v3/te']) {
    for (const type of ['application/json', 'application/x-www-form-urlencoded']) {
      const res = await fetch(stand.idp + path, {
        method: 'POST',
        headers: { 'content-type': type, 'content-encoding': 'gzip' },
        body: '{"client_id":"FMRM01"}',
      });
      t.is(res.status, 400, `${path} ${type}`);
      t.notRegex(await res.text(), /at \w+ \(|node:internal/, 'no stack trace');
    }
  }
});

test('GET /pki/ocsp/<not percent-decodable> answers OCSP malformedRequest, as for any bytes that are no OCSPRequest', async (t) => {
  for (const garbage of ['%FF%FE', '%', '%E0%A4%A']) {
    const res = await fetch(`${stand.idp}/pki/ocsp/${garbage}`);
    t.is(res.status, 200, garbage);
    t.is(res.headers.get('content-type'), 'application/ocsp-response');
    t.is((await parseOcspResponse(new Uint8Array(await res.arrayBuffer()))).status, 1, garbage);
  }
});

/** POSTs `bytes` chunked (no Content-Length), as a streaming client does. */
function postChunked(url: string, bytes: number): Promise<{ status: number; type: string; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'transfer-encoding': 'chunked' },
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type']), body }));
      },
    );
    req.on('error', reject);
    const chunk = Buffer.alloc(16 * 1024, 'a');
    let sent = 0;
    const pump = () => {
      while (sent < bytes) {
        sent += chunk.length;
        if (!req.write(chunk)) return void req.once('drain', pump);
      }
      req.end();
    };
    pump();
  });
}

test('an oversized sign-in form sent chunked gets the 413 page with a reference code, and the journal records it with the address', async (t) => {
  const res = await postChunked(`${stand.idp}/interaction/abcdefghijkl/login`, 2_000_000);
  t.is(res.status, 413);
  t.regex(res.type, /text\/html/);
  t.regex(res.body, /data-error-code="request\.too_large"/);
  const ref = /data-ref="([\w-]+)"/.exec(res.body)?.[1];
  t.truthy(ref);
  const found = await stand.control<{ record: { ip: string; code: string; status: number } }>('GET', `/audit/${ref}`);
  t.like(found.record, { code: 'request.too_large', status: 413 });
  t.regex(found.record.ip, /127\.0\.0\.1|::1/);
  t.is((await fetch(`${stand.idp}/__health/ready`)).status, 200, 'still serving');
});
