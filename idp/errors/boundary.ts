/*
 * The frame around every request: test-stand and security headers (lib/http/page_headers.ts), the
 * form token on every page's own forms (lib/http/form_guard.ts), one audit record per request, the
 * wait for the request's data-file changes to be on disk before it is answered, and the error
 * boundary, the one place where a thrown error becomes a response: a catalogue page with a reference
 * code (EsiaError, HTTP errors), JSON for the control API (ControlError), the ESIA protocol's answer
 * (EsiaProtocolError thrown with at()); a data file that cannot be written is `store.write_failed`
 * (503), a shared store (Redis) that is down `store.unavailable` (503); an unexpected error becomes
 * `oauth.server_error` with the stack in the log only.
 */
import type { Context, Next } from 'koa';
import { noStoreForPages, secureResponse } from '../../lib/http/page_headers.ts';
import { DataFileError } from '../../lib/store/json_file.ts';
import { isStoreUnavailable, type StoreUnavailable } from '../../lib/store/redis.ts';
import { durableChanges, withWriteScope } from '../../lib/store/write_scope.ts';
import type { AuditRecord } from '../adapters/audit_journal.ts';
import { ControlError } from '../control/inputs.ts';
import { EsiaProtocolError } from '../esia/errors.ts';
import { answerRefusal } from '../esia/refusal.ts';
import { type Run, runCookie } from '../runs.ts';
import type { Services } from '../services.ts';
import { errorPage } from '../views/error.ts';
import type { Failure } from '../views/failure.ts';
import type { ErrorCode } from './catalogue.ts';
import { EsiaError } from './esia_error.ts';
import { newReference } from './reference.ts';

/** Status codes that body parsers and Koa raise for a client's mistake, by catalogue code. */
function codeForHttpError(status: number): ErrorCode | undefined {
  if (status === 413) return 'request.too_large';
  if (status === 415) return 'request.unsupported_type';
  if (status === 404) return 'http.not_found';
  if (status >= 400 && status < 500) return 'oauth.invalid_request';
  return undefined;
}

/**
 * The catalogue page for a failure, with its reference code; `details.lines` are shown under the
 * message and `details.retryAfter` goes out as Retry-After (outages, E3). Also called by
 * oidc-provider's renderError (provider/configuration.ts), which has set the status itself.
 */
