/*
 * Портал НМО as features of the relying party: the event list and pages (register, cancel), the
 * person's events with their certificates (PDF), the public verification page, the organiser's
 * mark on the control API, and the server-to-server list of completed events ФМРМ reads.
 */
import type Router from '@koa/router';
import type { Context } from 'koa';
import { ControlError } from '../../lib/http/control_input.ts';
import type { Cabinet, PageHelpers, RpFeature } from '../feature.ts';
import { RpError } from '../errors.ts';
import type { RegisterRecord } from '../register.ts';
import { completedApi } from './completed_api.ts';
import { certificatePdf } from './certificate_pdf.ts';
import {
  activeRegistration,
  findCertificate,
  findEvent,
  type NmoEvent,
  nmoOf,
  registrationsOf,
  seedEvents,
  takenSeats,
  verifyUrl,
} from './events.ts';
import { applyFilter, parseFilter } from './filters.ts';
import { cancel, certificateOf, completionRefusal, markCompleted, register } from './rules.ts';
import { type EventRow, eventPage, eventsPage, myEventsPage, verificationPage } from './views.ts';

export const fullName = (r: RegisterRecord) => `${r.lastName} ${r.firstName} ${r.middleName}`.trim();

function rowOf(c: Cabinet, event: NmoEvent): EventRow {
  return {
    event,
    taken: takenSeats(c.ws, event),
    registration: activeRegistration(c.ws, event.id, c.record.snils),
    now: c.ws.clock.now(),
  };
}

async function signedIn(ctx: Context, h: PageHelpers): Promise<Cabinet | undefined> {
  const c = await h.cabinet(ctx);
  if (!c) ctx.redirect('/');
  return c;
}

/** The event named in the path, or the not-found page. */
function eventIn(c: Cabinet, ctx: Context): NmoEvent {
  const event = findEvent(c.ws, String(ctx.params.id));
  if (!event) throw new RpError('rp.not_found', [], `no event ${String(ctx.params.id)} in run ${c.ws.id}`);
  return event;
}

