/*
 * What a person may do with an event, decided by the run's clock: register (not when full, not twice,
 * not after the start), cancel (only before the start), and get the certificate (only after the end
 * and the organiser's mark). Each refusal is an RpError naming the reason; each change notifies.
 */
import { randomBytes } from 'node:crypto';
import { moscowTime } from '../../lib/moscow_time.ts';
import { RpError } from '../errors.ts';
import { notify } from '../notifications.ts';
import { snilsKey } from '../register.ts';
import type { Workspace } from '../workspaces.ts';
import {
  activeRegistration,
  type Certificate,
  type NmoEvent,
  nextCertificateNumber,
  nmoOf,
  type Registration,
  takenSeats,
} from './events.ts';

const eventFact = (event: NmoEvent) => ({ label: 'Мероприятие', value: event.title, testid: 'event-title' });
const startFact = (event: NmoEvent) => ({ label: 'Начало', value: moscowTime(event.startsAt), testid: 'event-starts' });

export function seatsText(taken: number, seats: number): string {
  return `зарегистрировано ${taken} из ${seats}`;
}

export function register(ws: Workspace, event: NmoEvent, snils: string): Registration {
  const now = ws.clock.now();
  const existing = activeRegistration(ws, event.id, snils);
  if (existing)
    throw new RpError(
      'rp.already_registered',
      [
        eventFact(event),
        { label: 'Зарегистрированы', value: moscowTime(existing.registeredAt), testid: 'registered-at' },
      ],
      `event ${event.id}`,
    );
  if (now >= Date.parse(event.startsAt))
    throw new RpError('rp.registration_closed', [eventFact(event), startFact(event)], `event ${event.id}`);
  const taken = takenSeats(ws, event);
  if (taken >= event.seats)
    throw new RpError(
      'rp.event_full',
      [
        eventFact(event),
        { label: 'Причина', value: `Мест нет: ${seatsText(taken, event.seats)}`, testid: 'refusal-reason' },
      ],
      `event ${event.id}: ${taken}/${event.seats}`,
    );
  const registration: Registration = {
    id: randomBytes(8).toString('hex'),
    eventId: event.id,
    snils: snilsKey(snils),
    registeredAt: new Date(now).toISOString(),
  };
  nmoOf(ws).registrations.push(registration);
  notify(ws, snils, {
    kind: 'event.registered',
    title: 'Вы зарегистрированы на мероприятие',
    text: `«${event.title}», начало ${moscowTime(event.startsAt)}.`,
    link: `/events/${event.id}`,
  });
  return registration;
}

export function cancel(ws: Workspace, event: NmoEvent, snils: string): void {
  const registration = activeRegistration(ws, event.id, snils);
  if (!registration) throw new RpError('rp.not_registered', [eventFact(event)], `event ${event.id}`);
  const now = ws.clock.now();
  if (now >= Date.parse(event.startsAt))
    throw new RpError('rp.cancel_after_start', [eventFact(event), startFact(event)], `event ${event.id}`);
  registration.cancelledAt = new Date(now).toISOString();
  notify(ws, snils, {
    kind: 'event.cancelled',
    title: 'Регистрация на мероприятие отменена',
    text: `«${event.title}»: вы больше не в списке участников.`,
    link: `/events/${event.id}`,
  });
}

/** Why the organiser cannot mark the event completed now, or undefined. */
export function completionRefusal(ws: Workspace, event: NmoEvent): string | undefined {
  if (event.completedAt) return `already marked completed at ${event.completedAt}`;
  if (ws.clock.now() < Date.parse(event.endsAt))
    return `the event ends at ${event.endsAt}; it is ${new Date(ws.clock.now()).toISOString()} by the run's clock`;
  return undefined;
}

/** The organiser's mark: every participant gets a certificate and is told. Returns how many were issued. */
export function markCompleted(ws: Workspace, event: NmoEvent): Certificate[] {
  const now = ws.clock.now();
  const nmo = nmoOf(ws);
  event.completedAt = new Date(now).toISOString();
  const issued: Certificate[] = [];
  for (const registration of nmo.registrations) {
    if (registration.eventId !== event.id || registration.cancelledAt || registration.certificate) continue;
    const certificate = { number: nextCertificateNumber(nmo, now), issuedAt: event.completedAt };
    registration.certificate = certificate;
    issued.push(certificate);
    notify(ws, registration.snils, {
      kind: 'event.completed',
      title: 'Мероприятие завершено',
      text: `Организатор отметил, что вы прошли «${event.title}»: ${event.credits} ЗЕТ.`,
      link: `/events/${event.id}`,
    });
    notify(ws, registration.snils, {
      kind: 'certificate.issued',
      title: 'Свидетельство о прохождении готово',
      text: `Свидетельство № ${certificate.number} за «${event.title}» можно скачать в «Моих мероприятиях».`,
      link: `/my-events/${event.id}/certificate.pdf`,
    });
  }
  ws.changed();
  return issued;
}

/** The person's certificate for the event, or the named reason there is none yet. */
export function certificateOf(ws: Workspace, event: NmoEvent, snils: string): Certificate {
  const registration = activeRegistration(ws, event.id, snils);
  if (!registration) throw new RpError('rp.not_found', [], `no registration of this person to ${event.id}`);
  if (registration.certificate) return registration.certificate;
  const reason =
    ws.clock.now() < Date.parse(event.endsAt)
      ? `Мероприятие ещё не закончилось: окончание ${moscowTime(event.endsAt)}`
      : 'Организатор ещё не отметил завершение мероприятия';
  throw new RpError(
    'rp.certificate_not_ready',
    [eventFact(event), { label: 'Причина', value: reason, testid: 'refusal-reason' }],
    `event ${event.id}: ends ${event.endsAt}, completedAt ${event.completedAt ?? 'none'}`,
  );
}
