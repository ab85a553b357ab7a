/* A failure from the catalogue with structured evidence (what was expected, what came). */
import { catalogue, type ErrorCode } from './catalogue.ts';

export class EsiaError extends Error {
  override name = 'EsiaError';
  readonly status: number;

  constructor(
    readonly code: ErrorCode,
    /** Evidence for developers and the audit journal, e.g. { expected: 'attempts < 5', actual: 5 }. */
    readonly details: Record<string, unknown> = {},
  ) {
    super(`${code}: ${catalogue[code].title}`);
    this.status = catalogue[code].status;
  }
}
