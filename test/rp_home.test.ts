/*
 * The ФМРМ cabinet's home (G3) by the run's clock: what the status means, the checks seeded relative
 * to the run's start with the days left, highlighted within 30 days and «просрочено» once past, and
 * one notification per check as it comes within 30 days, however often the page is opened.
 */
import test, { type ExecutionContext } from 'ava';
import { checksOf, daysLeftText, seedCheckDates } from '../relying-party/home/checks.ts';
import type { RpData } from '../relying-party/data.ts';
import type { RegisterRecord } from '../relying-party/register.ts';
import { HttpBrowser } from '../scenarios/runner/http_browser.ts';
import { newRun } from '../scenarios/runner/stand.ts';
import { sharedStand } from './helpers/stand.ts';

const shared = sharedStand();

async function ivanovAt(t: ExecutionContext, clock: string) {
  const { stand } = shared;
  const { run } = await newRun(stand);
  const rpControl = stand.controlAt(stand.rp);
  await rpControl('POST', `/reset?run=${run}`, { clock, freeze: true });
  const b = new HttpBrowser();
  await b.setCookie(stand.idp, 'esia_run', run);
  await b.goto(`${stand.rp}/login`);
  await b.click('submit', { identifier: '+79000000001', password: 'Test-1234' });
  const inbox = await stand.control<{ messages: Array<{ code: string }> }>(
    'GET',
    `/inbox/sms?to=%2B79000000001&run=${run}`,
  );
  await b.click('submit', { code: inbox.messages.at(-1)?.code ?? '' });
  t.is(b.screen(), 'cabinet');
  const checks = () =>
    b
      .requirePage()
      .root.querySelectorAll('[data-testid="upcoming-check"]')
      .map((row) => ({
        kind: row.getAttribute('data-kind'),
        days: Number(row.getAttribute('data-days-left')),
        tone: row.getAttribute('class'),
        text: row.querySelector('[data-testid="check-days-left"]')?.textContent ?? '',
      }));
  return {
    b,
    run,
    checks,
    advance: (days: number) => rpControl('POST', `/clock?run=${run}`, { advance: `P${days}D` }),
  };
}

test('the days left count from the run’s clock; ≤ 30 days are highlighted, past ones say «просрочено»', async (t) => {
  const { b, checks, advance } = await ivanovAt(t, '2031-05-10T09:00:00Z');
  t.is(b.byTestId('home-today')?.textContent, 'Сегодня 10.05.2031.');
  t.deepEqual(checks(), [
    { kind: 'licence', days: 10, tone: 'soon', text: 'осталось 10 дней скоро' },
    { kind: 'nmo_report', days: 20, tone: 'soon', text: 'осталось 20 дней скоро' },
    { kind: 'accreditation', days: 75, tone: '', text: 'осталось 75 дней' },
  ]);
  t.regex(b.byTestId('status-meaning')?.textContent ?? '', /подтверждена/);
  t.regex(b.byTestId('status-next')?.textContent ?? '', /Ничего делать не нужно/);

  await advance(12);
  await b.goto(`${new URL(b.requirePage().url).origin}/cabinet`);
  t.like(checks()[0], { kind: 'licence', days: -2, tone: 'overdue', text: 'просрочено на 2 дня просрочено' });
  t.like(checks()[2], { kind: 'accreditation', days: 63, tone: '' });
});

test('each check within 30 days is announced once: a second view adds nothing, a check coming close later adds one', async (t) => {
  const { b, advance } = await ivanovAt(t, '2031-05-10T09:00:00Z');
  t.is(b.byTestId('home-unread')?.textContent, 'Новых уведомлений: 2.', 'the licence and the НМО report');
  await b.goto(b.requirePage().url);
  t.is(b.byTestId('home-unread')?.textContent, 'Новых уведомлений: 2.', 'a second view announces nothing new');
  await advance(50); // the accreditation: 75 − 50 = 25 days; the licence is overdue but was announced already
  await b.goto(b.requirePage().url);
  t.is(b.byTestId('home-unread')?.textContent, 'Новых уведомлений: 3.');
});

test('fixture offsets become dates at the run’s day in Moscow; the words agree with the number', (t) => {
  const record = {
    upcomingChecks: [
      { title: 'a', due: '', inDays: 1 },
      { title: 'b', due: '', inDays: 0 },
      { title: 'c', due: '', inDays: -21 },
      { title: 'd', due: '', inDays: 22 },
    ],
  } as unknown as RegisterRecord;
  // 22:30 UTC is already the next day in Moscow.
  const now = Date.parse('2026-12-31T22:30:00Z');
  seedCheckDates({ version: 1, records: { x: record } } as RpData, { records: [] }, now);
  t.deepEqual(
    record.upcomingChecks.map((c) => c.due),
    ['2027-01-02', '2027-01-01', '2026-12-11', '2027-01-23'],
  );
  t.deepEqual(checksOf(record, now).map(daysLeftText), [
    'просрочено на 21 день',
    'сегодня последний день',
    'остался 1 день',
    'осталось 22 дня',
  ]);
});
