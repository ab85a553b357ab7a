/*
 * Control routes of feature «webauthn», mounted by control/router.ts in the run of the call:
 *   GET /__control/accounts/:persona/totp[?steps=-3]   the app the persona would hold (A2): its current
 *       code by the run's clock, or that many 30-second steps away (a phone whose clock drifts)
 */
import type Router from '@koa/router';
import { currentCode } from '../domain/totp.ts';
import type { Services } from '../services.ts';
import { ControlError, type ControlHelpers } from '../control/inputs.ts';

export const webauthnEndpoints = [
  "GET /__control/accounts/:persona/totp[?steps=-3] → the app code the persona's phone shows now (run clock), or steps of 30 s away",
];

export function webauthnControlRoutes(router: Router, s: Services, { runOf, findAccount }: ControlHelpers): void {
  router.get('/accounts/:persona/totp', (ctx) => {
    const account = findAccount(ctx);
    if (!account.totp)
      throw new ControlError(
        404,
        'control.no_totp',
        `Persona "${account.persona}" has no app code enrolled (zaitseva has one; enrol at /account).`,
      );
    const steps = ctx.query.steps === undefined ? 0 : Number(ctx.query.steps);
    if (!Number.isInteger(steps) || Math.abs(steps) > 1000)
      throw new ControlError(
        400,
        'control.bad_steps',
        `steps must be a whole number of ${s.config.totp.periodSeconds}-second steps; got ${String(ctx.query.steps)}.`,
      );
    const now = runOf(ctx).clock.now() + steps * s.config.totp.periodSeconds * 1000;
    ctx.body = {
      persona: account.persona,
      ...currentCode(account.totp.secret, now, s.config.totp),
      at: new Date(now).toISOString(),
    };
  });
}
