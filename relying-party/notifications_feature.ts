/*
 * The «Уведомления» tab (G6): the person's list, «Отметить прочитанным» and «Прочитать все». Control
 * routes let a scenario or a trainer post a notification (as a reviewer's decision or an upcoming
 * check would) and wait until the e-mails queued for the run are delivered:
 *   GET  /__control/notifications?snils=…            the person's list and unread count
 *   POST /__control/notifications {snils, kind, title, text, link?}
 *   POST /__control/notifications/clear {snils}      empties the person's list (a demonstration afresh)
 *   POST /__control/mail/settled                     waits for the run's queued e-mail; its delivery log
 */
import type { Context } from 'koa';
import { ControlError } from '../lib/http/control_input.ts';
import { findRecord } from './data.ts';
import type { RpFeature } from './feature.ts';
import {
  clearNotifications,
  mailboxesOf,
  markAllRead,
  markRead,
  notificationsOf,
  notify,
  unreadCount,
} from './notifications.ts';
import { notificationsPage } from './views/notifications.ts';

const bad = (message: string) => new ControlError(400, 'control.bad_notification', message);

function field(b: Record<string, unknown>, name: string, max: number): string {
  const value = b[name];
  if (typeof value !== 'string' || value.trim() === '' || value.length > max)
    throw bad(
      `"${name}" must be a non-empty string of at most ${max} characters; got ${JSON.stringify(value)?.slice(0, 80)}.`,
    );
  return value.trim();
}

export const notificationsFeature: RpFeature = {
  name: 'notifications',
  tab: { path: '/notifications', label: 'Уведомления', testid: 'tab-notifications' },

  routes(router, h) {
    router.get('/notifications', async (ctx) => {
      const cabinet = await h.cabinet(ctx);
      if (!cabinet) return ctx.redirect('/');
      const { ws, record } = cabinet;
      h.send(
        ctx,
        notificationsPage(h.brand, {
          nav: h.nav(cabinet, '/notifications'),
          notifications: notificationsOf(ws, record.snils),
          unread: unreadCount(ws, record.snils),
          mailboxes: mailboxesOf(ws, record.snils),
          missing: ctx.query.missing === '1',
        }),
      );
    });

    const back = (ctx: Context, missing = false) => {
      ctx.status = 303;
      ctx.redirect(missing ? '/notifications?missing=1' : '/notifications');
    };

    router.post('/notifications/read-all', async (ctx) => {
      const cabinet = await h.cabinet(ctx);
      if (!cabinet) return back(ctx);
      markAllRead(cabinet.ws, cabinet.record.snils);
      back(ctx);
    });

    // Only the signed-in person's own notifications are found: another person's id is «not there».
    router.post('/notifications/:id/read', async (ctx) => {
      const cabinet = await h.cabinet(ctx);
      if (!cabinet) return back(ctx);
      back(ctx, !markRead(cabinet.ws, cabinet.record.snils, String(ctx.params.id)));
    });
  },

  controls(router, h) {
    const personOf = async (ctx: Context, snils: unknown) => {
      const ws = await h.workspaceOf(ctx);
      const record = typeof snils === 'string' ? findRecord(ws.data, snils) : undefined;
      if (!record)
        throw new ControlError(
          404,
          'control.unknown_person',
          `No register record with СНИЛС ${JSON.stringify(snils)} in run ${ws.id} (relying-party/fixtures/register.json).`,
        );
      return { ws, record };
    };

    router.get('/notifications', async (ctx) => {
      const { ws, record } = await personOf(ctx, ctx.query.snils);
      ctx.body = {
        run: ws.id,
        unread: unreadCount(ws, record.snils),
        mailboxes: mailboxesOf(ws, record.snils),
        notifications: notificationsOf(ws, record.snils),
      };
    });

    router.post('/notifications', async (ctx) => {
      const b = await h.body(ctx);
      const { ws, record } = await personOf(ctx, b.snils);
      const link = b.link === undefined ? undefined : field(b, 'link', 300);
      if (link !== undefined && !/^\/(?!\/)/.test(link))
        throw bad(`"link" must be a page of this cabinet, starting with one "/" (e.g. /documents); got "${link}".`);
      const kind = field(b, 'kind', 64);
      if (!/^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*$/.test(kind))
        throw bad(
          `"kind" names what the notification is about, e.g. document.rejected or check.upcoming; got "${kind}".`,
        );
      const notification = notify(ws, record.snils, {
        kind,
        title: field(b, 'title', 200),
        text: field(b, 'text', 2000),
        ...(link ? { link } : {}),
      });
      ctx.status = 201;
      ctx.body = {
        notification,
        unread: unreadCount(ws, record.snils),
        mailboxes: mailboxesOf(ws, record.snils),
      };
    });

    router.post('/notifications/clear', async (ctx) => {
      const { ws, record } = await personOf(ctx, (await h.body(ctx)).snils);
      ctx.body = { run: ws.id, cleared: clearNotifications(ws, record.snils) };
    });

    router.post('/mail/settled', async (ctx) => {
      const ws = await h.workspaceOf(ctx);
      ctx.body = { run: ws.id, deliveries: (await ws.postman?.settled(ws.id)) ?? [] };
    });
  },

  // A reset run starts with an empty delivery log, as its inbox on the emulator does.
  onReset: async (ws) => ws.postman?.forget(ws.id),
};
