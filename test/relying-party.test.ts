/*
 * The ФМРМ relying party without an IdP: its error pages, routing guards, register file and the
 * admission rules (B8 trust level, C5 no record, B6 mismatch). Each test starts its own RP on port 0
 * with a temp data folder; the IdP address points at a closed port.
 */
import test from 'ava';
import type { ExecutionContext } from 'ava';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer as createHttpServer } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'node-html-parser';
import { referencePattern } from '../lib/reference_code.ts';
import { cookieNames } from '../relying-party/app.ts';
import { admit, maskDates, maskNames, maskSnils } from '../relying-party/admission.ts';
import { rpConfig, type RpConfig } from '../relying-party/config.ts';
import { RpError, rpErrors } from '../relying-party/errors.ts';
import { findRecord } from '../relying-party/data.ts';
import { loadFixtures } from '../relying-party/register.ts';
import { Workspaces } from '../relying-party/workspaces.ts';
import { startRp } from '../relying-party/server.ts';

async function tempDir(t: ExecutionContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'esia-rp-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** A port nobody listens on: bind, read, release. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function startTestRp(t: ExecutionContext, overrides: Partial<RpConfig> = {}): Promise<string> {
  const rp = await startRp(
    rpConfig({ port: 0, dataDir: await tempDir(t), idpIssuer: `http://localhost:${await closedPort()}`, ...overrides }),
  );
  t.teardown(() => rp.close());
  return rp.url;
}

async function get(url: string): Promise<{ res: Response; body: ReturnType<typeof parse>; text: string }> {
  const res = await fetch(url, { redirect: 'manual' });
  const text = await res.text();
  return { res, body: parse(text), text };
}

function assertErrorPage(
  t: ExecutionContext,
  page: Awaited<ReturnType<typeof get>>,
  code: keyof typeof rpErrors,
): void {
  const body = page.body.querySelector('body');
  t.is(page.res.status, rpErrors[code].status);
  t.is(body?.getAttribute('data-screen'), 'rp-error');
  t.is(body?.getAttribute('data-error-code'), code);
  t.regex(page.body.querySelector('[data-testid="ref-code"]')?.text ?? '', referencePattern);
  t.is(page.body.querySelector('[data-testid="error-title"]')?.text, rpErrors[code].title);
  t.truthy(page.body.querySelector('[data-testid="test-stand-banner"]'));
  t.truthy(page.body.querySelector('a[data-testid="home-link"][href="/"]'));
  t.notRegex(page.text, /\bat .+\.ts:\d+|Error:|node_modules/); // never a stack trace
}

test('the landing page has the test-stand banner and a login button', async (t) => {
  const url = await startTestRp(t);
  const page = await get(`${url}/`);
  t.is(page.res.status, 200);
  t.is(page.body.querySelector('body')?.getAttribute('data-screen'), 'rp-home');
  t.is(page.body.querySelector('[data-testid="test-stand-banner"]')?.text, 'Тестовый стенд — не настоящая система');
  t.is(page.body.querySelector('a[data-testid="login-esia"]')?.getAttribute('href'), '/login');
});

test('an unknown page is a 404 error page with a reference code and no stack', async (t) => {
  const url = await startTestRp(t);
  const page = await get(`${url}/no/such/page?x=<script>`);
  assertErrorPage(t, page, 'rp.not_found');
  t.regex(page.res.headers.get('x-ref-code') ?? '', referencePattern);
  t.false(page.text.includes('<script>'));
});

test('a malformed path is still a 404 page, not a crash', async (t) => {
  const url = await startTestRp(t);
  assertErrorPage(t, await get(`${url}/%E0%A4%A`), 'rp.not_found');
});

test('the cabinet without a session redirects to the landing page', async (t) => {
  const url = await startTestRp(t);
  const { res } = await get(`${url}/cabinet`);
  t.is(res.status, 302);
  t.is(res.headers.get('location'), '/');
});

test('a callback without a login in progress is refused as rp.callback_invalid', async (t) => {
  const url = await startTestRp(t);
  assertErrorPage(
    t,
    await get(`${url}/callback?code=abc&state=xyz&iss=http%3A%2F%2Flocalhost%3A3000`),
    'rp.callback_invalid',
  );
  // An IdP error without a login of ours is not trusted either.
  assertErrorPage(t, await get(`${url}/callback?error=access_denied&state=xyz`), 'rp.callback_invalid');
});

test('login while the IdP is down shows rp.idp_unavailable', async (t) => {
  const url = await startTestRp(t);
  const page = await get(`${url}/login`);
  assertErrorPage(t, page, 'rp.idp_unavailable');
  t.truthy(page.body.querySelector('a[data-testid="retry-login"][href="/login"]'));
  t.is(page.res.headers.get('set-cookie'), null); // nothing pending for a login that never started
});