export function renderFailure(
  ctx: Context,
  error: EsiaError,
  view: { developer?: string; keepStatus?: boolean; outsideSignIn?: boolean } = {},
): void {
  const ref = newReference();
  const { lines, retryAfter } = error.details;
  Object.assign(ctx.state.audit ?? {}, { outcome: 'refused', code: error.code, ref, details: error.details });
  if (!view.keepStatus) ctx.status = error.status;
  if (typeof retryAfter === 'string') ctx.set('Retry-After', retryAfter);
  ctx.type = 'html';
  // Inside a sign-in, even a refusal before the step ran (oversized form) offers the way back.
  const uid = view.outsideSignIn ? undefined : (ctx.state.uid ?? /^\/interaction\/([\w-]{10,})\//.exec(ctx.path)?.[1]);
  ctx.body = errorPage({
    code: error.code,
    ref,
    uid,
    developer: view.developer,
    ...(Array.isArray(lines) ? { lines: lines.map(String) } : {}),
  }).value;
}

/**
 * A failure shown inside the current form (a screen state, not an error page): journaled with a
 * reference code and answered with its status; the form draws the returned Failure.
 */
export function formFailure(ctx: Context, error: EsiaError, lines?: string[]): Failure {
  const detailLines = error.details.lines;
  if (!lines && Array.isArray(detailLines)) lines = detailLines.map(String);
  const ref = newReference();
  Object.assign(ctx.state.audit, { outcome: 'refused', code: error.code, ref, details: error.details });
  ctx.status = error.status;
  return { code: error.code, ref, ...(lines?.length ? { lines } : {}) };
}

/** The data file could not be written (full disk, folder gone): the change is not answered as a success. */
function refuseUnsaved(ctx: Context, error: DataFileError, s: Services): void {
  if (s.config.log) console.error(`[esia-emulator] ${ctx.method} ${ctx.path}: ${error.message}`);
  ctx.set('Retry-After', '5');
  if (ctx.path.startsWith('/__control/')) {
    Object.assign(ctx.state.audit, { outcome: 'error', code: 'store.write_failed' });
    ctx.status = 503;
    ctx.body = { error: 'store.write_failed', message: `The change was not saved: ${error.message}` };
    return;
  }
  renderFailure(ctx, new EsiaError('store.write_failed', { file: error.path }), { developer: error.message });
}

/** Answers in JSON rather than a page: the control API, and the protocol's back-channel endpoints and APIs. */
export function wantsJson(ctx: Context): boolean {
  return (
    /^\/(__control\/|rs\/|aas\/oauth2\/(v\d\/)?te\b|token\b|me\b|token\/)/.test(ctx.path) ||
    ctx.accepts('html', 'json') === 'json'
  );
}

/**
 * The shared store (Redis) is down: the request is refused as a whole, and may be repeated once it
 * is back, which ends it by itself; its loss and return are logged once by the connection
 * (lib/store/redis.ts), not per request.
 */
export function refuseUnavailable(ctx: Context, error: StoreUnavailable): void {
  ctx.set('Retry-After', '5');
  if (wantsJson(ctx)) {
    const ref = newReference();
    Object.assign(ctx.state.audit ?? {}, { outcome: 'error', code: 'store.unavailable', ref });
    ctx.status = 503;
    ctx.body = { error: 'store.unavailable', message: `${error.message}; try again shortly`, ref };
    return;
  }
  renderFailure(ctx, new EsiaError('store.unavailable'), { developer: error.message });
}

function handle(ctx: Context, error: unknown, s: Services): void {
  if (error instanceof DataFileError) return refuseUnsaved(ctx, error, s);
  if (isStoreUnavailable(error)) return refuseUnavailable(ctx, error);
  if (error instanceof ControlError) {
    Object.assign(ctx.state.audit, { outcome: 'refused', code: error.code });
    ctx.status = error.status;
    ctx.body = { error: error.code, message: error.message };
    return;
  }
  if (error instanceof EsiaError) return renderFailure(ctx, error);
  if (error instanceof EsiaProtocolError && error.answer && s.esia)
    return answerRefusal(ctx, error, error.answer, s.esia, s.config.log);
  const status = (error as { status?: number }).status ?? 500;
  const code = codeForHttpError(status);
  if (code) return renderFailure(ctx, new EsiaError(code), { developer: (error as Error).message });
  const ref = newReference();
  if (s.config.log)
    console.error(`[esia-emulator] ${ref} ${ctx.method} ${ctx.path}: ${(error as Error).stack ?? error}`);
  Object.assign(ctx.state.audit, {
    outcome: 'error',
    code: 'oauth.server_error',
    ref,
    details: { message: (error as Error).message },
  });
  ctx.status = 500;
  ctx.type = 'html';
  ctx.body = errorPage({ code: 'oauth.server_error', ref }).value;
}

/** allowedMethods() options for a page router: a method it lacks (or HTTP's unknown ones) is a 405 page, not a 501. */
export const methodRefusal = {
  throw: true,
  notImplemented: () => Object.assign(new Error('This page takes no such method'), { status: 405, expose: true }),
  methodNotAllowed: () =>
    Object.assign(new Error('This page does not take this method'), { status: 405, expose: true }),
};

/** `/interaction/<uid>/…` and `/auth/<uid>` identify a sign-in; redirects into one name it too. */
function traceOf(ctx: Context): string | undefined {
  const inPath = /^\/(?:interaction|auth)\/([\w-]{10,})/.exec(ctx.path)?.[1];
  if (inPath) return inPath;
  const location = String(ctx.response.get('location') ?? '');
  return /\/interaction\/([\w-]{10,})/.exec(location)?.[1];
}

const quiet = new Set(['/static/esia.css', '/__health/ready', '/__health/live', '/favicon.ico']);

export function frame(s: Services) {
  return async function frameMiddleware(ctx: Context, next: Next) {
    ctx.state.audit = {} as Partial<AuditRecord>;
    // Read now: a client that goes away mid-request takes its socket, and with it the address and scheme.
    const ip = ctx.ip;
    const cookieRun = ctx.cookies.get(runCookie, { signed: false });
    ctx.set('X-Test-Stand', 'esia-emulator; not the real ESIA');
    ctx.set('X-Robots-Tag', 'noindex, nofollow');
    secureResponse(ctx, { formTargets: s.formTargets() });
    try {
      await withWriteScope(async () => {
        try {
          await next();
          if (ctx.status === 404 && !ctx.body && ctx.respond !== false)
            renderFailure(ctx, new EsiaError('http.not_found', { path: ctx.path }));
        } catch (error) {
          handle(ctx, error, s);
        }
        // A refusal may have changed data too (a wrong password counts): every answer waits. Handlers
        // that write the response themselves (interactionFinished) wait before they do (step.ts).
        await durableChanges();
      });
    } catch (error) {
      handle(ctx, error, s);
    } finally {
      noStoreForPages(ctx);
      if (typeof ctx.body === 'string' && ctx.response.is('html')) ctx.body = s.formGuard.stamp(ctx, ctx.body);
      if (!quiet.has(ctx.path)) {
        const a = ctx.state.audit as Partial<AuditRecord>;
        const status = ctx.respond === false ? ctx.res.statusCode : ctx.status;
        const oidc = (ctx as { oidc?: { client?: { clientId: string }; session?: { accountId?: string } } }).oidc;
        const trace = a.trace ?? traceOf(ctx);
        const account = a.account ?? oidc?.session?.accountId;
        const client = a.client ?? oidc?.client?.clientId;
        s.audit(
          {
            ip,
            action: a.action ?? `${ctx.method} ${ctx.path.replace(/\/[\w-]{20,}/g, '/:id')}`,
            outcome: a.outcome ?? (status >= 500 ? 'error' : status >= 400 ? 'refused' : 'ok'),
            status,
            ...(trace ? { trace } : {}),
            ...(account ? { account } : {}),
            ...(client ? { client } : {}),
            ...(a.code ? { code: a.code } : {}),
            ...(a.ref ? { ref: a.ref } : {}),
            ...(a.operator ? { operator: a.operator, role: a.role } : {}),
            ...(a.details ? { details: a.details } : {}),
          },
          (ctx.state.run as Run | undefined) ?? s.runs.get(cookieRun) ?? s.runs.main,
        );
        if (s.config.log && a.code)
          console.log(`[esia-emulator] ${status} ${ctx.method} ${ctx.path} → ${a.code} (${a.ref ?? 'no ref'})`);
      }
    }
  };
}
