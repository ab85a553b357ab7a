/*
 * Outage mode on the sign-in screens (E3): while a maintenance or outage is in force in the run,
 * every screen of a sign-in shows the notice and the expected recovery time (HTTP 503 with
 * Retry-After) and refuses to go on; «Вернуться в систему» still works and tells the system
 * `temporarily_unavailable`.
 */
import { isInForce, outageLines, retryAfter, type Outage } from '../domain/outage.ts';
import type { ErrorCode } from '../errors/catalogue.ts';
import { newReference } from '../errors/reference.ts';
import type { Run } from '../runs.ts';
import { errorPage } from '../views/error.ts';
import { render, type Step } from './step.ts';

export function outageCode(outage: Outage): ErrorCode {
  return outage.mode === 'maintenance' ? 'service.maintenance' : 'service.outage';
}

/** The outage in force in the run now, if any. */
export function outageNow(run: Run): Outage | null {
  return isInForce(run.outage, run.clock.now()) ? run.outage : null;
}

/** Shows the outage page instead of the step when one is in force; true when it did. */
export function refuseDuringOutage(step: Step): boolean {
  const outage = outageNow(step.run);
  if (!outage) return false;
  const code = outageCode(outage);
  const ref = newReference();
  Object.assign(step.ctx.state.audit, { outcome: 'refused', code, ref, details: { mode: outage.mode, until: outage.until } });
  step.ctx.status = 503;
  const after = retryAfter(outage);
  if (after) step.ctx.set('Retry-After', after);
  render(step, errorPage({ code, ref, uid: step.uid, lines: outageLines(outage) }));
  step.ctx.status = 503;
  return true;
}
