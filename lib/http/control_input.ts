/*
 * The inputs every control API takes (the emulator's and the relying parties'): an instant and a
 * duration, refused with a precise message for the developer as a ControlError (JSON, never a stack).
 */
import { CodedError } from '../errors.ts';

/** A refused control call: answered as JSON `{error: code, message}` by the error boundary. */
export class ControlError extends CodedError {
  override name = 'ControlError';
  constructor(status: number, code: string, message: string) {
    super(code, message, { status });
  }
}

export function parseInstant(value: unknown): number {
  const ms = typeof value === 'string' ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(ms))
    throw new ControlError(
      400,
      'control.bad_instant',
      `Expected an ISO instant such as "2026-11-25T10:00:00Z"; got ${JSON.stringify(value)}.`,
    );
  return ms;
}

/** Seconds as a number, or an ISO 8601 duration (PT5M, P1D, P200D, PT1H30M); returns ms. */
export function parseDuration(value: unknown): number {
  if (typeof value === 'number' && Number.isFinite(value)) return value * 1000;
  const match =
    typeof value === 'string' ? /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/.exec(value) : null;
  if (!match || value === 'P' || value === 'PT') {
    throw new ControlError(
      400,
      'control.bad_duration',
      `Expected seconds or an ISO duration such as "PT5M" or "P181D"; got ${JSON.stringify(value)}.`,
    );
  }
  const [, d = '0', h = '0', m = '0', sec = '0'] = match;
  return ((Number(d) * 24 + Number(h)) * 60 + Number(m)) * 60_000 + Number(sec) * 1000;
}
