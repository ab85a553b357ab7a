/* Parsing and errors of the control API: precise messages for developers, JSON, never a stack. */
import type Router from '@koa/router';
import type { Context } from 'koa';
import type { Account } from '../domain/account.ts';
import type { Run } from '../runs.ts';
import type { Services } from '../services.ts';

/** What control/router.ts hands each feature's control routes: the run of the call, its account, its JSON body. */
export interface ControlHelpers {
  /** ?run=, the X-Esia-Run header, or the main run. */
  runOf(ctx: Context): Run;
  /** :persona of the path, a persona key or an oid, in the run of the call. */
  findAccount(ctx: Context): Account;
  /** The JSON object body ({} when none). */
  body(ctx: Context): Record<string, unknown>;
}

/**
 * A feature's control routes (outage, test PKI, electronic signature, WebAuthn…): mounted by
 * control/router.ts on its loopback-only /__control router, each with its lines for GET /__control.
 */
export type ControlRoutes = (router: Router, s: Services, h: ControlHelpers) => void;
export { ControlError, parseDuration, parseInstant } from '../../lib/http/control_input.ts';
import { ControlError } from '../../lib/http/control_input.ts';

/**
 * Where a browser link of the control API (runs/:id/enter, a token's plug-in) may send a browser on: a path of the emulator, or a page on the
 * emulator's own host (the stand's relying parties listen on other ports of it). Parsed as a
 * browser would (a backslash is a slash, user info hides the real host), never followed off-site.
 */
export function sameHostTarget(next: unknown, origin: string): string {
  if (next === undefined || next === '') return '/';
  const refuse = (why: string) =>
    new ControlError(
      400,
      'control.bad_next',
      `next must be a path of the emulator (e.g. /trainer) or a URL on ${new URL(origin).hostname} (any port); ${why}: ${JSON.stringify(next).slice(0, 200)}.`,
    );
  if (typeof next !== 'string') throw refuse('give it once');
  let target: URL;
  try {
    target = new URL(next, origin);
  } catch {
    throw refuse('not a URL');
  }
  if (target.protocol !== 'http:' && target.protocol !== 'https:') throw refuse('only http and https');
  if (target.username || target.password) throw refuse('a URL with user info names another host than it seems to');
  if (target.hostname !== new URL(origin).hostname) throw refuse(`another host (${target.hostname})`);
  return target.origin === origin ? `${target.pathname}${target.search}${target.hash}` : target.href;
}

/** The link's ?next=, checked by sameHostTarget against the emulator's public origin. */
export function localNext(ctx: Context, issuer: string): string {
  return sameHostTarget(ctx.query.next, new URL(issuer).origin);
}

/** allowedMethods() options for the control API: a method a route lacks (or HTTP's unknown ones) is a 405 in the API's JSON, not a 501. */
export const controlMethodRefusal = {
  throw: true,
  notImplemented: () =>
    new ControlError(
      405,
      'control.method_not_allowed',
      'The control API has no route with this method; GET /__control lists each route with its method.',
    ),
  methodNotAllowed: () =>
    new ControlError(
      405,
      'control.method_not_allowed',
      'This route of the control API does not take this method; GET /__control lists each route with its method.',
    ),
};
