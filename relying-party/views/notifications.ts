/* The cabinet's notifications (G6): newest first, the unread ones marked, each with «Отметить прочитанным» and a link to what it is about. */
import { html, type Html } from '../../lib/html.ts';
import { moscowTime } from '../../lib/moscow_time.ts';
import type { Notification } from '../notifications.ts';
import { type Brand, page } from './layout.ts';

export interface NotificationsView {
  nav: Html;
  notifications: readonly Notification[];
  unread: number;
  /** Where e-mail copies go (notifications.ts mailboxesOf); none: the page only. */
  mailboxes: readonly string[];
  /** «Отметить прочитанным» of a notification that is no longer there (the stand's data was reset). */
  missing?: boolean;
}

/** Only the cabinet's own pages are linked: a notification never sends a person to another site. */
const ownPage = (link: string | undefined) => (link && /^\/(?!\/)/.test(link) ? link : undefined);

function item(n: Notification): Html {
  const link = ownPage(n.link);
  return html`<li class="note${n.read ? '' : ' unread'}" data-testid="notification" data-id="${n.id}" data-kind="${n.kind}" data-read="${String(n.read)}">
<div class="note-head">${n.read ? '' : html`<span class="badge new" data-testid="notification-unread">Новое</span> `}<strong data-testid="notification-title">${n.title}</strong> <span class="muted">${moscowTime(n.at)}</span></div>
<p data-testid="notification-text">${n.text}</p>
<div class="actions">${link ? html`<a class="button secondary" href="${link}" data-testid="notification-link">Подробнее</a>` : ''}${
    n.read
      ? ''
      : html`<form method="post" action="/notifications/${n.id}/read"><button class="secondary" type="submit" data-testid="notification-mark-read">Отметить прочитанным</button></form>`
  }</div>
</li>`;
}

export function notificationsPage(brand: Brand, v: NotificationsView): Html {
  const list = v.notifications.length
    ? html`<ul class="notes" data-testid="notifications">${v.notifications.map(item)}</ul>`
    : html`<p data-testid="notifications-empty">Уведомлений пока нет. Сюда придут сообщения о проверке документов, сроках аккредитации и отчётов, учёбе.</p>`;
  return page(brand, {
    screen: 'rp-notifications',
    title: 'Уведомления',
    bodyData: { unread: String(v.unread) },
    body: html`${v.nav}<h1>Уведомления</h1>
${v.missing ? html`<p class="notice" data-testid="notification-missing">Этого уведомления уже нет: данные стенда были сброшены. Ниже — уведомления, которые есть сейчас.</p>` : ''}
<p class="muted" data-testid="notifications-summary">${v.unread ? `Непрочитанных: ${v.unread}.` : 'Все уведомления прочитаны.'} ${
      v.mailboxes.length
        ? html`Копии приходят на почту ${v.mailboxes.map((m, i) => html`${i ? ' и ' : ''}<code data-testid="notifications-mailbox">${m}</code>`)}.`
        : 'Адрес почты неизвестен: уведомления видны только здесь.'
    }</p>
${v.unread ? html`<form method="post" action="/notifications/read-all"><button class="primary" type="submit" data-testid="notifications-read-all">Прочитать все</button></form>` : ''}
${list}`,
  });
}
