/*
 * «Личные данные» of the ФМРМ cabinet over HTTP, signed in through the real emulator (G4): the journal
 * of every change, restore, the conflict between two tabs, refresh from Госуслуги, and that neither a
 * forged form nor another person's session reaches what it must not. Each test plays in its own run.
 */
import test, { type ExecutionContext } from 'ava';
import { HttpBrowser } from '../scenarios/runner/http_browser.ts';
import { newRun } from '../scenarios/runner/stand.ts';
import { sharedStand } from './helpers/stand.ts';

const shared = sharedStand();

/** A browser signed in to ФМРМ as the persona with this phone, in a fresh run of the stand. */
async function signedIn(t: ExecutionContext, phone = '+79000000001', run?: string) {
  const { stand } = shared;
  const ours = run ?? (await newRun(shared.stand)).run;
  const b = new HttpBrowser();
  await b.setCookie(stand.idp, 'esia_run', ours);
  await b.goto(`${stand.rp}/login`);
  await b.click('submit', { identifier: phone, password: 'Test-1234' });
  const inbox = await stand.control<{ messages: Array<{ code: string }> }>(
    'GET',
    `/inbox/sms?to=${encodeURIComponent(phone)}&run=${ours}`,
  );
  await b.click('submit', { code: inbox.messages.at(-1)?.code ?? '' });
  t.is(b.screen(), 'cabinet', `signed in as ${phone}`);
  return { b, run: ours, rp: (path: string) => `${stand.rp}${path}` };
}

const text = (b: HttpBrowser, testid: string) => b.byTestId(testid)?.textContent.trim();

/** A copy of the edit page's form as it stands (a second tab holds its own copy). */
function formOf(b: HttpBrowser): URLSearchParams {
  const form = new URLSearchParams();
  for (const input of b.requirePage().root.querySelectorAll('form[action="/personal/edit"] input'))
    form.set(input.getAttribute('name') ?? '', input.getAttribute('value') ?? '');
  return form;
}

test('an edit is journaled with when, which field, old → new and how the person signed in; «Восстановить» brings it back as a new version', async (t) => {
  const { b, rp } = await signedIn(t);
  await b.goto(rp('/personal'));
  t.is(b.screen(), 'rp-personal');
  t.is(text(b, 'personal-phone'), '+7 (916) 201-40-10');
  t.is(text(b, 'personal-lastName'), 'Иванов');
  await b.click('personal-edit');
  t.is(b.screen(), 'rp-personal-edit');
  await b.click('personal-save', { phone: '8 (903) 555-12-34', licenceNumber: 'ЛО-77-01-012345' });
  t.is(b.screen(), 'rp-personal');
  t.is(text(b, 'personal-phone'), '+7 (903) 555-12-34', 'normalised to +7 (XXX) XXX-XX-XX');
  t.is(b.byTestId('personal-version')?.getAttribute('data-version'), '2');

  await b.goto(rp('/personal/history'));
  const latest = b.requirePage().root.querySelector('[data-testid="history-version"]')!;
  t.is(latest.getAttribute('data-version'), '2');
  t.regex(latest.textContent, /Телефон: \+7 \(916\) 201-40-10 → \+7 \(903\) 555-12-34/);
  t.regex(latest.textContent, /Номер лицензии медицинской организации: Л041-01137-77\/00312400 → ЛО-77-01-012345/);
  t.regex(latest.textContent, /Вход: пароль \+ код из СМС/);
  t.regex(latest.textContent, /\(МСК\)/);

  await b.click('restore-1');
  t.is(b.screen(), 'rp-personal');
  t.is(text(b, 'personal-phone'), '+7 (916) 201-40-10');
  t.is(b.byTestId('personal-version')?.getAttribute('data-version'), '3', 'a restore is itself a version');
  await b.goto(rp('/personal/history'));
  t.regex(b.requirePage().root.querySelector('[data-testid="history-version"]')!.textContent, /Восстановлена версия 1/);
  t.is(b.requirePage().root.querySelectorAll('[data-testid="history-version"]').length, 3);
  // Two checks within 30 days announced on the first view of the home page, then the edit and the restore.
  await b.goto(rp('/cabinet'));
  t.is(text(b, 'home-unread'), 'Новых уведомлений: 4.');
});

