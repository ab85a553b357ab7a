/*
 * The reviewer console's frame and its own screens: sign-in (reviewer-login) and the list of its
 * sections (reviewer-home). Sections draw their pages inside the frame (console.ts, send()).
 */
import { html, type Html } from '../../lib/html.ts';
import { page, type Brand } from '../views/layout.ts';

export interface FrameView {
  reviewer: { name: string; login: string };
  sections: readonly { path: string; title: string }[];
  /** The section the page belongs to, marked in the nav. */
  current?: string;
  csrf: string;
  flash?: string;
}

const consoleBrand = (brand: Brand): Brand => ({ ...brand, subtitle: `${brand.subtitle} · консоль проверяющего` });

export function tokenInput(csrf: string): Html {
  return html`<input type="hidden" name="csrf" value="${csrf}">`;
}

export function consolePage(brand: Brand, frame: FrameView, view: { screen: string; title: string; body: Html }): Html {
  const links = frame.sections.map((s) =>
    s.path === frame.current
      ? html`<a class="tab current" href="/reviewer${s.path}" aria-current="page">${s.title}</a>`
      : html`<a class="tab" href="/reviewer${s.path}">${s.title}</a>`,
  );
  const flash = frame.flash ? html`<p class="done" role="status" data-testid="reviewer-flash">${frame.flash}</p>` : '';
  return page(consoleBrand(brand), {
    screen: view.screen,
    title: view.title,
    body: html`<nav class="tabs" aria-label="Разделы консоли"><a class="tab${frame.current ? '' : ' current'}" href="/reviewer">Консоль</a>${links}</nav>
<p class="muted" data-testid="reviewer-who">Проверяющий: ${frame.reviewer.name} (${frame.reviewer.login})</p>
${flash}${view.body}
<form method="post" action="/reviewer/logout" class="actions">${tokenInput(frame.csrf)}<button class="secondary" type="submit" data-testid="reviewer-logout">Выйти из консоли</button></form>`,
  });
}

export function reviewerLoginPage(brand: Brand, view: { login?: string; failure?: string; csrf: string }): Html {
  const failure = view.failure
    ? html`<p class="field-error" role="alert" data-testid="reviewer-login-error">${view.failure}</p>`
    : '';
  return page(consoleBrand(brand), {
    screen: 'reviewer-login',
    title: 'Вход проверяющего',
    body: html`<h1>Консоль проверяющего</h1>
<p>Здесь сотрудники проверяют документы медицинских работников и отмечают завершение мероприятий. Вход по учётной записи проверяющего, не через Госуслуги.</p>
<form method="post" action="/reviewer/login" class="stack">${tokenInput(view.csrf)}
<label>Логин <input name="login" autocomplete="username" value="${view.login ?? ''}" required data-testid="reviewer-login"></label>
<label>Пароль <input name="password" type="password" autocomplete="current-password" required data-testid="reviewer-password"></label>
${failure}
<div class="actions"><button class="primary" type="submit" data-testid="reviewer-sign-in">Войти</button></div>
</form>`,
  });
}

export function reviewerHomeBody(sections: readonly { path: string; title: string }[]): Html {
  const items = sections.map(
    (s) => html`<li><a href="/reviewer${s.path}" data-testid="reviewer-section">${s.title}</a></li>`,
  );
  return html`<h1>Консоль проверяющего</h1>
${sections.length ? html`<ul>${items}</ul>` : html`<p class="muted">В этой системе пока нет разделов для проверки.</p>`}`;
}
