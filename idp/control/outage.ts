/*
 * Control routes of outage mode (E3), mounted by control/router.ts in the run of the call:
 *   GET    /__control/outage        the announcement in the run and whether it is in force now (run clock)
 *   POST   /__control/outage        {mode: maintenance | outage, notice?, until?, from?} announces it
 *   DELETE /__control/outage        ends it
 * The rules are idp/domain/outage.ts; the support console announces through the same function.
 */
import type Router from '@koa/router';
import { announceOutage, endOutage, isInForce } from '../domain/outage.ts';
import type { Services } from '../services.ts';
import { ControlError, type ControlHelpers } from './inputs.ts';
import { InputError } from '../../lib/errors.ts';

export const outageEndpoints = [
  'GET|POST|DELETE /__control/outage {mode: "maintenance" | "outage", notice?, until?: ISO instant, from?: ISO instant}',
];

export function outageControlRoutes(router: Router, _s: Services, { runOf, body }: ControlHelpers): void {
  router.get('/outage', (ctx) => {
    const run = runOf(ctx);
    ctx.body = { outage: run.outage, inForce: isInForce(run.outage, run.clock.now()) };
  });
  router.post('/outage', (ctx) => {
    const run = runOf(ctx);
    try {
      announceOutage(run, body(ctx), 'control');
    } catch (error) {
      if (error instanceof InputError) throw new ControlError(400, 'control.bad_outage', error.message);
      throw error;
    }
    ctx.status = 201;
    ctx.body = { outage: run.outage, inForce: isInForce(run.outage, run.clock.now()) };
  });
  router.delete('/outage', (ctx) => {
    ctx.body = { ended: endOutage(runOf(ctx)), outage: null };
  });
}
