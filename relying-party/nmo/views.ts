/*
 * Портал НМО's screens: the event list with its filters (nmo-events), one event (nmo-event), the
 * person's events and certificates (nmo-my-events) and the public verification page of a
 * certificate (nmo-certificate). Every control a test presses has a data-testid.
 */
import { html, type Html } from '../../lib/html.ts';
import { moscowTime } from '../../lib/moscow_time.ts';
import { page, type Brand } from '../views/layout.ts';
import { eventKinds, type NmoEvent, type Registration } from './events.ts';
import type { ParsedFilter } from './filters.ts';
import { seatsText } from './rules.ts';

/** What the page knows of one event for the person looking at it. */
export interface EventRow {
  event: NmoEvent;
  taken: number;
  registration?: Registration | undefined;
  /** The run's instant (ms). */
  now: number;
}

type Phase = 'upcoming' | 'running' | 'ended' | 'completed';

function phaseOf({ event, now }: EventRow): Phase {
  if (event.completedAt) return 'completed';
  if (now >= Date.parse(event.endsAt)) return 'ended';
  return now >= Date.parse(event.startsAt) ? 'running' : 'upcoming';
}

const phaseLabels: Record<Phase, string> = {
  upcoming: 'Регистрация открыта',
  running: 'Идёт',
  ended: 'Закончилось, ждёт отметки организатора',
  completed: 'Завершено',
};

const dates = (e: NmoEvent) => html`${moscowTime(e.startsAt)} — ${moscowTime(e.endsAt)}`;

/** Register, cancel, or why neither is possible, for an event in the list or on its page. */
function actions(row: EventRow): Html {
  const { event, taken, registration } = row;
  const phase = phaseOf(row);
  if (registration) {
    const status = html`<span class="badge ok" data-testid="registered-${event.id}">Вы зарегистрированы</span>`;
    if (phase === 'upcoming')
      return html`${status}<form method="post" action="/events/${event.id}/cancel"><button class="secondary" data-testid="cancel-${event.id}">Отменить регистрацию</button></form>`;
    const number = registration.certificate?.number;
    return html`${status} <a class="button secondary" href="/my-events/${event.id}/certificate.pdf" data-testid="certificate-${event.id}"${number ? html` data-number="${number}"` : ''}>${number ? `Скачать свидетельство № ${number}` : 'Получить свидетельство'}</a>`;
  }
  if (phase !== 'upcoming') return html`<span class="muted">Регистрация закрыта</span>`;
  if (taken >= event.seats)
    return html`<span class="badge wait" data-testid="full-${event.id}">Мест нет: ${seatsText(taken, event.seats)}</span>`;
  return html`<form method="post" action="/events/${event.id}/register"><button class="primary" data-testid="register-${event.id}">Зарегистрироваться</button></form>`;
}

function facts(row: EventRow): Html {
  const e = row.event;
  return html`<table>
<tr><th>Вид</th><td>${eventKinds[e.kind]}</td></tr>
<tr><th>Специальность</th><td data-testid="event-specialty">${e.specialty}</td></tr>
<tr><th>Регион</th><td data-testid="event-region">${e.region}</td></tr>
<tr><th>Формат</th><td>${e.format}</td></tr>
<tr><th>Сроки</th><td data-testid="event-dates">${dates(e)}</td></tr>
<tr><th>Трудоёмкость</th><td data-testid="event-credits">${String(e.credits)} ЗЕТ</td></tr>
<tr><th>Места</th><td data-testid="event-seats">${seatsText(row.taken, e.seats)}</td></tr>
<tr><th>Организатор</th><td>${e.organiser}</td></tr>
<tr><th>Состояние</th><td data-testid="event-phase" data-phase="${phaseOf(row)}">${phaseLabels[phaseOf(row)]}</td></tr>
</table>`;
}

function options(values: readonly string[], chosen: string, all: string): Html {
  return html`<option value="">${all}</option>${values.map((v) =>
    v === chosen ? html`<option value="${v}" selected>${v}</option>` : html`<option value="${v}">${v}</option>`,
  )}`;
}

function dateField(name: 'from' | 'to', label: string, parsed: ParsedFilter): Html {
  const error = parsed.errors[name];
  return html`<div class="field"><label>${label} <input type="text" name="${name}" value="${parsed.typed[name]}" placeholder="ДД.ММ.ГГГГ" inputmode="numeric" data-testid="filter-${name}"${error ? html` aria-invalid="true" aria-describedby="filter-${name}-error"` : ''}></label>${
    error
      ? html`<span class="field-error" id="filter-${name}-error" data-testid="filter-${name}-error">${error}</span>`
      : ''
  }</div>`;
}

