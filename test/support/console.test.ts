/*
 * The support console's rails (E2, F3, F5): the role matrix enforced on the server for every action,
 * an end user's ESIA session or password never opening the console, CSRF tokens, signed cookies,
 * operator lockout, the console acting on its own run, the temporary password's effect on sign-in,
 * and every operator action in the audit journal with the operator's login and role.
 */
import test from 'ava';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadAuditKey } from '../../idp/adapters/audit_key.ts';
import { verifyJournal } from '../../idp/audit/verify.ts';
import { parseOperators, permissions, roles, supportActions, type Role, type SupportAction } from '../../idp/support/operators.ts';
import { HttpBrowser } from '../../scenarios/runner/http_browser.ts';
import { type Stand, startStand } from '../../scenarios/runner/stand.ts';
import { signInForm } from '../helpers/support_console.ts';

let stand: Stand;
test.before(async () => {
  stand = await startStand();
});
test.after.always(() => stand?.close());

const form = { 'content-type': 'application/x-www-form-urlencoded' };
const loginOf: Record<Role, string> = { operator: 'operator', senior: 'senior', trainer: 'trainer' };
const petrova = '1000002026';

interface Console {
  cookie: string;
  csrf: string;
  get(path: string): Promise<Response>;
  post(path: string, fields?: Record<string, string>): Promise<Response>;
}

