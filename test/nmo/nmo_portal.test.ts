/*
 * Портал НМО and ФМРМ's «НМО» tab over HTTP, each the real app on a real port (portal_helpers.ts):
 * the filter form, one-click registration with the form token, the certificate PDF only to its
 * owner, the public verification page, the server-to-server list and its secret, and the tab
 * when НМО answers, refuses or is down.
 */
import test from 'ava';
import { readPdf } from '../../lib/pdf_text.ts';
import { HttpBrowser } from '../../scenarios/runner/http_browser.ts';
import { freePort } from '../../scenarios/runner/stand.ts';
import { type Portal, startPortal } from './portal_helpers.ts';
import { lanAddress } from '../helpers/lan_address.ts';

const ivanov = '112-233-401 83';
const petrova = '112-233-402 84';
const secret = 'nmo-test-shared-secret';

let nmo: Portal;
let fmrm: Portal;

test.before(async () => {
  nmo = await startPortal({ clientId: 'nmo-portal', portal: 'nmo', title: 'Портал НМО', completedApiSecret: secret });
  fmrm = await startPortal({ nmoUrl: nmo.url, completedApiSecret: secret });
  // Seeded at a fixed instant, so the seeded numbers and dates are the same whenever the tests run.
  await nmo.workspaces.reset(nmo.workspaces.main, { instant: Date.parse('2026-11-25T09:00:00Z'), frozen: true });
});
test.after.always(async () => {
  await Promise.all([nmo?.close(), fmrm?.close()]);
});

const completed = (query: string, headers: Record<string, string> = {}) =>
  fetch(`${nmo.url}/api/completed?${query}`, { headers });

test('the events page filters by its GET query; a wrong date is named next to its field, not an error page', async (t) => {
  const b = await nmo.signIn(ivanov);
  await b.goto(`${nmo.url}/events?specialty=${encodeURIComponent('Терапия')}&from=32.13.2026`);
  t.is(b.requirePage().status, 200);
  t.is(b.screen(), 'nmo-events');
  t.regex(b.byTestId('filter-from-error')?.text ?? '', /«32\.13\.2026» не распознана/);
  const specialties = b
    .requirePage()
    .root.querySelectorAll('[data-testid^="event-ev-"] p.muted')
    .map((p) => p.text);
  t.true(specialties.length >= 5);
  t.true(specialties.every((text) => text.includes('Терапия')));
});

test('one-click registration and cancellation are forms with the token; the seats follow', async (t) => {
  const b = await nmo.signIn(ivanov);
  await b.goto(`${nmo.url}/events/ev-therapy-course`);
  t.is(b.byTestId('event-seats')?.text, 'зарегистрировано 28 из 30');
  await b.click('register-ev-therapy-course');
  t.is(b.screen(), 'nmo-event');
  t.is(b.byTestId('event-seats')?.text, 'зарегистрировано 29 из 30');
  await b.click('cancel-ev-therapy-course');
  t.is(b.byTestId('event-seats')?.text, 'зарегистрировано 28 из 30');
  // Without the page's token the same press is refused.
  await b.send(`${nmo.url}/events/ev-therapy-course/register`, 'POST', 'csrf_token=forged');
  t.is(b.errorCode(), 'rp.form_forged');
});

test('the person downloads their own certificate: a PDF with the font embedded and the number in it', async (t) => {
  const b = await nmo.signIn(ivanov);
  const file = await b.download(`${nmo.url}/my-events/ev-therapy-done/certificate.pdf`);
  t.is(file.status, 200);
  t.is(file.contentType, 'application/pdf');
  const pdf = readPdf(file.body);
  t.true(pdf.wellFormed);
  t.true(pdf.embedsTrueType);
  t.true(pdf.lines.includes('№ НМО-2026-000120'));
  t.true(pdf.lines.includes('Иванов Иван Иванович'));
});

