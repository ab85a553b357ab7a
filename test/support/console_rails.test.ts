/*
 * The support console's rails (E2, F3, F5): the role matrix enforced on the server for every action,
 * an end user's ESIA session or password never opening the console, CSRF tokens, signed cookies,
 * operator lockout, the operators file, and a journal that still verifies after all of it.
 */
import test from 'ava';
import { loadAuditKey } from '../../idp/adapters/audit_key.ts';
import { verifyJournal } from '../../idp/audit/verify.ts';
import {
  parseOperators,
  permissions,
  roles,
  supportActions,
  type Role,
  type SupportAction,
} from '../../idp/support/operators.ts';
import { HttpBrowser } from '../../scenarios/runner/http_browser.ts';
import { form, type ConsoleClient, signInForm } from '../helpers/support_console.ts';
import { journal, operatorSession, petrova, stand, useConsoleStand } from './console_stand.ts';

useConsoleStand();

const loginOf: Record<Role, string> = { operator: 'operator', senior: 'senior', trainer: 'trainer' };

const requests: Record<SupportAction, (c: ConsoleClient) => Promise<Response>> = {
  search: (c) => c.get('/support/search?q=%D0%9F%D0%B5%D1%82%D1%80%D0%BE%D0%B2%D0%B0'),
  view: (c) => c.get(`/support/accounts/${petrova}`),
  lookup_ref: (c) => c.get('/support/ref?code=ABCD-EFGH'),
  unlock: (c) => c.post(`/support/accounts/${petrova}/unlock`),
  reset_password: (c) => c.post(`/support/accounts/${petrova}/reset-password`),
  temporary_code: (c) => c.post(`/support/accounts/${petrova}/temporary-code`),
  note: (c) => c.post(`/support/accounts/${petrova}/note`, { text: 'Звонила, личность проверена по паспорту' }),
  edit_state: (c) => c.post(`/support/accounts/${petrova}/state`, { status: 'active' }),
  revoke_certificate: (c) =>
    c.post(
      `/support/accounts/${petrova}/certificates/${stand.emulator!.idp.services.pki.certificateFor('petrova', 'valid').serial}/revoke`,
      { reason: 'keyCompromise' },
    ),
  start_run: (c) => c.post('/support/runs'),
  reissue_certificate: (c) => c.post(`/support/accounts/${petrova}/certificates/reissue`),
  announce_outage: (c) => c.post('/support/outage', { mode: 'maintenance', until: '2099-01-01T12:00' }),
  end_outage: (c) => c.post('/support/outage/end'),
};

test.serial(
  'role matrix: each role × each action is allowed or refused on the server (403, reference code, journaled)',
  async (t) => {
    t.deepEqual([...roles], ['operator', 'senior', 'trainer']);
    for (const role of roles) {
      for (const action of supportActions) {
        await stand.control('POST', '/reset');
        const c = await operatorSession(loginOf[role]);
        const res = await requests[action](c);
        const body = await res.text();
        const allowed = permissions[role].has(action);
        if (allowed) {
          t.true(
            [200, 303, 404].includes(res.status) && !body.includes('support.forbidden'),
            `${role} may ${action}: got ${res.status}`,
          );
          if (action === 'lookup_ref') t.is(res.status, 404, 'an unknown reference code is a 404 page, not a refusal');
          else t.true(res.status === 200 || res.status === 303, `${role} ${action}: ${res.status}`);
        } else {
          t.is(res.status, 403, `${role} must not ${action}`);
          t.regex(body, /data-error-code="support\.forbidden"/);
          const ref = /data-ref="([^"]+)"/.exec(body)?.[1];
          t.truthy(ref, 'the refusal shows a reference code');
          const record = (await journal()).find((r) => r.ref === ref);
          t.like(record, {
            action: `support.${action}`,
            operator: loginOf[role],
            role,
            outcome: 'refused',
            code: 'support.forbidden',
            status: 403,
          });
        }
      }
    }
    // The roles' boundaries: what an operator, a senior operator and a trainer may each do.
    t.true(
      permissions.trainer.has('start_run') && !permissions.trainer.has('unlock') && !permissions.trainer.has('note'),
    );
    t.true(permissions.senior.has('edit_state') && !permissions.operator.has('edit_state'));
    for (const action of ['unlock', 'reset_password', 'temporary_code'] as const)
      t.true(permissions.operator.has(action));
  },
);

test.serial('forbidden actions change nothing', async (t) => {
  await stand.control('POST', '/reset');
  const trainer = await operatorSession('trainer');
  t.is((await trainer.post(`/support/accounts/${petrova}/unlock`)).status, 403);
  const operator = await operatorSession('operator');
  t.is((await operator.post(`/support/accounts/${petrova}/state`, { status: 'inactive' })).status, 403);
  const personas = await stand.control<Array<{ persona: string; state: { locked: boolean; status: string } }>>(
    'GET',
    '/personas',
  );
  t.like(personas.find((p) => p.persona === 'petrova')?.state, { locked: true, status: 'active' });
});

