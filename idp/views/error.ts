/*
 * A full-page failure: cause, what to do, the reference code, and a way back to the system the
 * user came from (which then receives access_denied). Developer detail is folded away.
 */
import { html, type Html } from '../../lib/html.ts';
import { catalogue, type ErrorCode } from '../errors/catalogue.ts';
import { layout, referenceBlock } from './layout.ts';

export interface ErrorView {
  code: ErrorCode;
  ref: string;
  /** Interaction to leave through «Вернуться»; absent outside a sign-in. */
  uid?: string;
  lines?: string[];
  /** Precise cause for developers (protocol errors). */
  developer?: string;
  /** What the person can do about it right here, above «Вернуться в систему» (e.g. confirm the phone). */
  action?: Html;
}

export function errorPage(view: ErrorView): Html {
  const entry = catalogue[view.code];
  return layout(
    { title: entry.title, screen: 'error', errorCode: view.code },
    html`<div class="big-icon error">!</div>
<h1 data-testid="error-title">${entry.title}</h1>
<p data-testid="error-message">${entry.message}</p>
${view.lines?.length ? html`<ul data-testid="error-lines">${view.lines.map((l) => html`<li>${l}</li>`)}</ul>` : ''}
<div class="alert info" data-testid="error-remedy"><strong>Что делать</strong>${entry.remedy}</div>
${view.action ?? ''}
${
  view.uid
    ? html`<form method="post" action="/interaction/${view.uid}/abort" class="actions"><input type="hidden" name="reason" value="${view.code}"><button class="btn ${view.action ? 'secondary' : 'primary'}" type="submit" data-testid="back">Вернуться в систему</button></form>`
    : ''
}
${referenceBlock(view.ref)}
${view.developer ? html`<details class="dev"><summary>Для разработчиков</summary><pre data-testid="developer-detail">${view.developer}</pre></details>` : ''}`,
  );
}