test('an IdP that answers 503 (maintenance, E3) is rp.idp_unavailable, with the time from Retry-After', async (t) => {
  const idp = createHttpServer((_req, res) =>
    res
      .writeHead(503, { 'content-type': 'text/html', 'retry-after': 'Wed, 25 Nov 2026 12:00:00 GMT' })
      .end('<h1>Технические работы</h1>'),
  );
  await new Promise<void>((resolve) => idp.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => idp.close(() => resolve())));
  const url = await startTestRp(t, { idpIssuer: `http://localhost:${(idp.address() as { port: number }).port}` });
  const page = await get(`${url}/login`);
  assertErrorPage(t, page, 'rp.idp_unavailable');
  t.is(page.body.querySelector('[data-testid="idp-available-at"]')?.text, '25.11.2026, 15:00 (МСК)');
});

test('two RPs on one host use different cookie names (cookies ignore ports)', (t) => {
  t.deepEqual(cookieNames('fmrm'), { login: 'rp_login_fmrm', session: 'rp_sid_fmrm' });
  t.notDeepEqual(cookieNames('fmrm'), cookieNames('nmo-portal'));
});

test('logout without a session goes back to the landing page', async (t) => {
  const url = await startTestRp(t);
  const res = await fetch(`${url}/logout`, { method: 'POST', redirect: 'manual' });
  t.is(res.status, 303);
  t.is(res.headers.get('location'), '/');
  const local = await fetch(`${url}/logout/local`, { method: 'POST', redirect: 'manual' });
  t.is(local.status, 303);
  t.is(local.headers.get('location'), '/logged-out');
  const page = await get(`${url}/logged-out`);
  t.is(page.body.querySelector('body')?.getAttribute('data-screen'), 'rp-logged-out');
});

test('the register file is created from the fixtures on first run and reused after', async (t) => {
  const dataDir = await tempDir(t);
  const rp = await startRp(rpConfig({ port: 0, dataDir, clientId: 'nmo-portal' }));
  await rp.close();
  const path = join(dataDir, 'register-nmo-portal.json');
  const file = JSON.parse(await readFile(path, 'utf8')) as { records: Record<string, { accountNumber: string }> };
  t.is(file.records['11223340183']?.accountNumber, 'ФМРМ-0000101');
  t.false('11223341185' in file.records); // fedorov: C5

  const workspaces = await openWorkspaces(path);
  findRecord(workspaces.main.data, '112-233-401 83')!.lastLoginAt = '2026-11-25T10:00:00.000Z';
  workspaces.main.changed();
  await workspaces.close();
  const reopened = await openWorkspaces(path);
  t.teardown(() => reopened.close());
  t.is(findRecord(reopened.main.data, '11223340183')?.lastLoginAt, '2026-11-25T10:00:00.000Z');
});

const openWorkspaces = (path: string) =>
  Workspaces.open(path, {
    seed: async () => ({ records: await loadFixtures(rpConfig().registerFixtures) }),
    seeders: [],
  });

test('each run of the stand has its own data and clock; a reset brings the fixtures back at the given instant', async (t) => {
  const workspaces = await openWorkspaces(join(await tempDir(t), 'register.json'));
  t.teardown(() => workspaces.close());
  const run = await workspaces.get('run-0123456789ab');
  t.not(run, workspaces.main);
  t.is(await workspaces.get('run-0123456789ab'), run);
  t.is(await workspaces.get('../../etc'), workspaces.main); // not a run id: nothing new is made for it
  findRecord(run.data, '11223340183')!.status = 'Исключён';
  run.clock.advance(86_400_000);
  t.is(findRecord(workspaces.main.data, '11223340183')?.status, 'Зарегистрирован');
  await workspaces.reset(run, { instant: Date.parse('2026-12-01T09:00:00Z'), frozen: true });
  t.is(findRecord(run.data, '11223340183')?.status, 'Зарегистрирован');
  t.is(new Date(run.clock.now()).toISOString(), '2026-12-01T09:00:00.000Z');
  t.true(run.clock.frozen);
});

// Claims as the emulator sends them for a persona (config/personas.json).
const ivanov = {
  sub: '1000001013',
  family_name: 'Иванов',
  birthdate: '1985-03-14',
  snils: '112-233-401 83',
  trust_level: 'confirmed',
};
const fedorov = {
  sub: '1000011143',
  family_name: 'Фёдоров',
  birthdate: '1980-10-10',
  snils: '112-233-411 85',
  trust_level: 'confirmed',
};
const morozova = {
  sub: '1000012156',
  family_name: 'Морозова',
  birthdate: '1984-06-06',
  snils: '112-233-412 86',
  trust_level: 'confirmed',
};
const novikova = {
  sub: '1000010130',
  family_name: 'Новикова',
  birthdate: '1991-02-27',
  snils: '112-233-410 84',
  trust_level: 'standard',
};

