/* The cabinet's tabs (one per feature that has a page), the current one marked, with the unread badge. */
import { html, type Html } from '../../lib/html.ts';
import type { CabinetTab } from '../feature.ts';

export function cabinetNav(tabs: readonly CabinetTab[], current: string, unread: number): Html {
  const home: CabinetTab = { path: '/cabinet', label: 'Главная', testid: 'tab-home' };
  const items = [home, ...tabs].map((tab) => {
    const badge =
      tab.path === '/notifications' && unread > 0
        ? html` <span class="count" data-testid="unread-count">${String(unread)}</span>`
        : html``;
    return tab.path === current
      ? html`<a class="tab current" href="${tab.path}" aria-current="page" data-testid="${tab.testid}">${tab.label}${badge}</a>`
      : html`<a class="tab" href="${tab.path}" data-testid="${tab.testid}">${tab.label}${badge}</a>`;
  });
  return html`<nav class="tabs" aria-label="Разделы кабинета">${items}</nav>`;
}