test('a wrong phone, e-mail and licence are each named next to their field; the entered values stay in the form; nothing is saved', async (t) => {
  const { b, rp } = await signedIn(t);
  await b.goto(rp('/personal/edit'));
  await b.click('personal-save', { phone: '12-34', email: 'ivanov@mail', licenceNumber: 'LO-77-01-012345' });
  t.is(b.current()?.status, 422);
  t.is(b.screen(), 'rp-personal-edit');
  t.is(b.errorCode(), 'rp.personal_invalid');
  t.regex(text(b, 'error-phone') ?? '', /10 цифр/);
  t.regex(text(b, 'error-email') ?? '', /домен с точкой/);
  t.regex(text(b, 'error-licenceNumber') ?? '', /реестре лицензий/);
  t.is(b.byTestId('error-address'), null, 'a good field has no message');
  t.is(b.byTestId('field-phone')?.getAttribute('value'), '12-34');
  t.is(b.byTestId('field-email')?.getAttribute('value'), 'ivanov@mail');
  await b.goto(rp('/personal'));
  t.is(b.byTestId('personal-version')?.getAttribute('data-version'), '1');
});

test('two tabs: the second save on the version both opened is a conflict naming what changed meanwhile, never an overwrite', async (t) => {
  const { b, rp } = await signedIn(t);
  await b.goto(rp('/personal/edit'));
  const tab1 = formOf(b); // opened on version 1, kept while the other tab saves
  await b.click('personal-save', { email: 'second.tab@clinic.example.test' });
  t.is(text(b, 'personal-email'), 'second.tab@clinic.example.test');

  tab1.set('phone', '+7 903 000-00-01');
  await b.send(rp('/personal/edit'), 'POST', tab1.toString());
  t.is(b.current()?.status, 409);
  t.is(b.errorCode(), 'rp.personal_conflict');
  const changes = b
    .requirePage()
    .root.querySelectorAll('[data-testid="conflict-change"]')
    .map((e) => e.textContent);
  t.deepEqual(changes, ['Электронная почта: ivanov.ii@clinic.example.test → second.tab@clinic.example.test']);
  t.regex(text(b, 'conflict-mine') ?? '', /Телефон: \+7 \(916\) 201-40-10 → \+7 \(903\) 000-00-01/);
  t.is(b.byTestId('reopen-edit')?.getAttribute('href'), '/personal/edit');

  await b.goto(rp('/personal'));
  t.is(text(b, 'personal-email'), 'second.tab@clinic.example.test', 'the first save stands');
  t.is(text(b, 'personal-phone'), '+7 (916) 201-40-10', 'the stale one wrote nothing');
  t.is(b.byTestId('personal-version')?.getAttribute('data-version'), '2');

  // A restore from a history page opened before that save is stale too.
  await b.send(rp('/personal/history/restore'), 'POST', 'version=1&base=1');
  t.is(b.errorCode(), 'rp.personal_conflict');
});