async function operatorSession(login: string, extraCookie = ''): Promise<Console> {
  const signIn = await signInForm(stand.idp, extraCookie);
  const res = await fetch(`${stand.idp}/support/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { ...form, cookie: signIn.cookie },
    body: new URLSearchParams({ ...signIn.fields, login, password: 'Operator-1234' }),
  });
  if (res.status !== 303) throw new Error(`sign-in of ${login}: ${res.status}`);
  const set = res.headers.getSetCookie().find((c) => c.startsWith('esia_support='));
  const cookie = [set?.split(';')[0], signIn.cookie].filter(Boolean).join('; ');
  const home = await (await fetch(`${stand.idp}/support`, { headers: { cookie } })).text();
  const csrf = /name="csrf" value="([^"]+)"/.exec(home)?.[1] ?? '';
  const c: Console = {
    cookie,
    csrf,
    get: (path) => fetch(`${stand.idp}${path}`, { redirect: 'manual', headers: { cookie: c.cookie } }),
    post: (path, fields = {}) => fetch(`${stand.idp}${path}`, { method: 'POST', redirect: 'manual', headers: { ...form, cookie: c.cookie }, body: new URLSearchParams({ csrf: c.csrf, ...signIn.fields, ...fields }) }),
  };
  return c;
}

const requests: Record<SupportAction, (c: Console) => Promise<Response>> = {
  search: (c) => c.get('/support/search?q=%D0%9F%D0%B5%D1%82%D1%80%D0%BE%D0%B2%D0%B0'),
  view: (c) => c.get(`/support/accounts/${petrova}`),
  lookup_ref: (c) => c.get('/support/ref?code=ABCD-EFGH'),
  unlock: (c) => c.post(`/support/accounts/${petrova}/unlock`),
  reset_password: (c) => c.post(`/support/accounts/${petrova}/reset-password`),
  temporary_code: (c) => c.post(`/support/accounts/${petrova}/temporary-code`),
  note: (c) => c.post(`/support/accounts/${petrova}/note`, { text: 'Звонила, личность проверена по паспорту' }),
  edit_state: (c) => c.post(`/support/accounts/${petrova}/state`, { status: 'active' }),
  revoke_certificate: (c) => c.post(`/support/accounts/${petrova}/certificates/${stand.emulator!.idp.services.pki.certificateFor('petrova', 'valid').serial}/revoke`, { reason: 'keyCompromise' }),
  start_run: (c) => c.post('/support/runs'),
  reissue_certificate: (c) => c.post(`/support/accounts/${petrova}/certificates/reissue`),
  announce_outage: (c) => c.post('/support/outage', { mode: 'maintenance', until: '2099-01-01T12:00' }),
  end_outage: (c) => c.post('/support/outage/end'),
};

async function journal(): Promise<Array<Record<string, unknown>>> {
  await stand.emulator!.idp.services.journal.flush();
  const text = await readFile(join(stand.emulator!.idp.services.config.dataDir, 'audit.jsonl'), 'utf8');
  return text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
}

test.serial('role matrix: each role × each action is allowed or refused on the server (403, reference code, journaled)', async (t) => {
  t.deepEqual([...roles], ['operator', 'senior', 'trainer']);
  for (const role of roles) {
    for (const action of supportActions) {
      await stand.control('POST', '/reset');
      const c = await operatorSession(loginOf[role]);
      const res = await requests[action](c);
      const body = await res.text();
      const allowed = permissions[role].has(action);
      if (allowed) {
        t.true([200, 303, 404].includes(res.status) && !body.includes('support.forbidden'), `${role} may ${action}: got ${res.status}`);
        if (action === 'lookup_ref') t.is(res.status, 404, 'an unknown reference code is a 404 page, not a refusal');
        else t.true(res.status === 200 || res.status === 303, `${role} ${action}: ${res.status}`);
      } else {
        t.is(res.status, 403, `${role} must not ${action}`);
        t.regex(body, /data-error-code="support\.forbidden"/);
        const ref = /data-ref="([^"]+)"/.exec(body)?.[1];
        t.truthy(ref, 'the refusal shows a reference code');
        const record = (await journal()).find((r) => r.ref === ref);
        t.like(record, { action: `support.${action}`, operator: loginOf[role], role, outcome: 'refused', code: 'support.forbidden', status: 403 });
      }
    }
  }
  // The roles' boundaries: what an operator, a senior operator and a trainer may each do.
  t.true(permissions.trainer.has('start_run') && !permissions.trainer.has('unlock') && !permissions.trainer.has('note'));
  t.true(permissions.senior.has('edit_state') && !permissions.operator.has('edit_state'));
  for (const action of ['unlock', 'reset_password', 'temporary_code'] as const) t.true(permissions.operator.has(action));
});

test.serial('forbidden actions change nothing', async (t) => {
  await stand.control('POST', '/reset');
  const trainer = await operatorSession('trainer');
  t.is((await trainer.post(`/support/accounts/${petrova}/unlock`)).status, 403);
  const operator = await operatorSession('operator');
  t.is((await operator.post(`/support/accounts/${petrova}/state`, { status: 'inactive' })).status, 403);
  const personas = await stand.control<Array<{ persona: string; state: { locked: boolean; status: string } }>>('GET', '/personas');
  t.like(personas.find((p) => p.persona === 'petrova')?.state, { locked: true, status: 'active' });
});

test.serial('an end user never reaches the console: not with an ESIA session, not with their password', async (t) => {
  await stand.control('POST', '/reset');
  const user = new HttpBrowser();
  await user.goto(`${stand.rp}/login`);
  await user.click('submit', { identifier: '+79000000001', password: 'Test-1234' });
  const { messages } = await stand.control<{ messages: Array<{ code: string }> }>('GET', '/inbox/sms?to=%2B79000000001');
  await user.click('submit', { code: messages[0]!.code });
  t.is(user.current()?.screen, 'cabinet', 'signed in to ФМРМ through the emulator');
  for (const path of ['/support', '/support/search?q=petrova', `/support/accounts/${petrova}`, '/support/ref?code=ABCD-EFGH']) {
    await user.goto(`${stand.idp}${path}`);
    t.is(user.current()?.screen, 'support-login', `${path} asks an operator to sign in`);
  }
  await user.send(`${stand.idp}/support/accounts/${petrova}/unlock`, 'POST', 'csrf=x');
  t.is(user.current()?.screen, 'support-login', 'an action without a console session is not performed');
  await user.goto(`${stand.idp}/support`);
  await user.click('support-submit', { login: '+79000000001', password: 'Test-1234' });
  t.is(user.current()?.error, 'support.invalid_credentials');
  await user.click('support-submit', { login: 'ivanov', password: 'Test-1234' });
  t.is(user.current()?.error, 'support.invalid_credentials');
  const personas = await stand.control<Array<{ persona: string; state: { locked: boolean } }>>('GET', '/personas');
  t.true(personas.find((p) => p.persona === 'petrova')?.state.locked);
});

test.serial('CSRF: an action needs the token of the same session; a forged cookie is no session', async (t) => {
  await stand.control('POST', '/reset');
  const a = await operatorSession('operator');
  const b = await operatorSession('senior');
  t.not(a.csrf, b.csrf);
  const missing = await fetch(`${stand.idp}/support/accounts/${petrova}/unlock`, { method: 'POST', redirect: 'manual', headers: { ...form, cookie: a.cookie }, body: '' });
  t.is(missing.status, 403);
  t.regex(await missing.text(), /data-error-code="support\.csrf"/);
  const foreign = await a.post(`/support/accounts/${petrova}/unlock`, { csrf: b.csrf });
  t.is(foreign.status, 403);
  const personas = await stand.control<Array<{ persona: string; state: { locked: boolean } }>>('GET', '/personas');
  t.true(personas.find((p) => p.persona === 'petrova')?.state.locked, 'nothing was unlocked');
  const csrfRecord = (await journal()).filter((r) => r.code === 'support.csrf').at(-1);
  t.like(csrfRecord, { operator: 'operator', role: 'operator', action: 'support.unlock', outcome: 'refused' });

  const [id] = a.cookie.replace('esia_support=', '').split('.');
  const forged = await fetch(`${stand.idp}/support/accounts/${petrova}`, { redirect: 'manual', headers: { cookie: `esia_support=${id}.AAAA` } });
  t.is(forged.status, 303, 'an unsigned session id is sent to the sign-in page');
  t.is((await a.post(`/support/accounts/${petrova}/unlock`)).status, 303, 'with its own token the action goes through');
});

test.serial('operators are locked out after five wrong passwords, for 15 minutes of the run clock', async (t) => {
  await stand.control('POST', '/reset');
  await stand.control('POST', '/clock', { set: '2026-11-25T09:00:00Z', freeze: true });
  const signIn = await signInForm(stand.idp);
  const attempt = (password: string) =>
    fetch(`${stand.idp}/support/login`, { method: 'POST', redirect: 'manual', headers: { ...form, cookie: signIn.cookie }, body: new URLSearchParams({ ...signIn.fields, login: 'senior', password }) });
  for (let i = 1; i <= 4; i++) t.is((await attempt('wrong')).status, 401);
  t.is((await attempt('wrong')).status, 403);
  const locked = await attempt('Operator-1234');
  t.is(locked.status, 403, 'even the right password');
  t.regex(await locked.text(), /support\.operator_locked/);
  await stand.control('POST', '/clock', { advance: 'PT16M' });
  t.is((await attempt('Operator-1234')).status, 303);
});

test.serial('a temporary code replaces the password at once, forces a change and is journaled without the secret', async (t) => {
  await stand.control('POST', '/reset');
  await stand.control('POST', '/clock', { set: '2026-11-25T09:00:00Z', freeze: true });
  const c = await operatorSession('operator');
  t.is((await c.post('/support/accounts/1000001013/temporary-code')).status, 303);
  const page = await (await c.get('/support/accounts/1000001013')).text();
  const code = /data-secret="(\d{8})"/.exec(page)?.[1];
  t.truthy(code, 'shown to the operator');
  t.false((await (await c.get('/support/accounts/1000001013')).text()).includes(code!), 'shown once');
  const records = (await journal()).filter((r) => r.action === 'support.temporary_code' && r.outcome === 'ok');
  t.like(records.at(-1), { operator: 'operator', role: 'operator', account: '1000001013' });
  t.false(JSON.stringify(records).includes(code!), 'the journal never holds the secret');

  const user = new HttpBrowser();
  await user.goto(`${stand.rp}/login`);
  await user.click('submit', { identifier: '+79000000001', password: 'Test-1234' });
  t.is(user.current()?.error, 'login.invalid_credentials', 'the old password stopped working');
  await user.click('submit', { identifier: '+79000000001', password: code! });
  t.is(user.current()?.screen, 'otp');
  const sms = await stand.control<{ messages: Array<{ code: string }> }>('GET', '/inbox/sms?to=%2B79000000001');
  await user.click('submit', { code: sms.messages[0]!.code });
  // The forced change says why: a temporary code to replace, not a password past its 180 days.
  t.is(user.current()?.screen, 'password-change');
  t.is(user.current()?.error, 'password.temporary_change');
  const notice = user.byTestId('notice')?.text ?? '';
  t.regex(notice, /временному коду или паролю, который выдала служба поддержки/);
  t.notRegex(await user.text(), /180 дней|истёк/);

  t.is((await c.post('/support/accounts/1000001013/reset-password')).status, 303);
  const { messages } = await stand.control<{ messages: Array<{ code: string; text: string }> }>('GET', '/inbox/email?to=ivanov%40example.test');
  t.regex(messages[0]?.text ?? '', /Временный пароль/);
  t.regex(messages[0]?.code ?? '', /^.{10}$/, 'a reset e-mails a 10-character password meeting the rules');
});

test.serial('a password the user recovers on their own replaces a temporary code: it still works after the code would have expired', async (t) => {
  await stand.control('POST', '/reset');
  await stand.control('POST', '/clock', { set: '2026-11-25T09:00:00Z', freeze: true });
  const c = await operatorSession('operator');
  t.is((await c.post('/support/accounts/1000001013/temporary-code')).status, 303);

  const user = new HttpBrowser();
  await user.goto(`${stand.rp}/login`);
  await user.click('forgot-password');
  await user.click('submit', { identifier: '+79000000001' });
  t.is(user.current()?.screen, 'recovery-code');
  const { messages } = await stand.control<{ messages: Array<{ code: string }> }>('GET', '/inbox/sms?to=%2B79000000001');
  await user.click('submit', { code: messages.at(-1)!.code });
  await user.click('submit', { password: 'Recovered-5678', repeat: 'Recovered-5678' });
  t.is(user.current()?.screen, 'cabinet');
  t.regex((await (await c.get('/support/accounts/1000001013')).text()), /data-testid="support-must-change" data-value="no">нет</, 'no temporary password is left on the card');

  await stand.control('POST', '/clock', { advance: 2 * 3600 });
  const later = new HttpBrowser();
  await later.goto(`${stand.rp}/login`);
  await later.click('submit', { identifier: '+79000000001', password: 'Recovered-5678' });
  t.is(later.current()?.screen, 'otp', 'the recovered password is the user’s own, not a temporary one past its lifetime');
});

test.serial('a wrong recovery code sent by e-mail is explained in the e-mail wording, on the screen and in the console; by SMS in the SMS wording', async (t) => {
  await stand.control('POST', '/reset');
  const c = await operatorSession('operator');
  for (const [identifier, wording] of [['ivanov@example.test', 'Код из письма введён неверно'], ['+79000000001', 'Код из СМС введён неверно']] as const) {
    const user = new HttpBrowser();
    await user.goto(`${stand.rp}/login`);
    await user.click('forgot-password');
    await user.click('submit', { identifier });
    await user.click('submit', { code: '000000' });
    t.is(user.errorCode(), 'otp.invalid');
    t.true((await user.text()).includes(wording), `${identifier}: the screen says «${wording}»`);
    const ref = user.byTestId('ref-code')?.getAttribute('data-ref') ?? '';
    const card = await (await c.get(`/support/ref?code=${ref}`)).text();
    const explanation = /data-testid="support-ref-explanation">([\s\S]*?)<\/div>/.exec(card)?.[1] ?? '';
    t.true(explanation.includes(wording), `${identifier}: the console says «${wording}»: ${explanation}`);
  }
});

test.serial('the console acts on the run of the browser it was opened in, and trainers start their own', async (t) => {
  await stand.control('POST', '/reset');
  const { run } = await stand.control<{ run: string }>('POST', '/runs');
  const inRun = await operatorSession('operator', `esia_run=${run}`);
  const runPetrova = (await stand.control<Array<{ persona: string; oid: string }>>('GET', `/personas?run=${run}`)).find((p) => p.persona === 'petrova')!.oid;
  t.not(runPetrova, petrova);
  t.is((await inRun.post('/support/accounts/petrova/unlock')).status, 303);
  const state = async (q: string) => (await stand.control<Array<{ persona: string; state: { locked: boolean } }>>('GET', `/personas${q}`)).find((p) => p.persona === 'petrova')!.state.locked;
  t.false(await state(`?run=${run}`), 'unlocked in the isolated run');
  t.true(await state(''), 'the main run is untouched');
  const record = (await journal()).filter((r) => r.action === 'support.unlock' && r.outcome === 'ok').at(-1);
  t.like(record, { run, account: runPetrova });

  const trainer = await operatorSession('trainer');
  const started = await trainer.post('/support/runs');
  t.is(started.status, 303);
  const home = await (await trainer.get('/support')).text();
  const own = /data-testid="support-run">(run-[0-9a-f]+)</.exec(home)?.[1];
  t.truthy(own, 'the console now works in the trainer’s new run');
  await stand.control('DELETE', `/runs/${run}`);
  await stand.control('DELETE', `/runs/${own}`);
});

test.serial('a senior operator revokes a certificate of the account in the console’s run only; not someone else’s', async (t) => {
  await stand.control('POST', '/reset');
  const { run } = await stand.control<{ run: string }>('POST', '/runs');
  const senior = await operatorSession('senior', `esia_run=${run}`);
  const { serial } = stand.emulator!.idp.services.pki.certificateFor('ivanov', 'valid');
  const card = await (await senior.get('/support/accounts/ivanov')).text();
  t.regex(card, new RegExp(`data-serial="${serial}" data-variant="valid" data-revoked="no"`));
  t.regex(card, /data-testid="support-revoke-valid"/);
  t.is((await senior.post(`/support/accounts/ivanov/certificates/${serial}/revoke`, { reason: 'superseded' })).status, 303);
  const after = await (await senior.get('/support/accounts/ivanov')).text();
  t.regex(after, new RegExp(`data-serial="${serial}" data-variant="valid" data-revoked="yes"`));
  t.like(await stand.control('GET', `/certificates/${serial}?run=${run}`), { revoked: { reason: 'superseded' } });
  t.like(await stand.control('GET', `/certificates/${serial}`), { revoked: null }, 'the main run is untouched');
  const record = (await journal()).filter((r) => r.action === 'support.revoke_certificate' && r.outcome === 'ok').at(-1);
  t.like(record, { operator: 'senior', role: 'senior', run, details: { serial, reason: 'superseded' } });
  const foreign = stand.emulator!.idp.services.pki.certificateFor('petrova', 'valid').serial;
  const refused = await senior.post(`/support/accounts/ivanov/certificates/${foreign}/revoke`);
  t.is(refused.status, 400);
  t.regex(await refused.text(), /support\.bad_input/);
  const operatorCard = await (await (await operatorSession('operator', `esia_run=${run}`)).get('/support/accounts/ivanov')).text();
  t.false(operatorCard.includes('support-revoke-'), 'an operator sees the certificates but no revoke button');
  t.regex(operatorCard, /data-testid="support-certificates"/);
  await stand.control('DELETE', `/runs/${run}`);
});

test.serial('search finds by ФИО, phone in any format, e-mail, СНИЛС with or without formatting, ФМРМ number', async (t) => {
  await stand.control('POST', '/reset');
  const c = await operatorSession('trainer');
  const found = async (q: string, kind = 'auto') => {
    const html = await (await c.get(`/support/search?q=${encodeURIComponent(q)}&kind=${kind}`)).text();
    return [...html.matchAll(/data-persona="(\w+)"/g)].map((m) => m[1]);
  };
  t.deepEqual(await found('петрова'), ['petrova']);
  t.deepEqual(await found('ИВАНОВ иван'), ['ivanov']);
  t.deepEqual(await found('8 (900) 000-00-02'), ['petrova']);
  t.deepEqual(await found('+7 900 000 00 02'), ['petrova']);
  t.deepEqual(await found('Ivanov@Example.test'), ['ivanov']);
  t.deepEqual(await found('112-233-401 83'), ['ivanov']);
  t.deepEqual(await found('11223340183'), ['ivanov']);
  t.deepEqual(await found('ФМРМ-0000102'), ['petrova']);
  t.deepEqual(await found('0000102', 'fmrm'), ['petrova']);
  t.deepEqual(await found('нет-такого'), []);
  const card = await (await c.get(`/support/accounts/${petrova}`)).text();
  t.regex(card, /data-testid="support-fmrm">ФМРМ-0000102/);
});

test.serial('factors other sign-in methods store on the account are shown as stored, secrets left out', async (t) => {
  await stand.control('POST', '/reset');
  const ivanov = stand.emulator!.idp.services.runs.main.accounts.byPersona('ivanov') as unknown as Record<string, unknown>;
  ivanov.webauthnCredentials = [{ id: 'cred-1', name: 'Ключ YubiKey', privateKeyPem: 'never shown' }];
  ivanov.totpSecret = 'JBSWY3DPEHPK3PXP';
  const card = await (await (await operatorSession('operator')).get('/support/accounts/ivanov')).text();
  t.regex(card, /data-field="webauthnCredentials"/);
  t.true(card.includes('Ключ YubiKey'));
  t.false(card.includes('never shown'));
  t.false(card.includes('JBSWY3DPEHPK3PXP'));
  await stand.control('POST', '/reset');
});

test.serial('after a console session the journal still verifies end to end', async (t) => {
  const { dataDir, keysDir } = stand.emulator!.idp.services.config;
  const report = await verifyJournal(dataDir, { key: loadAuditKey(keysDir) });
  t.true(report.ok, report.bad?.message);
  t.true(report.records > 50);
});

test('the operators file: one role per account and one account per person (F3), with precise errors', (t) => {
  const hash = 'scrypt$1024$8$1$AAAA$BBBB';
  const ok = parseOperators({ operators: [{ login: 'ab', name: 'Иванова Анна', role: 'operator', passwordHash: hash }] }, 'ops.json');
  t.is(ok.get('ab')?.role, 'operator');
  const twoRoles = t.throws(() => parseOperators({ operators: [{ login: 'a1', name: 'Иванова Анна', role: ['operator', 'trainer'], passwordHash: hash }] }, 'ops.json'));
  t.regex(twoRoles.message, /ops\.json operators\[0\] \(a1\): one account has exactly one role \(F3\)/);
  const samePerson = t.throws(() =>
    parseOperators(
      { operators: [{ login: 'anna', name: 'Иванова Анна Петровна', role: 'operator', passwordHash: hash }, { login: 'anna2', name: 'иванова  анна петровна', role: 'trainer', passwordHash: hash }] },
      'ops.json',
    ),
  );
  t.regex(samePerson.message, /operators\[1\]: "anna2" \(trainer\) and "anna" \(operator\) are the same person/);
  const sameId = t.throws(() =>
    parseOperators(
      { operators: [{ login: 'x1', name: 'Петров Пётр', employeeId: 'E-1', role: 'senior', passwordHash: hash }, { login: 'x2', name: 'Петров П. И.', employeeId: 'E-1', role: 'operator', passwordHash: hash }] },
      'ops.json',
    ),
  );
  t.regex(sameId.message, /employeeId E-1/);
  t.throws(() => parseOperators({ operators: [{ login: 'ab', name: 'Иванова Анна', role: 'admin', passwordHash: hash }] }, 'ops.json'), { message: /role: expected one of operator, senior, trainer/ });
});