async function openRegister(t: ExecutionContext): Promise<{ find(snils: string): ReturnType<typeof findRecord> }> {
  const workspaces = await openWorkspaces(join(await tempDir(t), 'register.json'));
  t.teardown(() => workspaces.close());
  return { find: (snils) => findRecord(workspaces.main.data, snils) };
}

function refusal(t: ExecutionContext, fn: () => unknown): RpError {
  const err = t.throws(fn, { instanceOf: RpError });
  if (!err) throw new Error('expected an RpError');
  return err;
}

test('register: a record is found by СНИЛС in any spelling', async (t) => {
  const register = await openRegister(t);
  t.is(register.find('112-233-401 83')?.accountNumber, 'ФМРМ-0000101');
  t.is(register.find('11223340183')?.lastName, 'Иванов');
  t.is(register.find('112 233 401-83')?.status, 'Зарегистрирован');
  t.is(admit(ivanov, 'confirmed', (s) => register.find(s)).accountNumber, 'ФМРМ-0000101');
});

test('register: no record for the СНИЛС is rp.no_register_record (C5)', async (t) => {
  const register = await openRegister(t);
  t.is(register.find(fedorov.snils), undefined);
  const err = refusal(t, () => admit(fedorov, 'confirmed', (s) => register.find(s)));
  t.is(err.code, 'rp.no_register_record');
  t.deepEqual(
    err.facts.map((f) => f.value),
    ['•••-•••-411 85'],
  );
  t.is(
    refusal(t, () => admit({ ...ivanov, snils: undefined }, 'confirmed', (s) => register.find(s))).code,
    'rp.no_register_record',
  );
});

test('register: a different birth date is rp.register_mismatch naming the field (B6)', async (t) => {
  const register = await openRegister(t);
  const err = refusal(t, () => admit(morozova, 'confirmed', (s) => register.find(s)));
  t.is(err.code, 'rp.register_mismatch');
  t.deepEqual(err.facts, [
    { label: 'Дата рождения', value: 'на Госуслугах 06.••.••••, в ФМРМ 16.••.••••', testid: 'mismatch-birthDate' },
  ]);
});

test('register: a different surname is a mismatch, ё/е and letter case are not', async (t) => {
  const register = await openRegister(t);
  t.notThrows(() => admit({ ...ivanov, family_name: 'ИВАНОВ' }, 'confirmed', (s) => register.find(s)));
  const err = refusal(t, () => admit({ ...ivanov, family_name: 'Иваненко' }, 'confirmed', (s) => register.find(s)));
  t.is(err.facts[0]?.testid, 'mismatch-lastName');
  t.is(err.facts[0]?.value, 'на Госуслугах И•••енко, в ФМРМ И•••ов');
});

test('trust level below the required one is rp.trust_level_too_low, checked first (B8)', (t) => {
  const err = refusal(t, () => admit(novikova, 'confirmed', () => undefined));
  t.is(err.code, 'rp.trust_level_too_low');
  t.deepEqual(
    err.facts.map((f) => f.value),
    ['стандартная', 'подтверждённая'],
  );
  t.is(
    refusal(t, () => admit({ ...ivanov, trust_level: undefined }, 'simplified', () => undefined)).code,
    'rp.trust_level_too_low',
  );
  // A portal that needs only 'standard' lets her through to the register check.
  t.is(refusal(t, () => admit(novikova, 'standard', () => undefined)).code, 'rp.no_register_record');
});

test('masks show only what differs', (t) => {
  t.deepEqual(maskDates('1984-06-06', '1984-06-16'), ['06.••.••••', '16.••.••••']);
  t.deepEqual(maskDates('1984-06-06', '1985-07-06'), ['••.06.1984', '••.07.1985']);
  t.deepEqual(maskNames('Морозова', 'Морозава'), ['М••••о••', 'М••••а••']);
  t.is(maskSnils('112-233-401 83'), '•••-•••-401 83');
});

test('every catalogue entry is complete', (t) => {
  for (const [code, e] of Object.entries(rpErrors)) {
    t.regex(code, /^rp\.[a-z_]+$/);
    t.true(e.status >= 400 && e.status < 600, code);
    for (const text of [e.title, e.message, e.remedy, e.support]) t.regex(text, /[а-яё]/i, code);
  }
});
