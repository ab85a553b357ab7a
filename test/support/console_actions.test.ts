/*
 * The support console's actions (E2, F5): a temporary code or password and its effect on sign-in, a
 * recovery code explained on the screen and in the console, the console acting on its own run,
 * certificate revocation, search, and the factors shown on an account card; every operator action is
 * in the audit journal with the operator's login and role.
 */
import test from 'ava';
import { HttpBrowser } from '../../scenarios/runner/http_browser.ts';
import { journal, operatorSession, petrova, stand, useConsoleStand } from './console_stand.ts';

useConsoleStand();

test.serial(
  'a temporary code replaces the password at once, forces a change and is journaled without the secret',
  async (t) => {
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
    const { messages } = await stand.control<{ messages: Array<{ code: string; text: string }> }>(
      'GET',
      '/inbox/email?to=ivanov%40example.test',
    );
    t.regex(messages[0]?.text ?? '', /Временный пароль/);
    t.regex(messages[0]?.code ?? '', /^.{10}$/, 'a reset e-mails a 10-character password meeting the rules');
  },
);

test.serial(
  'a password the user recovers on their own replaces a temporary code: it still works after the code would have expired',
  async (t) => {
    await stand.control('POST', '/reset');
    await stand.control('POST', '/clock', { set: '2026-11-25T09:00:00Z', freeze: true });
    const c = await operatorSession('operator');
    t.is((await c.post('/support/accounts/1000001013/temporary-code')).status, 303);

    const user = new HttpBrowser();
    await user.goto(`${stand.rp}/login`);
    await user.click('forgot-password');
    await user.click('submit', { identifier: '+79000000001' });
    t.is(user.current()?.screen, 'recovery-code');
    const { messages } = await stand.control<{ messages: Array<{ code: string }> }>(
      'GET',
      '/inbox/sms?to=%2B79000000001',
    );
    await user.click('submit', { code: messages.at(-1)!.code });
    await user.click('submit', { password: 'Recovered-5678', repeat: 'Recovered-5678' });
    t.is(user.current()?.screen, 'cabinet');
    t.regex(
      await (await c.get('/support/accounts/1000001013')).text(),
      /data-testid="support-must-change" data-value="no">нет</,
      'no temporary password is left on the card',
    );

    await stand.control('POST', '/clock', { advance: 2 * 3600 });
    const later = new HttpBrowser();
    await later.goto(`${stand.rp}/login`);
    await later.click('submit', { identifier: '+79000000001', password: 'Recovered-5678' });
    t.is(
      later.current()?.screen,
      'otp',
      'the recovered password is the user’s own, not a temporary one past its lifetime',
    );
  },
);

test.serial(
  'a wrong recovery code sent by e-mail is explained in the e-mail wording, on the screen and in the console; by SMS in the SMS wording',
  async (t) => {
    await stand.control('POST', '/reset');
    const c = await operatorSession('operator');
    for (const [identifier, wording] of [
      ['ivanov@example.test', 'Код из письма введён неверно'],
      ['+79000000001', 'Код из СМС введён неверно'],
    ] as const) {
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
  },
);

test.serial('the console acts on the run of the browser it was opened in, and trainers start their own', async (t) => {
  await stand.control('POST', '/reset');
  const { run } = await stand.control<{ run: string }>('POST', '/runs');
  const inRun = await operatorSession('operator', `esia_run=${run}`);
  const runPetrova = (await stand.control<Array<{ persona: string; oid: string }>>('GET', `/personas?run=${run}`)).find(
    (p) => p.persona === 'petrova',
  )!.oid;
  t.not(runPetrova, petrova);
  t.is((await inRun.post('/support/accounts/petrova/unlock')).status, 303);
  const state = async (q: string) =>
    (await stand.control<Array<{ persona: string; state: { locked: boolean } }>>('GET', `/personas${q}`)).find(
      (p) => p.persona === 'petrova',
    )!.state.locked;
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

test.serial(
  'a senior operator revokes a certificate of the account in the console’s run only; not someone else’s',
  async (t) => {
    await stand.control('POST', '/reset');
    const { run } = await stand.control<{ run: string }>('POST', '/runs');
    const senior = await operatorSession('senior', `esia_run=${run}`);
    const { serial } = stand.emulator!.idp.services.pki.certificateFor('ivanov', 'valid');
    const card = await (await senior.get('/support/accounts/ivanov')).text();
    t.regex(card, new RegExp(`data-serial="${serial}" data-variant="valid" data-revoked="no"`));
    t.regex(card, /data-testid="support-revoke-valid"/);
    t.is(
      (await senior.post(`/support/accounts/ivanov/certificates/${serial}/revoke`, { reason: 'superseded' })).status,
      303,
    );
    const after = await (await senior.get('/support/accounts/ivanov')).text();
    t.regex(after, new RegExp(`data-serial="${serial}" data-variant="valid" data-revoked="yes"`));
    t.like(await stand.control('GET', `/certificates/${serial}?run=${run}`), { revoked: { reason: 'superseded' } });
    t.like(await stand.control('GET', `/certificates/${serial}`), { revoked: null }, 'the main run is untouched');
    const record = (await journal())
      .filter((r) => r.action === 'support.revoke_certificate' && r.outcome === 'ok')
      .at(-1);
    t.like(record, { operator: 'senior', role: 'senior', run, details: { serial, reason: 'superseded' } });
    const foreign = stand.emulator!.idp.services.pki.certificateFor('petrova', 'valid').serial;
    const refused = await senior.post(`/support/accounts/ivanov/certificates/${foreign}/revoke`);
    t.is(refused.status, 400);
    t.regex(await refused.text(), /support\.bad_input/);
    const operatorCard = await (
      await (await operatorSession('operator', `esia_run=${run}`)).get('/support/accounts/ivanov')
    ).text();
    t.false(operatorCard.includes('support-revoke-'), 'an operator sees the certificates but no revoke button');
    t.regex(operatorCard, /data-testid="support-certificates"/);
    await stand.control('DELETE', `/runs/${run}`);
  },
);

test.serial(
  'search finds by ФИО, phone in any format, e-mail, СНИЛС with or without formatting, ФМРМ number',
  async (t) => {
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
  },
);

test.serial('factors other sign-in methods store on the account are shown as stored, secrets left out', async (t) => {
  await stand.control('POST', '/reset');
  const ivanov = stand.emulator!.idp.services.runs.main.accounts.byPersona('ivanov') as unknown as Record<
    string,
    unknown
  >;
  ivanov.webauthnCredentials = [{ id: 'cred-1', name: 'Ключ YubiKey', privateKeyPem: 'never shown' }];
  ivanov.totpSecret = 'JBSWY3DPEHPK3PXP';
  const card = await (await (await operatorSession('operator')).get('/support/accounts/ivanov')).text();
  t.regex(card, /data-field="webauthnCredentials"/);
  t.true(card.includes('Ключ YubiKey'));
  t.false(card.includes('never shown'));
  t.false(card.includes('JBSWY3DPEHPK3PXP'));
  await stand.control('POST', '/reset');
});
