/*
 * B1, B2: the unconfirmed phone or e-mail is confirmed on the refusal screen, by a code under the
 * rules of every one-time code; the confirmation is kept on the account and journaled, and the
 * sign-in goes on. Only a sign-in that has passed the password may confirm anything.
 */
import test from 'ava';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { HttpBrowser } from '../../scenarios/runner/http_browser.ts';
import { type Stand, startStand } from '../../scenarios/runner/stand.ts';

let stand: Stand;
test.before(async () => {
  stand = await startStand();
});
test.after.always(() => stand?.close());

const popova = { phone: '+79000000006', oid: '1000006078' };

async function refused(phone: string, password = 'Test-1234'): Promise<HttpBrowser> {
  const b = new HttpBrowser();
  await b.goto(`${stand.rp}/login`);
  await b.click('submit', { identifier: phone, password });
  return b;
}

async function latestSms(phone: string): Promise<string> {
  const { messages } = await stand.control<{ messages: Array<{ code: string; kind?: string }> }>(
    'GET',
    `/inbox/sms?to=${encodeURIComponent(phone)}`,
  );
  return messages[0]!.code;
}

async function journal(): Promise<Array<Record<string, unknown>>> {
  await stand.emulator!.idp.services.journal.flush();
  const text = await readFile(join(stand.emulator!.idp.services.config.dataDir, 'audit.jsonl'), 'utf8');
  return text
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

const personaState = async (persona: string) =>
  (
    await stand.control<Array<{ persona: string; state: { phoneConfirmed: boolean; emailConfirmed: boolean } }>>(
      'GET',
      '/personas',
    )
  ).find((p) => p.persona === persona)!.state;

test.serial(
  'the phone is confirmed by the code from the SMS, journaled, kept, and the next sign-in is not refused',
  async (t) => {
    await stand.control('POST', '/reset');
    t.is((await personaState('popova')).phoneConfirmed, false);
    const wrong = await refused(popova.phone, 'Wrong-pass-1');
    t.is(wrong.errorCode(), 'login.invalid_credentials', 'nothing is said about the phone before the right password');

    const b = await refused(popova.phone);
    t.is(b.errorCode(), 'account.phone_unconfirmed');
    t.is(b.page!.status, 403);
    await b.click('confirm-contact');
    t.is(b.screen(), 'confirm-contact');
    await b.click('submit', { code: await latestSms(popova.phone) });
    t.is(b.screen(), 'otp', 'the sign-in goes on to its second factor');
    t.true((await personaState('popova')).phoneConfirmed);
    await b.click('submit', { code: await latestSms(popova.phone) });
    t.is(b.screen(), 'cabinet');

    const confirmed = (await journal()).filter((r) => r.action === 'contact.confirm');
    t.like(confirmed.at(-1), { outcome: 'ok', account: popova.oid, details: { channel: 'sms', confirmed: 'phone' } });
    const again = await refused(popova.phone);
    t.is(again.screen(), 'otp', 'the confirmation is kept');
  },
);

test.serial(
  'the codes follow the one-time code rules: cooldown between sends, attempts per code, lifetime on the run clock',
  async (t) => {
    await stand.control('POST', '/reset');
    await stand.control('POST', '/clock', { set: '2026-11-25T09:00:00Z', freeze: true });
    const b = await refused(popova.phone);
    await b.click('confirm-contact');
    await b.click('resend');
    t.is(b.errorCode(), 'otp.resend_cooldown');
    t.is(b.page!.status, 429);
    t.regex(await b.text(), /Подождите ещё 60 с/);
    for (const left of [2, 1]) {
      await b.click('submit', { code: '000000' });
      t.is(b.errorCode(), 'otp.invalid');
      t.regex(await b.text(), new RegExp(`Осталось попыток: ${left}`));
    }
    await b.click('submit', { code: '000000' });
    t.is(b.errorCode(), 'otp.attempts_exhausted');
    await b.click('submit', { code: await latestSms(popova.phone) });
    t.is(b.errorCode(), 'otp.attempts_exhausted', 'a code whose attempts are spent stays void');

    await stand.control('POST', '/clock', { advance: 'PT61S' });
    await b.click('resend');
    t.regex(await b.text(), /Новый код отправлен/);
    await stand.control('POST', '/clock', { advance: 'PT6M' });
    await b.click('submit', { code: await latestSms(popova.phone) });
    t.is(b.errorCode(), 'otp.expired');
    t.regex(await b.text(), /Код из СМС действует ограниченное время/);
    t.false((await personaState('popova')).phoneConfirmed);
  },
);

test.serial('a failed SMS send is named under the refusal, which still offers to try again', async (t) => {
  await stand.control('POST', '/reset');
  const b = await refused(popova.phone);
  await stand.control('POST', '/faults', { kind: 'sms.fail', count: 1 });
  await b.click('confirm-contact');
  t.is(b.screen(), 'error');
  t.is(b.errorCode(), 'account.phone_unconfirmed');
  t.is(b.byTestId('error')?.getAttribute('data-error-code'), 'otp.delivery_failed');
  await b.click('confirm-contact');
  t.is(b.screen(), 'confirm-contact');
});

test.serial(
  'a sign-in that is not at the confirmation cannot confirm: the request goes back to its own stage',
  async (t) => {
    await stand.control('POST', '/reset');
    const b = new HttpBrowser();
    await b.goto(`${stand.rp}/login`);
    const uid = /\/interaction\/([\w-]+)/.exec(b.page!.url)![1]!;
    await b.send(`${stand.idp}/interaction/${uid}/confirm`, 'POST', '');
    t.is(b.screen(), 'login');
    await b.send(`${stand.idp}/interaction/${uid}/confirm/code`, 'POST', 'code=123456');
    t.is(b.screen(), 'login');
    t.false((await personaState('popova')).phoneConfirmed);
  },
);

test.serial(
  'the e-mail is confirmed by the code from the e-mail; its wrong code is worded for an e-mail',
  async (t) => {
    await stand.control('POST', '/reset');
    const b = await refused('+79000000007');
    t.is(b.errorCode(), 'account.email_unconfirmed');
    t.is(b.byTestId('confirm-contact')?.text.trim(), 'Подтвердить почту');
    await b.click('confirm-contact');
    await b.click('submit', { code: '000000' });
    t.regex(b.byTestId('error')?.text ?? '', /Код из письма введён неверно/);
    const wrong = (await journal()).filter((r) => r.action === 'contact.confirm' && r.code === 'otp.invalid');
    t.like(wrong.at(-1), { details: { channel: 'email', attemptsLeft: 2 } }, 'the console words it for an e-mail too');
    const { messages } = await stand.control<{ messages: Array<{ code: string; kind?: string }> }>(
      'GET',
      '/inbox/email?to=vasiliev%40example.test',
    );
    t.is(messages[0]?.kind, 'contact.confirm');
    await b.click('submit', { code: messages[0]!.code });
    t.is(b.screen(), 'otp');
    t.true((await personaState('vasiliev')).emailConfirmed);
    const confirmed = (await journal()).filter((r) => r.action === 'contact.confirm' && r.outcome === 'ok');
    t.like(confirmed.at(-1), { details: { channel: 'email', confirmed: 'email' } });
  },
);

test.serial(
  'after recovering access by e-mail, the unconfirmed phone is confirmed the same way and the sign-in ends signed in',
  async (t) => {
    await stand.control('POST', '/reset');
    const b = new HttpBrowser();
    await b.goto(`${stand.rp}/login`);
    await b.click('forgot-password');
    await b.click('submit', { identifier: 'popova@example.test' });
    const { messages } = await stand.control<{ messages: Array<{ code: string }> }>(
      'GET',
      '/inbox/email?to=popova%40example.test',
    );
    await b.click('submit', { code: messages[0]!.code });
    await b.click('submit', { password: 'Novyi-Parol-2026', repeat: 'Novyi-Parol-2026' });
    t.is(b.errorCode(), 'account.phone_unconfirmed', 'recovery does not confirm the phone by itself');
    await b.click('confirm-contact');
    await b.click('submit', { code: await latestSms(popova.phone) });
    t.is(b.screen(), 'cabinet', 'the recovery code was the second factor: no further code');
    t.true((await personaState('popova')).phoneConfirmed);
  },
);
