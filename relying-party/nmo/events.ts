/*
 * Портал НМО's events (courses, conferences, webinars) and who is registered to them, per run: the
 * catalogue section of the run's data, seeded from fixtures/nmo_events.json at the run's instant, so
 * «через 3 дня» and «два месяца назад» keep their meaning whenever the stand starts or is reset.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../../lib/project_root.ts';
import type { RpData, Seeder } from '../data.ts';
import { snilsKey } from '../register.ts';
import type { Workspace } from '../workspaces.ts';

export const eventKinds = { course: 'Курс', conference: 'Конференция', webinar: 'Вебинар' } as const;
export type EventKind = keyof typeof eventKinds;
export const eventFormats = ['очно', 'дистанционно', 'смешанный'] as const;
export type EventFormat = (typeof eventFormats)[number];

export interface NmoEvent {
  id: string;
  kind: EventKind;
  title: string;
  organiser: string;
  specialty: string;
  region: string;
  format: EventFormat;
  /** ISO instants by the run's clock. */
  startsAt: string;
  endsAt: string;
  /** Зачётные единицы трудоёмкости (ЗЕТ) a participant earns. */
  credits: number;
  seats: number;
  /** Participants who are not personas of the stand: they fill seats without a registration of their own. */
  othersRegistered: number;
  /** The organiser's completion mark (ISO), given only after the end. */
  completedAt?: string;
}

export interface Certificate {
  /** e.g. НМО-2026-000123: the verification page's key. */
  number: string;
  issuedAt: string;
}

export interface Registration {
  id: string;
  eventId: string;
  /** СНИЛС digits. */
  snils: string;
  registeredAt: string;
  cancelledAt?: string;
  certificate?: Certificate;
}

export interface NmoSection {
  events: NmoEvent[];
  registrations: Registration[];
  /** The sequence part of the next certificate number. */
  nextCertificate: number;
}

type WithNmo = RpData & { nmo?: NmoSection };

export function nmoOf(ws: Workspace): NmoSection {
  const data = ws.data as WithNmo;
  // A data file written before the portal had events: seeded now, as a fresh run would be.
  if (!data.nmo) {
    seedEvents(data, { records: [] }, ws.clock.now());
    ws.changed();
  }
  return data.nmo!;
}

export function findEvent(ws: Workspace, id: string): NmoEvent | undefined {
  return nmoOf(ws).events.find((e) => e.id === id);
}

/** The person's registration to the event that is not cancelled, if any. */
export function activeRegistration(ws: Workspace, eventId: string, snils: string): Registration | undefined {
  const key = snilsKey(snils);
  return nmoOf(ws).registrations.find((r) => r.eventId === eventId && r.snils === key && !r.cancelledAt);
}

export function registrationsOf(ws: Workspace, snils: string): Registration[] {
  const key = snilsKey(snils);
  return nmoOf(ws).registrations.filter((r) => r.snils === key);
}

export function takenSeats(ws: Workspace, event: NmoEvent): number {
  return (
    event.othersRegistered + nmoOf(ws).registrations.filter((r) => r.eventId === event.id && !r.cancelledAt).length
  );
}

/** The next certificate number of the run, in the year of `at`: НМО-2026-000123. */
export function nextCertificateNumber(nmo: NmoSection, at: number): string {
  const number = `НМО-${new Date(at).getUTCFullYear()}-${String(nmo.nextCertificate).padStart(6, '0')}`;
  nmo.nextCertificate += 1;
  return number;
}

/** The address where anyone checks a certificate, percent-encoded (the number is Cyrillic). */
export const verifyUrl = (publicUrl: string, number: string) => new URL(`/certificates/${number}`, publicUrl).href;

export function findCertificate(
  ws: Workspace,
  number: string,
): { registration: Registration; event: NmoEvent } | undefined {
  const registration = nmoOf(ws).registrations.find((r) => r.certificate?.number === number);
  const event = registration && findEvent(ws, registration.eventId);
  return registration && event ? { registration, event } : undefined;
}

// --- The seed -----------------------------------------------------------------------------------------

interface FixtureEvent extends Omit<NmoEvent, 'startsAt' | 'endsAt' | 'completedAt'> {
  startDay: number;
  days: number;
  completed?: boolean;
  registrations: string[];
}

export const eventsFixtures = join(projectRoot, 'relying-party', 'fixtures', 'nmo_events.json');
const dayMs = 86_400_000;
const moscowOffsetMs = 3 * 3_600_000;

/** Midnight in Moscow of the day `now` falls on, as a UTC instant. */
function moscowMidnight(now: number): number {
  return Math.floor((now + moscowOffsetMs) / dayMs) * dayMs - moscowOffsetMs;
}

/** Events from 09:00 of their first day to 18:00 of their last, Moscow time. */
export const seedEvents: Seeder = (data, _seed, now) => {
  // Read on every seeding, like the register: an edited fixture applies on the next reset.
  const fixtures = (JSON.parse(readFileSync(eventsFixtures, 'utf8')) as { events: FixtureEvent[] }).events;
  const midnight = moscowMidnight(now);
  const iso = (ms: number) => new Date(ms).toISOString();
  const nmo: NmoSection = { events: [], registrations: [], nextCertificate: 120 };
  for (const { startDay, days, completed, registrations, ...rest } of fixtures) {
    const start = midnight + startDay * dayMs + 9 * 3_600_000;
    const end = midnight + (startDay + days - 1) * dayMs + 18 * 3_600_000;
    const event: NmoEvent = { ...rest, startsAt: iso(start), endsAt: iso(end) };
    if (completed) event.completedAt = iso(end + dayMs);
    nmo.events.push(event);
    for (const [i, snils] of registrations.entries()) {
      const registration: Registration = {
        // Stable across resets, and no СНИЛС in it.
        id: createHash('sha256')
          .update(`${event.id}:${snilsKey(snils)}`)
          .digest('hex')
          .slice(0, 16),
        eventId: event.id,
        snils: snilsKey(snils),
        registeredAt: iso(start - (14 + i) * dayMs),
      };
      if (event.completedAt)
        registration.certificate = {
          number: nextCertificateNumber(nmo, end + dayMs),
          issuedAt: event.completedAt,
        };
      nmo.registrations.push(registration);
    }
  }
  (data as WithNmo).nmo = nmo;
};
