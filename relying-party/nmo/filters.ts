/*
 * The event list's filters (GET query: specialty, region, from, to). A date the person typed wrong
 * is a message next to its field, never an error page; the list is then unfiltered by that date.
 */
import type { NmoEvent } from './events.ts';

export interface EventFilter {
  specialty?: string;
  region?: string;
  /** Moscow calendar days, YYYY-MM-DD, both included. */
  from?: string;
  to?: string;
}

export interface ParsedFilter {
  filter: EventFilter;
  /** What the person typed, to show back in the form. */
  typed: Record<'specialty' | 'region' | 'from' | 'to', string>;
  /** Field name → the message shown next to it. */
  errors: Partial<Record<'from' | 'to', string>>;
}

const one = (value: unknown): string => (typeof value === 'string' ? value.trim() : '');

/** YYYY-MM-DD (what a date input sends) or ДД.ММ.ГГГГ (what people type) → YYYY-MM-DD of a real day, or undefined. */
export function parseDay(text: string): string | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text) ?? /^(\d{2})\.(\d{2})\.(\d{4})$/.exec(text);
  if (!m) return undefined;
  const [y, mo, d] = text.includes('-') ? [m[1], m[2], m[3]] : [m[3], m[2], m[1]];
  const day = `${y}-${mo}-${d}`;
  const date = new Date(`${day}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(day) ? day : undefined;
}

export function parseFilter(query: Record<string, unknown>): ParsedFilter {
  const typed = {
    specialty: one(query.specialty),
    region: one(query.region),
    from: one(query.from),
    to: one(query.to),
  };
  const filter: EventFilter = {};
  const errors: ParsedFilter['errors'] = {};
  if (typed.specialty) filter.specialty = typed.specialty;
  if (typed.region) filter.region = typed.region;
  for (const field of ['from', 'to'] as const) {
    if (!typed[field]) continue;
    const day = parseDay(typed[field]);
    if (day) filter[field] = day;
    else errors[field] = `Дата «${typed[field]}» не распознана: укажите день в виде ДД.ММ.ГГГГ, например 25.11.2026.`;
  }
  if (filter.from && filter.to && filter.from > filter.to) {
    errors.to = 'Дата «по» раньше даты «с»: поменяйте их местами или исправьте одну из них.';
    delete filter.to;
  }
  return { filter, typed, errors };
}

/** The Moscow calendar day of an instant, YYYY-MM-DD. */
export function moscowDay(iso: string): string {
  return new Date(Date.parse(iso) + 3 * 3_600_000).toISOString().slice(0, 10);
}

/** Events matching every given filter; a date range keeps the events that overlap it. Sorted by start. */
export function applyFilter(events: readonly NmoEvent[], filter: EventFilter): NmoEvent[] {
  return events
    .filter(
      (e) =>
        (!filter.specialty || e.specialty === filter.specialty) &&
        (!filter.region || e.region === filter.region) &&
        (!filter.from || moscowDay(e.endsAt) >= filter.from) &&
        (!filter.to || moscowDay(e.startsAt) <= filter.to),
    )
    .sort((a, b) => a.startsAt.localeCompare(b.startsAt));
}
