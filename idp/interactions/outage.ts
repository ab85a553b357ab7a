/*
 * Outage mode on the sign-in screens (E3): while a maintenance or outage is in force in the run,
 * every screen of a sign-in shows the notice and the expected recovery time (HTTP 503 with
 * Retry-After) and refuses to go on; «Вернуться в систему» still works and tells the system
 * `temporarily_unavailable`.
 */
import { isInForce, outageLines, retryAfter, type Outage } from '../domain/outage.ts';
import type { ErrorCode } from '../errors/catalogue.ts';
import { EsiaError } from '../errors/esia_error.ts';
import type { Run } from '../runs.ts';
import type { Step } from './step.ts';

export function outageCode(outage: Outage): ErrorCode {
  return outage.mode === 'maintenance' ? 'service.maintenance' : 'service.outage';
}

/** The outage in force in the run now, if any. */
export function outageNow(run: Run): Outage | null {
  return isInForce(run.outage, run.clock.now()) ? run.outage : null;
}

/** Refuses the step while an outage is in force: the boundary shows the outage page (503, Retry-After) instead. */
export function refuseDuringOutage(step: Step): void {
  const outage = outageNow(step.run);
  if (!outage) return;
  throw outageError(outage);
}

/** The outage as a failure: the notice and expected time as its lines, Retry-After when known. */
export function outageError(outage: Outage): EsiaError {
  const after = retryAfter(outage);
  return new EsiaError(outageCode(outage), {
    mode: outage.mode,
    until: outage.until,
    lines: outageLines(outage),
    ...(after ? { retryAfter: after } : {}),
  });
}