test('ФИО, СНИЛС and the date of birth cannot be changed by a forged form; an unknown version is named', async (t) => {
  const { b, rp } = await signedIn(t);
  await b.goto(rp('/personal/edit'));
  for (const forged of ['lastName=Хакеров', 'birthDate=2000-01-01', 'snils=000-000-000 00', 'firstName=Пётр']) {
    const form = formOf(b);
    const [name, value] = forged.split('=') as [string, string];
    form.set(name, value);
    await b.send(rp('/personal/edit'), 'POST', form.toString());
    t.is(b.errorCode(), 'rp.personal_readonly', forged);
    t.is(b.current()?.status, 400);
    await b.goto(rp('/personal/edit'));
  }
  await b.goto(rp('/personal'));
  t.is(text(b, 'personal-lastName'), 'Иванов');
  t.is(text(b, 'personal-birthDate'), '14.03.1985');
  t.is(text(b, 'personal-snils'), '112-233-401 83');
  t.is(b.byTestId('personal-version')?.getAttribute('data-version'), '1');

  await b.send(rp('/personal/history/restore'), 'POST', 'version=99&base=1');
  t.is(b.errorCode(), 'rp.personal_version_unknown');
  // A form without the version it was opened on cannot prove it is current: refused as stale, never a 500.
  await b.goto(rp('/personal/edit'));
  const unversioned = formOf(b);
  unversioned.delete('version');
  await b.send(rp('/personal/edit'), 'POST', unversioned.toString());
  t.is(b.current()?.status, 409);
  t.is(b.errorCode(), 'rp.personal_conflict');
  await b.goto(rp('/personal'));
  await b.send(rp('/personal/history/restore'), 'POST', 'version=1');
  t.is(b.errorCode(), 'rp.personal_conflict');
});

test('«Обновить из Госуслуг» takes ФИО and the date of birth from Госуслуги and journals it; a second press has nothing to do', async (t) => {
  const { stand } = shared;
  const { b, rp, run } = await signedIn(t);
  // The register's operator misspelled the middle name after the person signed in.
  await stand.controlAt(stand.rp)('POST', `/personal/register?run=${run}`, {
    snils: '112-233-401 83',
    middleName: 'Иваныч',
  });
  await b.goto(rp('/personal'));
  t.is(text(b, 'personal-middleName'), 'Иваныч');
  await b.click('refresh-gosuslugi');
  t.is(text(b, 'personal-middleName'), 'Иванович');
  t.regex(text(b, 'personal-notice') ?? '', /обновлены из Госуслуг/);
  await b.goto(rp('/personal/history'));
  const latest = b.requirePage().root.querySelector('[data-testid="history-version"]')!;
  t.regex(latest.textContent, /Обновлено из Госуслуг/);
  t.regex(latest.textContent, /Отчество: Иваныч → Иванович/);
  await b.goto(rp('/personal'));
  await b.click('refresh-gosuslugi');
  t.regex(text(b, 'personal-notice') ?? '', /совпадают с Госуслугами/);
  t.is(b.byTestId('personal-version')?.getAttribute('data-version'), '3');
});

test('another person’s journal is never reached: the same URLs and version numbers act on the signed-in person only', async (t) => {
  const ivanov = await signedIn(t);
  await ivanov.b.goto(ivanov.rp('/personal/edit'));
  await ivanov.b.click('personal-save', { phone: '+7 903 111-11-11' });
  const belova = await signedIn(t, '+79000000017', ivanov.run);
  await belova.b.goto(belova.rp('/personal/history'));
  t.is(belova.b.requirePage().root.querySelectorAll('[data-testid="history-version"]').length, 1);
  t.notRegex(belova.b.requirePage().html, /903\) 111-11-11|Иванов/);
  // Version 2 exists only in Ivanov's journal: for Belova it is no version (the form token from her own page).
  await belova.b.goto(belova.rp('/personal'));
  await belova.b.send(belova.rp('/personal/history/restore'), 'POST', 'version=2&base=1');
  t.is(belova.b.errorCode(), 'rp.personal_version_unknown');
  await ivanov.b.goto(ivanov.rp('/personal'));
  t.is(text(ivanov.b, 'personal-phone'), '+7 (903) 111-11-11');
  // Without a session there is nothing to read: the landing page.
  const stranger = new HttpBrowser();
  await stranger.goto(ivanov.rp('/personal/history'));
  t.is(stranger.screen(), 'rp-home');
});
