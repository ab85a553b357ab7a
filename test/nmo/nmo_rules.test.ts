/*
 * Портал НМО's rules without a server: the filters (dates typed two ways, wrong dates named, a range
 * keeps overlapping events), registration (full, twice, after the start), cancellation after the
 * start, the certificate before the end or without the organiser's mark, and the seed's shape.
 */
import test from 'ava';
import { readPdf } from '../../lib/pdf_text.ts';
import { baselineData } from '../../relying-party/data.ts';
import type { RpError } from '../../relying-party/errors.ts';
import { certificatePdf } from '../../relying-party/nmo/certificate_pdf.ts';
import { findEvent, nmoOf, seedEvents, takenSeats, type NmoEvent } from '../../relying-party/nmo/events.ts';
import { applyFilter, parseDay, parseFilter } from '../../relying-party/nmo/filters.ts';
import { cancel, certificateOf, completionRefusal, markCompleted, register } from '../../relying-party/nmo/rules.ts';
import { notificationsOf } from '../../relying-party/notifications.ts';
import { Workspace } from '../../relying-party/workspaces.ts';

const ivanov = '112-233-401 83';
const petrova = '112-233-402 84';
/** 25.11.2026, 12:00 МСК. */
const now = Date.parse('2026-11-25T09:00:00Z');
const day = 86_400_000;

function workspace(): Workspace {
  const data = baselineData({ records: [] }, now, [seedEvents]);
  const backing = { data, changed() {}, replace() {}, flush: async () => {} };
  const ws = new Workspace('run-000000000001', backing);
  ws.clock.set(now, true);
  return ws;
}

const event = (ws: Workspace, id: string): NmoEvent => findEvent(ws, id)!;
const codeOf = (t: import('ava').ExecutionContext, fn: () => unknown) => (t.throws(fn) as RpError).code;
const reasonOf = (t: import('ava').ExecutionContext, fn: () => unknown) =>
  (t.throws(fn) as RpError).facts.find((f) => f.testid === 'refusal-reason')?.value;

test('dates are read as a date input sends them and as people type them; impossible days are not dates', (t) => {
  t.is(parseDay('2026-12-01'), '2026-12-01');
  t.is(parseDay('01.12.2026'), '2026-12-01');
  t.is(parseDay('31.02.2026'), undefined);
  t.is(parseDay('2026-13-01'), undefined);
  t.is(parseDay('завтра'), undefined);
});

test('a wrong date is named next to its field and does not filter; a reversed range is named on «по»', (t) => {
  const wrong = parseFilter({ from: '32.12.2026', specialty: ' Терапия ' });
  t.deepEqual(wrong.filter, { specialty: 'Терапия' });
  t.regex(wrong.errors.from!, /«32\.12\.2026» не распознана/);
  const reversed = parseFilter({ from: '10.12.2026', to: '01.12.2026' });
  t.deepEqual(reversed.filter, { from: '2026-12-10' });
  t.regex(reversed.errors.to!, /раньше даты «с»/);
});

test('filters by specialty, region and a date range that keeps the events overlapping it, sorted by start', (t) => {
  const ws = workspace();
  const { events } = nmoOf(ws);
  const therapy = applyFilter(events, { specialty: 'Терапия' });
  t.true(therapy.length >= 5);
  t.true(therapy.every((e) => e.specialty === 'Терапия'));
  t.deepEqual(
    therapy.map((e) => e.startsAt),
    therapy.map((e) => e.startsAt).toSorted(),
  );
  t.true(applyFilter(events, { region: 'Санкт-Петербург' }).every((e) => e.region === 'Санкт-Петербург'));
  // 25.11: the running course (23.11–27.11) overlaps the day; the webinar of 28.11 does not.
  const today = applyFilter(events, { from: '2026-11-25', to: '2026-11-25' }).map((e) => e.id);
  t.true(today.includes('ev-therapy-now'));
  t.false(today.includes('ev-therapy-webinar'));
  t.deepEqual(applyFilter(events, { specialty: 'Терапия', region: 'Нигде' }), []);
});

test('the seed is relative to the run: past and future events, one full, completed ones with certificates', (t) => {
  const ws = workspace();
  const full = event(ws, 'ev-therapy-full');
  t.is(takenSeats(ws, full), full.seats);
  t.true(Date.parse(event(ws, 'ev-therapy-done').endsAt) < now);
  t.truthy(event(ws, 'ev-therapy-done').completedAt);
  t.true(Date.parse(event(ws, 'ev-therapy-webinar').startsAt) > now);
  t.regex(certificateOf(ws, event(ws, 'ev-therapy-done'), ivanov).number, /^НМО-2026-\d{6}$/);
});