test("another person's certificate or registration is not reachable by changing the event in the path", async (t) => {
  const b = await nmo.signIn(petrova);
  // Иванов's completed course: Петрова has no registration there, so there is nothing of hers to serve.
  const file = await b.download(`${nmo.url}/my-events/ev-therapy-done/certificate.pdf`);
  t.is(file.status, 404);
  t.false(file.contentType.includes('pdf'));
  // Her own is there.
  t.is((await b.download(`${nmo.url}/my-events/ev-cardio-done/certificate.pdf`)).status, 200);
  // Cancelling Иванов's webinar from her session cancels nothing of his.
  await b.goto(`${nmo.url}/events/ev-therapy-webinar`);
  const seats = b.byTestId('event-seats')?.text;
  await b.send(`${nmo.url}/events/ev-therapy-webinar/cancel`, 'POST', '');
  t.is(b.errorCode(), 'rp.not_registered');
  await b.goto(`${nmo.url}/events/ev-therapy-webinar`);
  t.is(b.byTestId('event-seats')?.text, seats);
});

test('the verification page is public: a valid number shows the name and the event only; an unknown one is 404', async (t) => {
  const valid = await fetch(`${nmo.url}/certificates/${encodeURIComponent('НМО-2026-000120')}`);
  t.is(valid.status, 200);
  const page = await valid.text();
  t.regex(page, /data-result="valid"/);
  t.regex(page, /Иванов Иван Иванович/);
  t.regex(page, /Профилактика сердечно-сосудистых заболеваний в первичном звене/);
  for (const personal of ['112-233-401 83', '14.03.1985', 'ФМРМ-0000101']) t.false(page.includes(personal), personal);
  const unknown = await fetch(`${nmo.url}/certificates/${encodeURIComponent('НМО-2026-999999')}`);
  t.is(unknown.status, 404);
  t.regex(await unknown.text(), /data-result="not-found"/);
  // The form on the page: a number typed in lower case and with spaces around finds the same certificate.
  const typed = await fetch(`${nmo.url}/certificates?number=${encodeURIComponent(' нмо-2026-000120 ')}`);
  t.is(typed.status, 200);
  t.regex(await typed.text(), /data-result="valid"/);
  const empty = await fetch(`${nmo.url}/certificates?number=`);
  t.is(empty.status, 200);
  t.regex(await empty.text(), /Введите номер, указанный на свидетельстве/);
});

test('the list of completed events refuses without the secret and with a wrong one, and answers with it', async (t) => {
  const none = await completed(`snils=${encodeURIComponent(ivanov)}`);
  t.is(none.status, 401);
  t.is(((await none.json()) as { error: string }).error, 'api.secret_required');
  const wrong = await completed(`snils=${encodeURIComponent(ivanov)}`, { authorization: 'Bearer not-the-secret' });
  t.is(wrong.status, 401);
  const bad = await completed('snils=123', { authorization: `Bearer ${secret}` });
  t.is(bad.status, 400);
  t.regex(((await bad.json()) as { message: string }).message, /11 digits/);
  const ok = await completed(`snils=${encodeURIComponent(ivanov)}`, { authorization: `Bearer ${secret}` });
  t.is(ok.status, 200);
  const body = (await ok.json()) as {
    events: Array<{ id: string; certificate: { number: string; verifyUrl: string } }>;
  };
  t.deepEqual(
    body.events.map((e) => [e.id, e.certificate.number]),
    [['ev-therapy-done', 'НМО-2026-000120']],
  );
  t.true(body.events[0]!.certificate.verifyUrl.startsWith(`${nmo.url}/certificates/`));
});

