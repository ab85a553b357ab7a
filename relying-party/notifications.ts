/*
 * The person's notifications in the cabinet (G6): every status change and upcoming check leaves one
 * here, per run and per person (СНИЛС digits), newest first. Other features call notify(); this
 * module owns the list, the unread count and «прочитано». notify() also sends the notification by
 * e-mail (postman.ts: queued, in the background) to the person's e-mail in the register and the one
 * Госуслуги gave at their last sign-in; with neither, the cabinet is the only place it shows.
 */
import { randomBytes } from 'node:crypto';
import type { RpData } from './data.ts';
import { snilsKey } from './register.ts';
import type { Workspace } from './workspaces.ts';

export interface Notification {
  id: string;
  /** e.g. document.accepted, document.rejected, check.upcoming, event.completed */
  kind: string;
  title: string;
  text: string;
  /** A page of the cabinet it is about, e.g. /documents/<id>. */
  link?: string;
  /** ISO instant by the run's clock. */
  at: string;
  read: boolean;
}

type WithNotifications = RpData & {
  notifications?: Record<string, Notification[]>;
  /** The e-mail Госуслуги gave at the person's last sign-in, by СНИЛС digits. */
  esiaEmails?: Record<string, string>;
};

export function notificationsOf(ws: Workspace, snils: string): Notification[] {
  return (ws.data as WithNotifications).notifications?.[snilsKey(snils)] ?? [];
}

/** Adds a notification for the person (call ws.changed() is done here). Returns it. */
export function notify(
  ws: Workspace,
  snils: string,
  n: { kind: string; title: string; text: string; link?: string },
): Notification {
  const data = ws.data as WithNotifications;
  const list = ((data.notifications ??= {})[snilsKey(snils)] ??= []);
  const notification: Notification = {
    id: randomBytes(8).toString('hex'),
    ...n,
    at: new Date(ws.clock.now()).toISOString(),
    read: false,
  };
  list.unshift(notification);
  ws.changed();
  const to = mailboxesOf(ws, snils);
  if (to.length && ws.postman)
    ws.postman.send({
      run: ws.id,
      to,
      subject: n.title,
      text: mailText(notification, ws.postman.origin),
      kind: n.kind,
    });
  return notification;
}

/**
 * Where the person's notifications go by e-mail: the register's address and the one Госуслуги gave,
 * both when they differ (a work address on file and the confirmed personal one), so a person who
 * changed either still hears. The register's address is the current version of their personal data
 * (personal/journal.ts keeps `personal[СНИЛС].versions`), or an `email` on the record: read by shape,
 * because that feature notifies through this module and must not be imported back.
 */
export function mailboxesOf(ws: Workspace, snils: string): string[] {
  const data = ws.data as WithNotifications & {
    personal?: Record<string, { versions?: Array<{ values?: { email?: unknown } }> }>;
  };
  const key = snilsKey(snils);
  const registered = [
    data.personal?.[key]?.versions?.at(-1)?.values?.email,
    (data.records[key] as { email?: unknown } | undefined)?.email,
  ].find((e): e is string => typeof e === 'string' && e.includes('@'));
  const all = [registered, data.esiaEmails?.[key]].filter((e): e is string => e !== undefined);
  return all.filter((e, i) => all.findIndex((f) => f.toLowerCase() === e.toLowerCase()) === i);
}

/** Called at sign-in: the e-mail the person's Госуслуги account has, for notifications by e-mail. */
export function rememberEsiaEmail(ws: Workspace, snils: string, email: unknown): void {
  if (typeof email !== 'string' || !email.includes('@')) return;
  const data = ws.data as WithNotifications;
  (data.esiaEmails ??= {})[snilsKey(snils)] = email;
  ws.changed();
}

function mailText(n: Notification, origin: string): string {
  const link = n.link ? `\n\nПодробнее в личном кабинете: ${origin}${n.link}` : `\n\nЛичный кабинет: ${origin}/cabinet`;
  return `${n.text}${link}\n\nВсе уведомления: ${origin}/notifications\n\nПисьмо отправлено автоматически учебным стендом; отвечать на него не нужно.`;
}

export function unreadCount(ws: Workspace, snils: string): number {
  return notificationsOf(ws, snils).filter((n) => !n.read).length;
}

/** Marks one of the person's notifications read; false when they have none with this id. */
export function markRead(ws: Workspace, snils: string, id: string): boolean {
  const found = notificationsOf(ws, snils).find((n) => n.id === id);
  if (!found) return false;
  found.read = true;
  ws.changed();
  return true;
}

/** Empties the person's list (a trainer starting a demonstration afresh); returns how many there were. */
export function clearNotifications(ws: Workspace, snils: string): number {
  const all = (ws.data as WithNotifications).notifications;
  const count = all?.[snilsKey(snils)]?.length ?? 0;
  if (all && count) {
    delete all[snilsKey(snils)];
    ws.changed();
  }
  return count;
}

/** Marks all of the person's notifications read; returns how many were unread. */
export function markAllRead(ws: Workspace, snils: string): number {
  const unread = notificationsOf(ws, snils).filter((n) => !n.read);
  for (const n of unread) n.read = true;
  if (unread.length) ws.changed();
  return unread.length;
}