function routes(router: Router, h: PageHelpers): void {
  router.get('/events', async (ctx) => {
    const c = await signedIn(ctx, h);
    if (!c) return;
    const parsed = parseFilter(ctx.query);
    const { events } = nmoOf(c.ws);
    const distinct = (pick: (e: NmoEvent) => string) =>
      [...new Set(events.map(pick))].sort((a, b) => a.localeCompare(b, 'ru'));
    h.send(
      ctx,
      eventsPage(h.brand, {
        nav: h.nav(c, '/events'),
        rows: applyFilter(events, parsed.filter).map((e) => rowOf(c, e)),
        parsed,
        specialties: distinct((e) => e.specialty),
        regions: distinct((e) => e.region),
      }),
    );
  });

  router.get('/events/:id', async (ctx) => {
    const c = await signedIn(ctx, h);
    if (!c) return;
    h.send(ctx, eventPage(h.brand, { nav: h.nav(c, '/events'), row: rowOf(c, eventIn(c, ctx)) }));
  });

  for (const [action, change] of [
    ['register', register],
    ['cancel', cancel],
  ] as const) {
    router.post(`/events/:id/${action}`, async (ctx) => {
      ctx.status = 303;
      const c = await signedIn(ctx, h);
      if (!c) return;
      const event = eventIn(c, ctx);
      change(c.ws, event, c.record.snils);
      await c.ws.durable();
      h.log({ event: `nmo_${action}`, run: c.ws.id, eventId: event.id });
      ctx.redirect(`/events/${event.id}`);
    });
  }

  router.get('/my-events', async (ctx) => {
    const c = await signedIn(ctx, h);
    if (!c) return;
    const rows = registrationsOf(c.ws, c.record.snils).flatMap((registration) => {
      const event = findEvent(c.ws, registration.eventId);
      return event ? [{ ...rowOf(c, event), registration }] : [];
    });
    rows.sort((a, b) => b.event.startsAt.localeCompare(a.event.startsAt));
    h.send(ctx, myEventsPage(h.brand, { nav: h.nav(c, '/my-events'), rows }));
  });

  // The person's own certificate, found by the event and the signed-in person: no id in the path names anyone else's.
  router.get('/my-events/:id/certificate.pdf', async (ctx) => {
    const c = await signedIn(ctx, h);
    if (!c) return;
    const event = eventIn(c, ctx);
    const certificate = certificateOf(c.ws, event, c.record.snils);
    ctx.type = 'application/pdf';
    ctx.set('Cache-Control', 'no-store');
    ctx.set(
      'Content-Disposition',
      `attachment; filename="certificate.pdf"; filename*=UTF-8''${encodeURIComponent(`${certificate.number}.pdf`)}`,
    );
    ctx.body = await certificatePdf({
      certificate,
      event,
      person: fullName(c.record),
      verifyUrl: verifyUrl(h.config.publicUrl, certificate.number),
    });
  });

  // Public: whoever holds the paper checks it here, signed in or not.
  router.get('/certificates', (ctx) => {
    const number = typeof ctx.query.number === 'string' ? ctx.query.number.trim() : '';
    if (number) return ctx.redirect(`/certificates/${encodeURIComponent(number)}`);
    h.send(ctx, verificationPage(h.brand, ''));
  });
  router.get('/certificates/:number', async (ctx) => {
    const ws = await h.workspaces.forPage(ctx);
    const number = String(ctx.params.number).trim().toUpperCase();
    const found = findCertificate(ws, number);
    const record = found && ws.data.records[found.registration.snils];
    if (!found || !record) return h.send(ctx, verificationPage(h.brand, number), 404);
    h.send(
      ctx,
      verificationPage(h.brand, number, {
        person: fullName(record),
        event: found.event,
        issuedAt: found.registration.certificate!.issuedAt,
      }),
    );
  });

  completedApi(router, h);
}

/** The organiser's side, for scenarios and the trainer: the completion mark, and other participants taking seats. */
const controls: RpFeature['controls'] = (router, h) => {
  const eventOf = async (ctx: Context) => {
    const ws = await h.workspaceOf(ctx);
    const event = findEvent(ws, String(ctx.params.id));
    if (!event)
      throw new ControlError(404, 'control.unknown_event', `No event ${String(ctx.params.id)} in run ${ws.id}.`);
    return { ws, event };
  };
  router.post('/events/:id/complete', async (ctx) => {
    const { ws, event } = await eventOf(ctx);
    const refusal = completionRefusal(ws, event);
    if (refusal) throw new ControlError(409, 'control.event_not_completable', `Event ${event.id}: ${refusal}.`);
    const issued = markCompleted(ws, event);
    await ws.durable();
    ctx.body = { event: event.id, completedAt: event.completedAt, certificates: issued.map((c) => c.number) };
  });
  router.post('/events/:id/others', async (ctx) => {
    const { ws, event } = await eventOf(ctx);
    const { registered } = await h.body(ctx);
    if (typeof registered !== 'number' || !Number.isInteger(registered) || registered < 0 || registered > event.seats)
      throw new ControlError(
        400,
        'control.bad_participants',
        `Give "registered": a whole number from 0 to ${event.seats} (the event's seats); got ${JSON.stringify(registered)}.`,
      );
    event.othersRegistered = registered;
    ws.changed();
    ctx.body = { event: event.id, taken: takenSeats(ws, event), seats: event.seats };
  });
};

export const nmoEvents: RpFeature = {
  name: 'nmo-events',
  routes,
  controls,
  seeders: [seedEvents],
  tab: { path: '/events', label: 'Мероприятия', testid: 'tab-events' },
};

/** Only a tab: the page is routed with the events. */
export const nmoMyEvents: RpFeature = {
  name: 'nmo-my-events',
  tab: { path: '/my-events', label: 'Мои мероприятия', testid: 'tab-my-events' },
};
