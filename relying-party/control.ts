/*
 * The relying party's control API, like the emulator's: loopback only, JSON in and out, one run per
 * call (`X-Esia-Run` or `?run=`, else the main run). Scenarios and the trainer use it to reset a run's
 * data, move its clock, and act as the people behind the screens (a reviewer, an event's organiser):
 * each feature adds its routes with a ControlRoutes function, listed once in controlRouter().
 */
import Router from '@koa/router';
import type { Context } from 'koa';
import { readUpTo } from '../lib/http/form.ts';
import { ControlError, parseDuration, parseInstant } from '../lib/http/control_input.ts';
import { isLoopback } from '../lib/http/loopback.ts';
import type { Workspace, Workspaces } from './workspaces.ts';

export const controlPrefix = '/__control';

/** What a feature's control routes get: the run of the call and its JSON body. */
export interface ControlHelpers {
  workspaceOf(ctx: Context): Promise<Workspace>;
  /** The JSON object body ({} when none), read once. */
  body(ctx: Context): Promise<Record<string, unknown>>;
}

export type ControlRoutes = (router: Router, h: ControlHelpers) => void;

async function jsonBody(ctx: Context): Promise<Record<string, unknown>> {
  if (ctx.method === 'GET' || ctx.method === 'DELETE') return {};
  const chunks = await readUpTo(ctx.req, 256 * 1024).catch(() => {
    throw new ControlError(400, 'control.bad_body', 'The body could not be read: the client closed the connection.');
  });
  if (!chunks) throw new ControlError(413, 'control.bad_body', 'The body is larger than 256 KiB.');
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new ControlError(
      400,
      'control.bad_body',
      `Expected a JSON object body; it did not parse: ${(err as Error).message}.`,
    );
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new ControlError(400, 'control.bad_body', 'Expected a JSON object body.');
  return parsed as Record<string, unknown>;
}

/** The clock's answer, the same shape as the emulator's GET /__control/clock. */
const clockState = (ws: Workspace) => ({
  run: ws.id,
  now: new Date(ws.clock.now()).toISOString(),
  frozen: ws.clock.frozen,
});

export function controlRouter(workspaces: Workspaces, features: readonly ControlRoutes[]): Router {
  const router = new Router({ prefix: controlPrefix });
  const bodies = new WeakMap<Context, Promise<Record<string, unknown>>>();
  const h: ControlHelpers = {
    workspaceOf: (ctx) => workspaces.forControl(ctx),
    body: (ctx) => {
      let body = bodies.get(ctx);
      if (!body) bodies.set(ctx, (body = jsonBody(ctx)));
      return body;
    },
  };

  router.use(async (ctx, next) => {
    if (!isLoopback(ctx.req.socket.remoteAddress))
      throw new ControlError(403, 'control.not_loopback', 'The control API answers only calls from this machine.');
    await next();
  });

  router.get('/', (ctx) => {
    ctx.body = {
      routes: [
        'POST /__control/reset {clock?: ISO instant, freeze?: boolean}: the run back to the fixtures, seeded at that instant',
        'GET|POST /__control/clock {set?: ISO instant, advance?: seconds | ISO duration, freeze?: boolean}',
        ...router.stack.map((layer) => `${layer.methods.filter((m) => m !== 'HEAD').join('|')} ${layer.path}`),
      ],
    };
  });

  router.post('/reset', async (ctx) => {
    const ws = await h.workspaceOf(ctx);
    const b = await h.body(ctx);
    const at = b.clock === undefined ? undefined : { instant: parseInstant(b.clock), frozen: b.freeze === true };
    await workspaces.reset(ws, at);
    ctx.body = { reset: true, ...clockState(ws) };
  });

  router.get('/clock', async (ctx) => {
    ctx.body = clockState(await h.workspaceOf(ctx));
  });

  router.post('/clock', async (ctx) => {
    const ws = await h.workspaceOf(ctx);
    const b = await h.body(ctx);
    if (b.set === undefined && b.advance === undefined && b.freeze === undefined)
      throw new ControlError(
        400,
        'control.bad_clock',
        'Give "set" (ISO instant), "advance" (seconds or ISO duration such as "P7D") or "freeze".',
      );
    const { clock } = ws;
    if (b.set !== undefined) clock.set(parseInstant(b.set), b.freeze === true);
    else if (b.freeze !== undefined) clock.set(clock.now(), b.freeze === true);
    if (b.advance !== undefined) clock.advance(parseDuration(b.advance));
    ctx.body = clockState(ws);
  });

  for (const feature of features) feature(router, h);
  return router;
}
