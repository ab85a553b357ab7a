/*
 * What every page of the support console shares: the operator, the stylesheet, the page frame with
 * its navigation, times in МСК, and the journal's attempts table.
 */
import { html, type Html } from '../../lib/html.ts';
import type { AuditRecord } from '../adapters/audit_journal.ts';
import { catalogue, isErrorCode } from '../errors/catalogue.ts';
import { moscowTime } from '../domain/outage.ts';
import { esiaCodes } from '../esia/errors.ts';
import type { Failure } from '../views/failure.ts';
import { layout } from '../views/layout.ts';
import { roleTitles, type Role } from './operators.ts';

export interface ConsoleUser {
  login: string;
  name: string;
  role: Role;
  run: string;
  csrf: string;
}

/** The console's own rules, served at /static/support.css (no inline style under the Content-Security-Policy). */
export const supportStylesheetPath = '/static/support.css';
export const supportStylesheet = `
.sup-nav{display:flex;flex-wrap:wrap;gap:8px 16px;align-items:center;justify-content:space-between;border-bottom:1px solid #e1e7f0;padding-bottom:12px;margin-bottom:20px;font-size:14px}
.sup-nav form{display:inline}
table.sup{width:100%;border-collapse:collapse;font-size:14px;margin:8px 0 16px}
table.sup th,table.sup td{text-align:left;padding:6px 8px;border-bottom:1px solid #e1e7f0;vertical-align:top}
table.sup th{color:#66727f;font-weight:600;width:38%}
.sup-actions{display:grid;grid-template-columns:repeat(auto-fill,minmax(220px,1fr));gap:12px;margin:12px 0}
.sup-actions form{margin:0}.sup-actions .btn{width:100%}
.secret{font-size:22px;letter-spacing:.08em;background:#fff8e1;padding:4px 10px;border-radius:6px}
textarea,select{font:inherit;padding:8px 10px;border:1px solid #b2c2d6;border-radius:8px;width:100%}
.row select{height:48px;background:#fff}
.sup-outage{margin-bottom:28px}.sup-outage details{margin-top:12px}
.row{display:flex;gap:8px;align-items:end}.row>*{flex:1}.row .btn{flex:0 0 auto}.row .sup-kind{flex:0 0 190px}
`;
const styles = html`<link rel="stylesheet" href="${supportStylesheetPath}">`;

export function page(title: string, screen: string, user: ConsoleUser | null, body: Html, failure?: Failure): Html {
  return layout(
    { title, screen, wide: true, ...(failure ? { errorCode: failure.code } : {}) },
    html`${styles}${user ? nav(user) : ''}${body}`,
  );
}

export function nav(user: ConsoleUser): Html {
  return html`<div class="sup-nav" data-testid="support-nav">
<span><b><a href="/support" data-testid="support-home">Консоль поддержки</a></b> · <span data-testid="support-operator">${user.name}</span> (${user.login}, <span data-testid="support-role" data-role="${user.role}">${roleTitles[user.role]}</span>) · прогон <code data-testid="support-run">${user.run}</code></span>
<form method="post" action="/support/logout"><input type="hidden" name="csrf" value="${user.csrf}"><button class="btn link" type="submit" data-testid="support-logout">Выйти</button></form>
</div>`;
}

export function csrfField(user: ConsoleUser): Html {
  return html`<input type="hidden" name="csrf" value="${user.csrf}">`;
}

/** Journal times in МСК, as every user screen shows them, to the second. */
export function when(iso: string | null | undefined): string {
  return iso ? moscowTime(iso, 'seconds') : '—';
}

export const outcomeTitles = { ok: 'успешно', refused: 'отказ', error: 'сбой' } as const;

export function codeTitle(code: string | undefined): string {
  if (!code) return '';
  if (isErrorCode(code)) return `${catalogue[code].title} (${code})`;
  // Codes of the ESIA protocol face (ESIA-0070xx) carry ESIA's own Russian meaning.
  const esia = (esiaCodes as Record<string, { meaning: string }>)[code];
  return esia ? `${esia.meaning} (${code})` : code;
}

export function attemptsTable(records: AuditRecord[]): Html {
  if (!records.length) return html`<p class="muted" data-testid="support-attempts">Событий в журнале нет.</p>`;
  return html`<table class="sup" data-testid="support-attempts"><tr><th>Время</th><th>Действие</th><th>Итог</th><th>Код обращения</th></tr>
${records.map(
  (r) =>
    html`<tr><td>${when(r.ts)}<br><span class="muted">${r.ip}</span></td><td>${r.action}${r.operator ? html`<br><span class="muted">оператор ${r.operator}</span>` : ''}</td><td>${outcomeTitles[r.outcome]}${r.code ? html`<br>${codeTitle(r.code)}` : ''}</td><td>${r.ref ? html`<a href="/support/ref?code=${r.ref}">${r.ref}</a>` : ''}</td></tr>`,
)}</table>`;
}
