/*
 * «Мероприятия» in the reviewer console: the organiser's completion mark, by hand. An event that has
 * ended by the run's clock gets «Отметить завершённым»; the mark issues each participant's
 * certificate and notifies them (rules.ts), the same as the control call scenarios use.
 */
import { html } from '../../lib/html.ts';
import { moscowTime } from '../../lib/moscow_time.ts';
import { RpError } from '../errors.ts';
import type { ReviewerSection } from '../reviewer/console.ts';
import { findEvent, nmoOf, type NmoEvent, takenSeats } from './events.ts';
import { completionRefusal, markCompleted } from './rules.ts';

const path = '/events';

export const nmoReviewerSection: ReviewerSection = {
  path,
  title: 'Мероприятия',
  mount(router, h) {
    router.get(path, async (ctx) => {
      const who = await h.reviewer(ctx);
      if (!who) return;
      const now = who.ws.clock.now();
      const events = [...nmoOf(who.ws).events].sort((a, b) => b.endsAt.localeCompare(a.endsAt));
      const state = (e: NmoEvent) => {
        if (e.completedAt) return html`<span class="badge ok">Завершено ${moscowTime(e.completedAt)}</span>`;
        if (now < Date.parse(e.endsAt)) return html`<span class="muted">Закончится ${moscowTime(e.endsAt)}</span>`;
        return html`<form method="post" action="/reviewer${path}/${e.id}/complete">${h.tokenField(who)}<button class="primary" data-testid="complete-${e.id}">Отметить завершённым</button></form>`;
      };
      h.send(ctx, who, {
        section: path,
        screen: 'reviewer-events',
        title: 'Мероприятия',
        body: html`<h1>Мероприятия: отметка о завершении</h1>
<p class="muted">Отметка ставится после окончания мероприятия: участники получают свидетельства о прохождении и уведомления.</p>
<table class="list"><tr><th>Мероприятие</th><th>Окончание</th><th>Участники</th><th>Состояние</th></tr>${events.map(
          (e) =>
            html`<tr data-testid="reviewer-event-${e.id}"><td>${e.title}</td><td>${moscowTime(e.endsAt)}</td><td>${String(takenSeats(who.ws, e))} из ${String(e.seats)}</td><td>${state(e)}</td></tr>`,
        )}</table>`,
      });
    });

    router.post(`${path}/:id/complete`, async (ctx) => {
      const who = await h.reviewer(ctx);
      if (!who) return;
      const event = findEvent(who.ws, String(ctx.params.id));
      if (!event) throw new RpError('rp.not_found', [], `no event ${String(ctx.params.id)} in run ${who.ws.id}`);
      const refusal = completionRefusal(who.ws, event);
      if (refusal)
        h.flash(
          who,
          `«${event.title}» не отмечено: ${event.completedAt ? 'уже завершено' : 'мероприятие ещё не закончилось'}.`,
        );
      else {
        const issued = markCompleted(who.ws, event);
        await who.ws.durable();
        h.log({ event: 'nmo_event_completed', reviewer: who.login, eventId: event.id, certificates: issued.length });
        h.flash(who, `«${event.title}» отмечено завершённым; выдано свидетельств: ${issued.length}.`);
      }
      ctx.status = 303;
      ctx.redirect(`/reviewer${path}`);
    });
  },
};
