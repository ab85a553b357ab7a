/*
 * The one error screen of the RP (`data-screen="rp-error"`): what happened, what to do, a reference
 * code the user reads out to support (E1), and the operator's note folded away. Never a stack trace.
 */
import { html, type Html } from '../../lib/html.ts';
import type { RpError } from '../errors.ts';
import { page, type Brand } from './layout.ts';

// Codes after which starting a new login is the natural next step.
const retryable = new Set(['rp.login_refused', 'rp.callback_invalid', 'rp.idp_unavailable']);
// Госуслуги signed the user in but the RP refused: a plain retry would silently reuse the same ESIA
// session, so offer to sign in again with the IdP asking for credentials (prompt=login).
const refusedAfterLogin = new Set(['rp.trust_level_too_low', 'rp.register_mismatch', 'rp.no_register_record']);

// Screens inside the cabinet's personal data: the way back leads there, not to the landing page.
const backTo: Partial<Record<string, { href: string; label: string; testid: string }>> = {
  'rp.personal_conflict': { href: '/personal/edit', label: 'Открыть заново', testid: 'reopen-edit' },
  'rp.personal_readonly': { href: '/personal', label: 'К личным данным', testid: 'personal-back' },
  'rp.personal_version_unknown': {
    href: '/personal/history',
    label: 'К истории изменений',
    testid: 'personal-history',
  },
};

export function errorPage(brand: Brand, error: RpError, ref: string): Html {
  const e = error.entry;
  const facts = error.facts.length
    ? html`<table data-testid="error-facts">${error.facts.map(
        (f) => html`<tr><th>${f.label}</th><td data-testid="${f.testid ?? 'error-fact'}">${f.value}</td></tr>`,
      )}</table>`
    : '';
  const again = retryable.has(error.code) || refusedAfterLogin.has(error.code);
  const retry = html`${again ? html`<a class="button primary" href="/login" data-testid="retry-login">Войти снова</a>` : ''}${
    refusedAfterLogin.has(error.code)
      ? html`<a class="button secondary" href="/login?prompt=login" data-testid="login-other-account">Войти с другой учётной записью</a>`
      : ''
  }`;
  return page(brand, {
    screen: 'rp-error',
    title: e.title,
    bodyData: { 'error-code': error.code, 'ref-code': ref },
    body: html`<h1 data-testid="error-title">${e.title}</h1>
<p data-testid="error-message">${e.message}</p>
${facts}
<h2>Что делать</h2>
<p data-testid="error-remedy">${e.remedy}</p>
<p class="ref">Код обращения: <code data-testid="ref-code" data-ref="${ref}">${ref}</code><br><span class="muted">Назовите его, если обратитесь в поддержку: по нему найдут, что произошло.</span></p>
<div class="actions">${retry}${
      // A refused signature leaves the cabinet session as it was (A8).
      error.code === 'rp.signature_required'
        ? html`<a class="button primary" href="/cabinet" data-testid="go-cabinet">Вернуться в личный кабинет</a>`
        : ''
    }${
      backTo[error.code]
        ? html`<a class="button primary" href="${backTo[error.code]!.href}" data-testid="${backTo[error.code]!.testid}">${backTo[error.code]!.label}</a>`
        : ''
    }<a class="button secondary" href="/" data-testid="home-link">На главную</a></div>
<details data-testid="support-note"><summary>Для службы поддержки</summary>
<p>${e.support}</p>
<p class="muted">Код ошибки: <code data-testid="support-error-code">${error.code}</code>${e.ids.length ? html`, случаи каталога: ${e.ids.join(', ')}` : ''}</p>
</details>`,
  });
}