test('registration: a full event names the seats, a second registration and one after the start are refused', (t) => {
  const ws = workspace();
  t.is(
    reasonOf(t, () => register(ws, event(ws, 'ev-therapy-full'), ivanov)),
    'Мест нет: зарегистрировано 30 из 30',
  );
  t.is(
    codeOf(t, () => register(ws, event(ws, 'ev-therapy-full'), ivanov)),
    'rp.event_full',
  );
  const course = event(ws, 'ev-therapy-course');
  register(ws, course, ivanov);
  t.is(takenSeats(ws, course), 29);
  t.is(
    codeOf(t, () => register(ws, course, ivanov)),
    'rp.already_registered',
  );
  t.is(
    codeOf(t, () => register(ws, event(ws, 'ev-therapy-now'), petrova)),
    'rp.registration_closed',
  );
  t.is(notificationsOf(ws, ivanov)[0]?.kind, 'event.registered');
});

test('cancellation frees the seat before the start, is refused after it, and of nothing is named', (t) => {
  const ws = workspace();
  const webinar = event(ws, 'ev-therapy-webinar');
  const before = takenSeats(ws, webinar);
  cancel(ws, webinar, ivanov);
  t.is(takenSeats(ws, webinar), before - 1);
  t.is(notificationsOf(ws, ivanov)[0]?.kind, 'event.cancelled');
  t.is(
    codeOf(t, () => cancel(ws, webinar, ivanov)),
    'rp.not_registered',
  );
  t.is(
    codeOf(t, () => cancel(ws, event(ws, 'ev-therapy-now'), ivanov)),
    'rp.cancel_after_start',
  );
  // Registering again after a cancellation is a new registration.
  register(ws, webinar, ivanov);
  t.is(takenSeats(ws, webinar), before);
});

test('the certificate: refused before the end and without the mark, with the reason; issued by the mark after the end', (t) => {
  const ws = workspace();
  const running = event(ws, 'ev-therapy-now');
  t.regex(
    reasonOf(t, () => certificateOf(ws, running, ivanov))!,
    /^Мероприятие ещё не закончилось: окончание 27\.11\.2026, 18:00/,
  );
  t.regex(completionRefusal(ws, running)!, /ends at/);
  const ended = event(ws, 'ev-therapy-ended');
  t.is(
    reasonOf(t, () => certificateOf(ws, ended, ivanov)),
    'Организатор ещё не отметил завершение мероприятия',
  );
  t.is(completionRefusal(ws, ended), undefined);
  const [issued] = markCompleted(ws, ended);
  t.deepEqual(certificateOf(ws, ended, ivanov), issued);
  t.regex(completionRefusal(ws, ended)!, /already/);
  t.deepEqual(
    notificationsOf(ws, ivanov)
      .slice(0, 2)
      .map((n) => n.kind),
    ['certificate.issued', 'event.completed'],
  );
  // Another person's registration is not theirs to download.
  t.is(
    codeOf(t, () => certificateOf(ws, ended, petrova)),
    'rp.not_found',
  );
  // Past the end, the running course waits for its organiser instead.
  ws.clock.advance(3 * day);
  t.is(
    reasonOf(t, () => certificateOf(ws, running, ivanov)),
    'Организатор ещё не отметил завершение мероприятия',
  );
});

test('the certificate PDF is well formed, embeds a TrueType font and says the name, the number and the ЗЕТ in Cyrillic', async (t) => {
  const ws = workspace();
  const done = event(ws, 'ev-therapy-done');
  const certificate = certificateOf(ws, done, ivanov);
  const pdf = await certificatePdf({
    certificate,
    event: done,
    person: 'Иванов Иван Иванович',
    verifyUrl: `http://localhost:4001/certificates/${encodeURIComponent(certificate.number)}`,
  });
  t.is(pdf.subarray(0, 5).toString('latin1'), '%PDF-');
  const facts = readPdf(pdf);
  t.true(facts.wellFormed);
  t.true(facts.embedsTrueType);
  t.true(facts.lines.includes(`№ ${certificate.number}`));
  t.true(facts.lines.includes('Иванов Иван Иванович'));
  t.true(facts.lines.includes(`Трудоёмкость: ${done.credits} ЗЕТ`));
  t.true(facts.lines.some((l) => l.includes('/certificates/%D0%9D%D0%9C%D0%9E-')));
  // The text is compressed: the number is not in the file as plain bytes.
  t.false(pdf.includes(Buffer.from(certificate.number)));
});

test('a missing font is named with the package that provides it', async (t) => {
  const ws = workspace();
  const done = event(ws, 'ev-therapy-done');
  const error = await t.throwsAsync(
    certificatePdf(
      { certificate: certificateOf(ws, done, ivanov), event: done, person: 'И', verifyUrl: 'http://localhost/' },
      '/nonexistent/font.ttf',
    ),
  );
  t.regex(error.message, /fonts-dejavu-core/);
});

test('a data file from before the portal had events gets them seeded on first use', (t) => {
  const data = baselineData({ records: [] }, now, []);
  let changed = 0;
  const ws = new Workspace('run-000000000002', {
    data,
    changed: () => void changed++,
    replace() {},
    flush: async () => {},
  });
  ws.clock.set(now, true);
  t.truthy(findEvent(ws, 'ev-therapy-full'));
  t.is(changed, 1);
});