test('the list of completed events answers only this machine unless completedApiRemote', async (t) => {
  // Bound to every interface and reached through a non-loopback address of this machine, if it has one.
  const address = lanAddress();
  if (!address) {
    t.pass('no non-loopback address on this machine');
    return;
  }
  const nmoConfig = { clientId: 'nmo-portal', portal: 'nmo', completedApiSecret: secret, host: address } as const;
  const [closed, open] = await Promise.all([
    startPortal(nmoConfig),
    startPortal({ ...nmoConfig, completedApiRemote: true }),
  ]);
  try {
    const ask = (p: Portal) =>
      fetch(`http://${address}:${new URL(p.url).port}/api/completed?snils=11223340183`, {
        headers: { authorization: `Bearer ${secret}` },
      });
    const refused = await ask(closed);
    t.is(refused.status, 403);
    t.is(((await refused.json()) as { error: string }).error, 'api.not_loopback');
    t.is((await ask(open)).status, 200);
  } finally {
    await Promise.all([closed.close(), open.close()]);
  }
});

test('without a configured secret the list of completed events is off', async (t) => {
  const off = await startPortal({ clientId: 'nmo-portal', portal: 'nmo' });
  try {
    const res = await fetch(`${off.url}/api/completed?snils=11223340183`, { headers: { authorization: 'Bearer ' } });
    t.is(res.status, 404);
  } finally {
    await off.close();
  }
});

test("ФМРМ's «НМО» tab lists the completed events read from НМО", async (t) => {
  const b = await fmrm.signIn(ivanov);
  await b.click('tab-nmo');
  t.is(b.screen(), 'fmrm-nmo');
  t.truthy(b.byTestId('nmo-completed-ev-therapy-done'));
  t.is(b.byTestId('nmo-certificate-ev-therapy-done')?.text, '№ НМО-2026-000120');
  t.is(b.byTestId('nmo-credits-total')?.text, '36 ЗЕТ');
});

test("ФМРМ's «НМО» tab still opens when НМО is down or refuses, and says so", async (t) => {
  const down = await startPortal({ nmoUrl: `http://127.0.0.1:${await freePort()}`, completedApiSecret: secret });
  const refused = await startPortal({ nmoUrl: nmo.url, completedApiSecret: 'a-wrong-secret' });
  try {
    for (const [portal, said] of [
      [down, /Портал НМО сейчас не отвечает/],
      [refused, /ответил ошибкой \(HTTP 401\)/],
    ] as const) {
      const b = await portal.signIn(ivanov);
      await b.goto(`${portal.url}/nmo`);
      t.is(b.requirePage().status, 200);
      t.is(b.screen(), 'fmrm-nmo');
      t.regex(b.byTestId('nmo-unreachable')?.text ?? '', said);
      t.truthy(b.byTestId('tab-home'), 'the cabinet tabs are there');
    }
  } finally {
    await Promise.all([down.close(), refused.close()]);
  }
});

test('the organiser marks an ended event completed in the reviewer console; the participant then has the certificate', async (t) => {
  const person = await nmo.signIn(ivanov);
  t.is((await person.download(`${nmo.url}/my-events/ev-therapy-ended/certificate.pdf`)).status, 409);
  const reviewer = new HttpBrowser();
  await reviewer.goto(`${nmo.url}/reviewer`);
  await reviewer.click('reviewer-sign-in', { login: 'reviewer', password: 'Reviewer-1234' });
  await reviewer.goto(`${nmo.url}/reviewer/events`);
  t.is(reviewer.screen(), 'reviewer-events');
  // A running event has no button yet; the ended one has.
  t.falsy(reviewer.byTestId('complete-ev-therapy-now'));
  await reviewer.click('complete-ev-therapy-ended');
  t.regex(reviewer.byTestId('reviewer-flash')?.text ?? '', /выдано свидетельств: 1/);
  t.falsy(reviewer.byTestId('complete-ev-therapy-ended'));
  const file = await person.download(`${nmo.url}/my-events/ev-therapy-ended/certificate.pdf`);
  t.is(file.status, 200);
  t.true(readPdf(file.body).lines.some((l) => /^№ НМО-\d{4}-\d{6}$/.test(l)));
});
