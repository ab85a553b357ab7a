/*
 * The frame around every request: test-stand and security headers (lib/http/page_headers.ts), the
 * form token on every page's own forms (lib/http/form_guard.ts), one audit record per request, and the
 * error boundary. A client's mistake becomes a catalogue page (or JSON for the control API) with a
 * reference code; an unexpected error becomes `oauth.server_error` with the stack in the log only.
 */
import type { Context, Next } from 'koa';
import { noStoreForPages, secureResponse } from '../../lib/http/page_headers.ts';
import type { AuditRecord } from '../adapters/audit_journal.ts';
import { ControlError } from '../control/inputs.ts';
import { type Run, runCookie } from '../runs.ts';
import type { Services } from '../services.ts';
import { errorPage } from '../views/error.ts';
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

function renderFailure(ctx: Context, error: EsiaError, developer?: string): void {
  const ref = newReference();
  Object.assign(ctx.state.audit, { outcome: 'refused', code: error.code, ref, details: error.details });
  ctx.status = error.status;
  ctx.type = 'html';
  // Inside a sign-in, even a refusal before the step ran (oversized form) offers the way back.
  const uid = ctx.state.uid ?? /^\/interaction\/([\w-]{10,})\//.exec(ctx.path)?.[1];
  ctx.body = errorPage({ code: error.code, ref, uid, developer }).value;
}

function handle(ctx: Context, error: unknown, s: Services): void {
  if (error instanceof ControlError) {
    Object.assign(ctx.state.audit, { outcome: 'refused', code: error.code });
    ctx.status = error.status;
    ctx.body = { error: error.code, message: error.message };
    return;
  }
  if (error instanceof EsiaError) return renderFailure(ctx, error);
  const status = (error as { status?: number }).status ?? 500;
  const code = codeForHttpError(status);
  if (code) return renderFailure(ctx, new EsiaError(code), (error as Error).message);
  const ref = newReference();
  if (s.config.log) console.error(`[esia-emulator] ${ref} ${ctx.method} ${ctx.path}: ${(error as Error).stack ?? error}`);
  Object.assign(ctx.state.audit, { outcome: 'error', code: 'oauth.server_error', ref, details: { message: (error as Error).message } });
  ctx.status = 500;
  ctx.type = 'html';
  ctx.body = errorPage({ code: 'oauth.server_error', ref }).value;
}

/** allowedMethods() options for a page router: a method it lacks (or HTTP's unknown ones) is a 405 page, not a 501. */
export const methodRefusal = {
  throw: true,
  notImplemented: () => Object.assign(new Error('This page takes no such method'), { status: 405, expose: true }),
  methodNotAllowed: () => Object.assign(new Error('This page does not take this method'), { status: 405, expose: true }),
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
      await next();
      if (ctx.status === 404 && !ctx.body && ctx.respond !== false) renderFailure(ctx, new EsiaError('http.not_found', { path: ctx.path }));
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
        s.audit({
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
        }, (ctx.state.run as Run | undefined) ?? s.runs.get(cookieRun) ?? s.runs.main);
        if (s.config.log && a.code) console.log(`[esia-emulator] ${status} ${ctx.method} ${ctx.path} → ${a.code} (${a.ref ?? 'no ref'})`);
      }
    }
  };
}
