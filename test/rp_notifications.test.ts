/*
 * The cabinet's notifications (G6) over HTTP on a whole stand: a notification raises the unread badge,
 * «Отметить прочитанным» and «Прочитать все» lower it, another person's notification cannot be touched,
 * and each notification goes by e-mail over SMTP into the emulator's inbox of the same run.
 */
import test from 'ava';
import { HttpBrowser } from '../scenarios/runner/http_browser.ts';
import { newRun, type Stand, startStand } from '../scenarios/runner/stand.ts';

let stand: Stand;
test.before(async () => {
  stand = await startStand();
});
test.after.always(() => stand?.close());

const ivanov = { phone: '+79000000001', email: 'ivanov@example.test', snils: '112-233-401 83' };
const petrova = { snils: '112-233-402 84' };

/** A browser signed in to ФМРМ as the persona, in an isolated run of its own. */
async function signedIn(t: import('ava').ExecutionContext) {
  const who = ivanov;
  const { run, end } = await newRun(stand);
  t.teardown(end);
  const b = new HttpBrowser();
  await b.setCookie(stand.idp, 'esia_run', run);
  await b.goto(`${stand.rp}/login`);
  await b.click('submit', { identifier: who.phone, password: 'Test-1234' });
  if (b.screen() === 'otp') {
    const sms = await stand.control<{ messages: Array<{ code: string }> }>(
      'GET',
      `/inbox/sms?to=${encodeURIComponent(who.phone)}&run=${run}`,
    );
    await b.click('submit', { code: sms.messages[0]?.code ?? '' });
  }
  t.is(b.screen(), 'cabinet', `${b.errorCode()} ${b.current()?.url}`);
  const rp = stand.controlAt(stand.rp);
  // Teardowns run last-registered first: the run's e-mail is delivered before the run ends.
  t.teardown(() => rp('POST', `/mail/settled?run=${run}`));
  const notify = (body: Record<string, unknown>) =>
    rp<{ notification: { id: string }; unread: number; mailboxes: string[] }>('POST', `/notifications?run=${run}`, {
      snils: who.snils,
      ...body,
    });
  // What signing in announced by itself (checks coming due, home page) is not what these tests count.
  await rp('POST', `/notifications/clear?run=${run}`, { snils: who.snils });
  return { b, run, rp, notify };
}

const badge = (b: HttpBrowser) => b.byTestId('unread-count')?.textContent ?? null;

test('a notification shows on the page with the unread badge; marking it read lowers the badge', async (t) => {
  const { b, notify } = await signedIn(t);
  await b.goto(`${stand.rp}/notifications`);
  t.is(b.screen(), 'rp-notifications');
  t.truthy(b.byTestId('notifications-empty'));
  t.is(badge(b), null);
  await notify({
    kind: 'document.accepted',
    title: 'Диплом принят',
    text: 'Проверяющий принял ваш диплом.',
    link: '/documents',
  });
  await notify({ kind: 'document.rejected', title: 'Справка отклонена', text: 'Нет печати организации.' });
  await b.goto(`${stand.rp}/notifications`);
  t.is(badge(b), '2');
  const items = b.requirePage().root.querySelectorAll('[data-testid="notification"]');
  t.deepEqual(
    items.map((i) => i.getAttribute('data-kind')),
    ['document.rejected', 'document.accepted'],
    'newest first',
  );
  t.true(items.every((i) => i.getAttribute('data-read') === 'false'));
  t.is(items[1]!.querySelector('[data-testid="notification-link"]')?.getAttribute('href'), '/documents');
  await b.click('notification-mark-read');
  t.is(b.screen(), 'rp-notifications');
  t.is(badge(b), '1');
  t.is(
    b.requirePage().root.querySelector('[data-kind="document.rejected"]')?.getAttribute('data-read'),
    'true',
    'the newest was marked read',
  );
  await b.click('notifications-read-all');
  t.is(badge(b), null);
  t.falsy(b.byTestId('notifications-read-all'));
  t.regex(b.byTestId('notifications-summary')?.textContent ?? '', /Все уведомления прочитаны/);
});

