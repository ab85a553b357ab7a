/*
 * The person's notifications in the cabinet (G6): every status change and upcoming check leaves one
 * here, per run and per person (СНИЛС digits), newest first. Other features call notify(); this
 * module owns the list, the unread count and «прочитано».
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

type WithNotifications = RpData & { notifications?: Record<string, Notification[]> };

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
  return notification;
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
