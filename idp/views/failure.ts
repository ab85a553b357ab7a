/* How a failure from the catalogue appears inside a form: an alert with the cause, the remedy and the reference code. */
import { html, type Html } from '../../lib/html.ts';
import { catalogue, type CatalogueEntry, type ErrorCode } from '../errors/catalogue.ts';
import { referenceBlock } from './layout.ts';

export interface Failure {
  code: ErrorCode;
  ref: string;
  /** Extra lines specific to this occurrence (typing hints, unmet password rules, seconds to wait). */
  lines?: string[];
  /** The code it is about went by e-mail: the entry's byEmail wording, where it has one. */
  byEmail?: boolean;
}

export function failureAlert(failure: Failure | undefined): Html {
  if (!failure) return html``;
  const entry: CatalogueEntry = catalogue[failure.code];
  const text = (failure.byEmail && entry.byEmail) || entry;
  return html`<div class="alert error" role="alert" data-testid="error" data-error-code="${failure.code}">
<strong data-testid="error-title">${entry.title}</strong>
${text.message} ${text.remedy}
${failure.lines?.length ? html`<ul data-testid="error-lines">${failure.lines.map((l) => html`<li>${l}</li>`)}</ul>` : ''}
</div>`;
}

export function failureReference(failure: Failure | undefined): Html {
  return failure ? referenceBlock(failure.ref) : html``;
}