test("another person's notification id is not found by changing the id: nothing changes, the page says so", async (t) => {
  const { b, run, rp, notify } = await signedIn(t);
  const hers = await rp<{ notification: { id: string } }>('POST', `/notifications?run=${run}`, {
    snils: petrova.snils,
    kind: 'check.upcoming',
    title: 'Аккредитация',
    text: 'Через 20 дней.',
  });
  await notify({ kind: 'check.upcoming', title: 'Отчёт НМО', text: 'Через 30 дней.' });
  await b.goto(`${stand.rp}/notifications`);
  t.is(b.requirePage().root.querySelectorAll('[data-testid="notification"]').length, 1, 'only his own is listed');
  // «Отметить прочитанным» posted with petrova's id instead of his own.
  await b.send(
    `${stand.rp}/notifications/${hers.notification.id}/read`,
    'POST',
    '',
    'application/x-www-form-urlencoded',
  );
  t.is(b.screen(), 'rp-notifications');
  t.truthy(b.byTestId('notification-missing'));
  t.is(badge(b), '1');
  const list = await rp<{ unread: number }>(
    'GET',
    `/notifications?run=${run}&snils=${encodeURIComponent(petrova.snils)}`,
  );
  t.is(list.unread, 1, 'hers is still unread');
});

test('each notification is e-mailed over SMTP to the Госуслуги e-mail, into the emulator inbox of the run', async (t) => {
  const { run, rp, notify } = await signedIn(t);
  const sent = await notify({
    kind: 'document.rejected',
    title: 'Справка отклонена',
    text: 'Нет печати организации.',
    link: '/documents',
  });
  t.true(sent.mailboxes.includes(ivanov.email), JSON.stringify(sent.mailboxes));
  const { deliveries } = await rp<{ deliveries: Array<{ outcome: string; to: string[]; response: string }> }>(
    'POST',
    `/mail/settled?run=${run}`,
  );
  t.like(deliveries.at(-1), { outcome: 'sent', to: sent.mailboxes });
  const inbox = await stand.control<{
    messages: Array<{ kind?: string; subject?: string; text: string; from?: string }>;
  }>('GET', `/inbox/email?to=${encodeURIComponent(ivanov.email)}&run=${run}`);
  const mail = inbox.messages.find((m) => m.kind === 'document.rejected');
  t.truthy(mail, JSON.stringify(inbox.messages));
  t.is(mail!.subject, 'Справка отклонена');
  t.regex(mail!.text, /Нет печати организации\./);
  t.true(mail!.text.includes(`${stand.rp}/documents`), 'the link points at the cabinet');
  t.regex(mail!.from ?? '', /^no-reply@fmrm\.stand\.test$/);
  // The main run's inbox did not get it.
  const main = await stand.control<{ messages: Array<{ kind?: string }> }>(
    'GET',
    `/inbox/email?to=${encodeURIComponent(ivanov.email)}`,
  );
  t.false(main.messages.some((m) => m.kind === 'document.rejected'));
});

test('bad control input for a notification is a 400 that names the field', async (t) => {
  const rp = stand.controlAt(stand.rp);
  await t.throwsAsync(rp('POST', '/notifications', { snils: '000', kind: 'x', title: 't', text: 't' }), {
    message: /404 No register record with СНИЛС "000"/,
  });
  await t.throwsAsync(rp('POST', '/notifications', { snils: ivanov.snils, kind: 'x', title: '', text: 't' }), {
    message: /400 "title" must be a non-empty string/,
  });
  await t.throwsAsync(
    rp('POST', '/notifications', {
      snils: ivanov.snils,
      kind: 'x',
      title: 't',
      text: 't',
      link: 'https://evil.example',
    }),
    { message: /400 "link" must be a page of this cabinet/ },
  );
});