export function eventsPage(
  brand: Brand,
  view: { nav: Html; rows: EventRow[]; parsed: ParsedFilter; specialties: string[]; regions: string[] },
): Html {
  const { parsed } = view;
  const list = view.rows.length
    ? view.rows.map(
        (row) => html`<section class="event" data-testid="event-${row.event.id}">
<h2><a href="/events/${row.event.id}" data-testid="open-${row.event.id}">${row.event.title}</a></h2>
<p class="muted">${eventKinds[row.event.kind]} · ${row.event.specialty} · ${row.event.region} · ${row.event.format} · ${String(row.event.credits)} ЗЕТ</p>
<p>${dates(row.event)} · <span data-testid="seats-${row.event.id}">${seatsText(row.taken, row.event.seats)}</span></p>
<div class="actions">${actions(row)}</div>
</section>`,
      )
    : html`<p data-testid="no-events">Под выбранные условия мероприятий нет. Измените или сбросьте фильтр.</p>`;
  return page(brand, {
    screen: 'nmo-events',
    title: 'Мероприятия',
    body: html`${view.nav}<h1>Образовательные мероприятия</h1>
<form method="get" action="/events" class="event-filters" data-testid="events-filter">
<label>Специальность <select name="specialty" data-testid="filter-specialty">${options(view.specialties, parsed.typed.specialty, 'Все специальности')}</select></label>
<label>Регион <select name="region" data-testid="filter-region">${options(view.regions, parsed.typed.region, 'Все регионы')}</select></label>
${dateField('from', 'С', parsed)}
${dateField('to', 'По', parsed)}
<button class="primary" data-testid="apply-filter">Показать</button>
<a class="button secondary" href="/events" data-testid="reset-filter">Сбросить</a>
</form>
<p class="muted" data-testid="events-count">Найдено мероприятий: ${String(view.rows.length)}</p>
${list}`,
  });
}

export function eventPage(brand: Brand, view: { nav: Html; row: EventRow }): Html {
  return page(brand, {
    screen: 'nmo-event',
    title: view.row.event.title,
    body: html`${view.nav}<h1 data-testid="event-title">${view.row.event.title}</h1>
${facts(view.row)}
<div class="actions">${actions(view.row)}</div>
<p><a href="/events" data-testid="back-to-events">Все мероприятия</a></p>`,
  });
}

export function myEventsPage(brand: Brand, view: { nav: Html; rows: EventRow[] }): Html {
  const row = (r: EventRow) => {
    const reg = r.registration!;
    const status = reg.cancelledAt
      ? html`<span class="muted">Регистрация отменена ${moscowTime(reg.cancelledAt)}</span>`
      : html`${phaseLabels[phaseOf(r)]}`;
    const certificate = reg.certificate
      ? html`<a href="/my-events/${r.event.id}/certificate.pdf" data-testid="certificate-${r.event.id}" data-number="${reg.certificate.number}">№ ${reg.certificate.number}</a>`
      : '—';
    return html`<tr data-testid="my-event-${r.event.id}"><td><a href="/events/${r.event.id}">${r.event.title}</a></td><td>${dates(r.event)}</td><td>${String(r.event.credits)}</td><td>${status}</td><td>${certificate}</td></tr>`;
  };
  const credits = view.rows.filter((r) => r.registration?.certificate).reduce((sum, r) => sum + r.event.credits, 0);
  return page(brand, {
    screen: 'nmo-my-events',
    title: 'Мои мероприятия',
    body: html`${view.nav}<h1>Мои мероприятия</h1>
<p>Зачтено по свидетельствам: <strong data-testid="credits-total">${String(credits)} ЗЕТ</strong></p>
${
  view.rows.length
    ? html`<table class="list"><tr><th>Мероприятие</th><th>Сроки</th><th>ЗЕТ</th><th>Состояние</th><th>Свидетельство</th></tr>${view.rows.map(row)}</table>`
    : html`<p data-testid="no-events">Вы ещё не регистрировались на мероприятия. <a href="/events">Выбрать мероприятие</a></p>`
}`,
  });
}

/** The public answer to «is this certificate real?»: the name and the event, nothing more. */
export function verificationPage(
  brand: Brand,
  number: string,
  found?: { person: string; event: NmoEvent; issuedAt: string },
): Html {
  const body = !number
    ? html`<p>Введите номер, указанный на свидетельстве, например НМО-2026-000123.</p>`
    : found
      ? html`<p><span class="badge ok" data-testid="verification-result" data-result="valid">Свидетельство действительно</span></p>
<table>
<tr><th>Номер</th><td data-testid="certificate-number">${number}</td></tr>
<tr><th>Кому выдано</th><td data-testid="certificate-person">${found.person}</td></tr>
<tr><th>Мероприятие</th><td data-testid="certificate-event">${found.event.title}</td></tr>
<tr><th>Трудоёмкость</th><td>${String(found.event.credits)} ЗЕТ</td></tr>
<tr><th>Дата выдачи</th><td>${moscowTime(found.issuedAt)}</td></tr>
</table>`
      : html`<p><span class="badge wait" data-testid="verification-result" data-result="not-found">Свидетельство не найдено</span></p>
<p>Свидетельства с номером <code data-testid="certificate-number">${number}</code> Портал НМО не выдавал. Проверьте номер: он указан на свидетельстве в виде НМО-2026-000123.</p>`;
  return page(brand, {
    screen: 'nmo-certificate',
    title: 'Проверка свидетельства',
    body: html`<h1>Проверка свидетельства НМО</h1>${body}
<form method="get" action="/certificates" class="event-filters">
<div class="field"><label>Номер свидетельства <input type="text" name="number" placeholder="НМО-2026-000123" data-testid="verify-number"></label></div>
<button class="secondary" data-testid="verify-certificate">Проверить</button>
</form>`,
  });
}
