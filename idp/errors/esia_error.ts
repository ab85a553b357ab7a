/* A failure of the emulator's screens, from its catalogue, with structured evidence (what was expected, what came). */
import { CodedError } from '../../lib/errors.ts';
import { catalogue, type ErrorCode } from './catalogue.ts';

export class EsiaError extends CodedError<ErrorCode> {
  override name = 'EsiaError';

  /** `details`: evidence for developers and the audit journal, e.g. { expected: 'attempts < 5', actual: 5 }. */
  constructor(code: ErrorCode, details: Record<string, unknown> = {}) {
    super(code, `${code}: ${catalogue[code].title}`, { status: catalogue[code].status, details });
  }
}