test.serial('an end user never reaches the console: not with an ESIA session, not with their password', async (t) => {
  await stand.control('POST', '/reset');
  const user = new HttpBrowser();
  await user.goto(`${stand.rp}/login`);
  await user.click('submit', { identifier: '+79000000001', password: 'Test-1234' });
  const { messages } = await stand.control<{ messages: Array<{ code: string }> }>(
    'GET',
    '/inbox/sms?to=%2B79000000001',
  );
  await user.click('submit', { code: messages[0]!.code });
  t.is(user.current()?.screen, 'cabinet', 'signed in to ФМРМ through the emulator');
  for (const path of [
    '/support',
    '/support/search?q=petrova',
    `/support/accounts/${petrova}`,
    '/support/ref?code=ABCD-EFGH',
  ]) {
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
  const missing = await fetch(`${stand.idp}/support/accounts/${petrova}/unlock`, {
    method: 'POST',
    redirect: 'manual',
    headers: { ...form, cookie: a.cookie },
    body: '',
  });
  t.is(missing.status, 403);
  t.regex(await missing.text(), /data-error-code="support\.csrf"/);
  const foreign = await a.post(`/support/accounts/${petrova}/unlock`, { csrf: b.csrf });
  t.is(foreign.status, 403);
  const personas = await stand.control<Array<{ persona: string; state: { locked: boolean } }>>('GET', '/personas');
  t.true(personas.find((p) => p.persona === 'petrova')?.state.locked, 'nothing was unlocked');
  const csrfRecord = (await journal()).filter((r) => r.code === 'support.csrf').at(-1);
  t.like(csrfRecord, { operator: 'operator', role: 'operator', action: 'support.unlock', outcome: 'refused' });

  const [id] = a.cookie.replace('esia_support=', '').split('.');
  const forged = await fetch(`${stand.idp}/support/accounts/${petrova}`, {
    redirect: 'manual',
    headers: { cookie: `esia_support=${id}.AAAA` },
  });
  t.is(forged.status, 303, 'an unsigned session id is sent to the sign-in page');
  t.is((await a.post(`/support/accounts/${petrova}/unlock`)).status, 303, 'with its own token the action goes through');
});

test.serial('operators are locked out after five wrong passwords, for 15 minutes of the run clock', async (t) => {
  await stand.control('POST', '/reset');
  await stand.control('POST', '/clock', { set: '2026-11-25T09:00:00Z', freeze: true });
  const signIn = await signInForm(stand.idp);
  const attempt = (password: string) =>
    fetch(`${stand.idp}/support/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: { ...form, cookie: signIn.cookie },
      body: new URLSearchParams({ ...signIn.fields, login: 'senior', password }),
    });
  for (let i = 1; i <= 4; i++) t.is((await attempt('wrong')).status, 401);
  t.is((await attempt('wrong')).status, 403);
  const locked = await attempt('Operator-1234');
  t.is(locked.status, 403, 'even the right password');
  t.regex(await locked.text(), /support\.operator_locked/);
  await stand.control('POST', '/clock', { advance: 'PT16M' });
  t.is((await attempt('Operator-1234')).status, 303);
});

test.serial('after a console session the journal still verifies end to end', async (t) => {
  const { dataDir, keysDir } = stand.emulator!.idp.services.config;
  const report = await verifyJournal(dataDir, { key: loadAuditKey(keysDir) });
  t.true(report.ok, report.bad?.message);
  t.true(report.records > 50);
});

test('the operators file: one role per account and one account per person (F3), with precise errors', (t) => {
  const hash = 'scrypt$1024$8$1$AAAA$BBBB';
  const ok = parseOperators(
    { operators: [{ login: 'ab', name: 'Иванова Анна', role: 'operator', passwordHash: hash }] },
    'ops.json',
  );
  t.is(ok.get('ab')?.role, 'operator');
  const twoRoles = t.throws(() =>
    parseOperators(
      { operators: [{ login: 'a1', name: 'Иванова Анна', role: ['operator', 'trainer'], passwordHash: hash }] },
      'ops.json',
    ),
  );
  t.regex(
    twoRoles.message,
    /^ops\.json: operators\[0\]\.role: expected exactly one role for "a1" \(one account, one role: F3\)/,
  );
  const samePerson = t.throws(() =>
    parseOperators(
      {
        operators: [
          { login: 'anna', name: 'Иванова Анна Петровна', role: 'operator', passwordHash: hash },
          { login: 'anna2', name: 'иванова  анна петровна', role: 'trainer', passwordHash: hash },
        ],
      },
      'ops.json',
    ),
  );
  t.regex(
    samePerson.message,
    /operators\[1\]\.name: expected one account per person \(F3\): "anna2" \(trainer\) and "anna" \(operator\) are the same person/,
  );
  const sameId = t.throws(() =>
    parseOperators(
      {
        operators: [
          { login: 'x1', name: 'Петров Пётр', employeeId: 'E-1', role: 'senior', passwordHash: hash },
          { login: 'x2', name: 'Петров П. И.', employeeId: 'E-1', role: 'operator', passwordHash: hash },
        ],
      },
      'ops.json',
    ),
  );
  t.regex(sameId.message, /employeeId E-1/);
  t.throws(
    () =>
      parseOperators(
        { operators: [{ login: 'ab', name: 'Иванова Анна', role: 'admin', passwordHash: hash }] },
        'ops.json',
      ),
    { message: /role: expected one of operator, senior, trainer/ },
  );
});
