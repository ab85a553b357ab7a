/*
 * Which requests sync runs and which take a run's lock (ESIA_STORE=redis://…), as one middleware in
 * front of the emulator's routes. Every request that reaches a run syncs first. A request to the
 * emulator's own routes that may change a run holds that run's lock: every method but GET and HEAD,
 * and the GETs that change state: the signing plugin (a browser gets its own token), the account
 * settings, the support console and /__control/runs/:id/enter (a persona's token is made).
 *
 * The sign-in screens and the steps every sign-in takes (password, SMS code, its resend) take no
 * lock, so two processes sign different people in at once: what they change of the run (wrong
 * passwords counted, a sign-in recorded) is written by compare-and-set (Services.transact), the
 * rest (the code sent) after the handler (commitOutside). With an armed fault or a login shortcut
 * (taken once) they hold the lock like the others. oidc-provider's own endpoints take no lock:
 * their state is in its adapter. A run changed without its lock (a sign-in step, a signature
 * challenge, the support console's session run) is written after the handler, merged part by part
 * (idp/shared/run_sync.ts commitOutside).
 */
import type { Context, Middleware, Next } from 'koa';
import { type Run, runCookie, type Runs } from '../runs.ts';
import type { SharedRunRegistry } from './run_registry.ts';
import type { SharedRuns } from './run_sync.ts';

const noRun = /^\/(?:static\/|favicon|__health\/)/;
const changingGets = /^\/(?:plugin(?:\/|$)|account(?:\/|$)|support(?:\/|$)|__control\/runs\/[^/]+\/enter$)/;
/** The sign-in steps every sign-in takes; their changes of the run go through Services.transact. */
const lockFreeSteps = /^\/interaction\/[^/]+\/(?:login|otp|otp\/resend)$/;
/**
 * POSTs that change no run: runs are made and ended through the registry; the ESIA face's token
 * endpoint (server to server) reads the run only for its outage, its codes and tokens are records.
 */
const noRunChanged = /^\/(?:__control\/runs(?:\/[^/]+)?|aas\/oauth2\/te)$/;

/** Reads of the control API that change nothing (an inbox, the clock, the personas): nothing to write after them. */
const pureReads = /^\/__control\/(?:inbox\/[^/]+|clock|personas|outage|audit\/[^/]+)$/;

function readOnly(ctx: Pick<Context, 'method' | 'path'>): boolean {
  return (ctx.method === 'GET' || ctx.method === 'HEAD') && pureReads.test(ctx.path);
}

export function mayChange(ctx: Pick<Context, 'method' | 'path'>, run: Run): boolean {
  const read = ctx.method === 'GET' || ctx.method === 'HEAD';
  if (ctx.path.startsWith('/interaction/') && (read || lockFreeSteps.test(ctx.path)))
    // An armed fault or a login shortcut is taken once: under the lock. Without either, no lock.
    return run.faults.list.length > 0 || run.shortcuts.size > 0;
  if (!read) return !noRunChanged.test(ctx.path);
  return changingGets.test(ctx.path);
}

/** The run a request is about: a run in the path, ?run= or X-Esia-Run (control API), the esia_run cookie, or the main run. */
export function runOfRequest(ctx: Context, runs: Runs): Run {
  const inPath = /^\/__control\/runs\/([^/]+)\/enter$/.exec(ctx.path)?.[1];
  const asked =
    inPath ||
    (ctx.path.startsWith('/__control') &&
      ((typeof ctx.query.run === 'string' && ctx.query.run) || ctx.get('x-esia-run'))) ||
    ctx.cookies.get(runCookie, { signed: false }) ||
    undefined;
  return (asked ? runs.list().find((r) => r.id === asked) : undefined) ?? runs.main;
}

export function sharedRunsMiddleware(
  shared: SharedRuns,
  registry: SharedRunRegistry,
  ownRoute: (path: string) => boolean,
): Middleware {
  return async function sharedRunState(ctx: Context, next: Next) {
    if (noRun.test(ctx.path)) return next();
    // One sign-in's requests one at a time, whichever process each reaches: each changes its journey.
    // Its lock is asked for in the same round trip as the sync.
    const own = ownRoute(ctx.path);
    const uid = own ? /^\/interaction\/([^/]+)/.exec(ctx.path)?.[1] : undefined;
    const taken = await shared.sync(uid && `interaction:${uid}`);
    void registry.touch().catch(() => {});
    if (!own) return next();
    const run = runOfRequest(ctx, shared.runs);
    // The run a handler worked in (ctx.state.run) may not be the one the lock was taken for: written too if it changed.
    const alsoChanged = async () => {
      const worked = ctx.state.run as Run | undefined;
      if (worked && (worked !== run || !locking) && !readOnly(ctx)) await shared.commitOutside(worked);
    };
    const locking = mayChange(ctx, run);
    const handle = locking
      ? () => shared.locked(run, () => next().finally(alsoChanged))
      : () => next().finally(alsoChanged);
    return uid ? shared.exclusive(`interaction:${uid}`, handle, taken) : handle();
  };
}
