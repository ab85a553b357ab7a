/*
 * GET /api/completed?snils=…: the person's completed events and certificates, for ФМРМ's «НМО» tab.
 * Server to server: the shared secret in `Authorization: Bearer …` (config.completedApiSecret), from
 * this machine only unless config.completedApiRemote; the run is the caller's (`X-Esia-Run`).
 * Refusals are JSON with a precise message, like the control API's.
 */
import { timingSafeEqual } from 'node:crypto';
import type Router from '@koa/router';
import { ControlError } from '../../lib/http/control_input.ts';
import { isLoopback } from '../../lib/http/loopback.ts';
import type { PageHelpers } from '../feature.ts';
import { snilsKey } from '../register.ts';
import { findEvent, registrationsOf, verifyUrl } from './events.ts';

export const completedApiPath = '/api/completed';

/** One completed event as ФМРМ receives it. */
export interface CompletedEvent {
  id: string;
  title: string;
  kind: string;
  specialty: string;
  startsAt: string;
  endsAt: string;
  credits: number;
  certificate: { number: string; issuedAt: string; verifyUrl: string };
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

export function completedApi(router: Router, h: PageHelpers): void {
  router.get(completedApiPath, async (ctx) => {
    const secret = h.config.completedApiSecret;
    if (!secret)
      throw new ControlError(
        404,
        'api.off',
        'The list of completed events is off: completedApiSecret is not set on this portal.',
      );
    if (!h.config.completedApiRemote && !isLoopback(ctx.req.socket.remoteAddress))
      throw new ControlError(
        403,
        'api.not_loopback',
        'The list of completed events answers only calls from this machine (completedApiRemote is off).',
      );
    const given = /^Bearer (.+)$/.exec(ctx.get('authorization'))?.[1];
    if (!given || !sameSecret(given, secret)) {
      ctx.set('WWW-Authenticate', 'Bearer realm="nmo-completed"');
      throw new ControlError(
        401,
        'api.secret_required',
        given ? 'The shared secret is wrong.' : 'Send the shared secret as "Authorization: Bearer <secret>".',
      );
    }
    const snils = typeof ctx.query.snils === 'string' ? snilsKey(ctx.query.snils) : '';
    if (snils.length !== 11)
      throw new ControlError(
        400,
        'api.bad_snils',
        `Give ?snils= with the 11 digits of a СНИЛС (spaces and dashes allowed); got ${JSON.stringify(ctx.query.snils ?? null)}.`,
      );
    const ws = await h.workspaces.forControl(ctx);
    const events: CompletedEvent[] = registrationsOf(ws, snils).flatMap((r) => {
      const event = findEvent(ws, r.eventId);
      if (!event || !r.certificate) return [];
      const { id, title, kind, specialty, startsAt, endsAt, credits } = event;
      const certificate = { ...r.certificate, verifyUrl: verifyUrl(h.config.publicUrl, r.certificate.number) };
      return [{ id, title, kind, specialty, startsAt, endsAt, credits, certificate }];
    });
    events.sort((a, b) => b.endsAt.localeCompare(a.endsAt));
    ctx.set('Cache-Control', 'no-store');
    ctx.body = { run: ws.id, snils, events };
  });
}
