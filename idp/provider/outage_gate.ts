/*
 * Outage mode on the OIDC protocol endpoints (E3), in front of oidc-provider:
 * - GET|POST /auth (a new authorization request): redirects to the client's registered
 *   redirect_uri with `error=temporarily_unavailable` (RFC 6749 §4.1.2.1), `error_description` (the
 *   notice and expected time in Russian), `state`, `iss`, and the extension `available_at` (ISO
 *   instant of the expected recovery, when known). An unknown client or redirect_uri gets the
 *   outage page instead (never an open redirect).
 * - POST /token, /me (userinfo), /token/introspection: HTTP 503 JSON
 *   `{error: "temporarily_unavailable", error_description, available_at}` with Retry-After.
 * The run is the browser's (esia_run cookie) for /auth, and the run of the account behind the code,
 * refresh token or access token for server-to-server calls (they carry no cookie). Discovery and
 * JWKS stay up, so cached and fresh clients reach the point where the outage is reported.
 */
import { bodyParser } from '@koa/bodyparser';
import { unreadableBody } from '../../lib/http/unreadable_body.ts';
import type { Context, Next } from 'koa';
import { isInForce, outageDescription, retryAfter, type Outage } from '../domain/outage.ts';
import { catalogue } from '../errors/catalogue.ts';
import { newReference } from '../errors/reference.ts';
import { type Run, runCookie } from '../runs.ts';
import type { Services } from '../services.ts';
import { EsiaError } from '../errors/esia_error.ts';

const serverToServer = new Set(['/token', '/me', '/token/introspection']);

function inForce(run: Run | undefined): Outage | null {
  return run && isInForce(run.outage, run.clock.now()) ? run.outage : null;
}

function codeOf(outage: Outage) {
  return outage.mode === 'maintenance' ? ('service.maintenance' as const) : ('service.outage' as const);
}

function setRetryAfter(ctx: Context, outage: Outage): void {
  const after = retryAfter(outage);
  if (after) ctx.set('Retry-After', after);
}

export function outageGate(s: Services) {
  const parseForm = bodyParser({ enableTypes: ['form'], formLimit: '56kb', onError: unreadableBody });
  const browserRun = (ctx: Context): Run => s.runs.get(ctx.cookies.get(runCookie, { signed: false })) ?? s.runs.main;
  const runOfAccount = (accountId: unknown): Run | undefined =>
    typeof accountId === 'string' ? s.runs.accountByOid(accountId)?.run : undefined;

  /** The run a token or userinfo call is about, from the credential it carries. */
  async function credentialRun(ctx: Context): Promise<Run> {
    const bearer = /^Bearer\s+(\S+)$/i.exec(ctx.get('authorization'))?.[1];
    if (bearer) {
      const token = await s.provider.AccessToken.find(bearer).catch(() => undefined);
      return runOfAccount(token?.accountId) ?? s.runs.main;
    }
    if (ctx.method === 'POST' && ctx.is('application/x-www-form-urlencoded')) {
      // Only while some run has an outage: oidc-provider then reads the parsed body (and warns once that it did).
      await parseForm(ctx, async () => {});
      const body = (ctx.request.body ?? {}) as Record<string, unknown>;
      const { grant_type: grant, code, refresh_token: refresh, token } = body;
      const found =
        grant === 'authorization_code' && typeof code === 'string'
          ? await s.provider.AuthorizationCode.find(code).catch(() => undefined)
          : grant === 'refresh_token' && typeof refresh === 'string'
            ? await s.provider.RefreshToken.find(refresh).catch(() => undefined)
            : typeof token === 'string'
              ? await s.provider.AccessToken.find(token).catch(() => undefined)
              : undefined;
      return runOfAccount(found?.accountId) ?? s.runs.main;
    }
    return s.runs.main;
  }

  function audit(ctx: Context, outage: Outage, run: Run): void {
    const ref = newReference();
    ctx.state.run = run;
    Object.assign(ctx.state.audit, {
      action: `outage ${ctx.method} ${ctx.path}`,
      outcome: 'refused',
      code: codeOf(outage),
      ref,
      details: { mode: outage.mode, until: outage.until },
    });
  }

  return async function outageGateMiddleware(ctx: Context, next: Next) {
    const isAuth = ctx.path === '/auth';
    if (!isAuth && !serverToServer.has(ctx.path)) return next();
    // Cheap check first: nothing to do unless some run has an outage in force.
    if (!s.runs.list().some((r) => inForce(r))) return next();

    if (isAuth) {
      const run = browserRun(ctx);
      const outage = inForce(run);
      if (!outage) return next();
      audit(ctx, outage, run);
      setRetryAfter(ctx, outage);
      const q = ctx.method === 'POST' ? {} : (ctx.query as Record<string, unknown>);
      const clientId = typeof q.client_id === 'string' ? q.client_id : '';
      const redirectUri = typeof q.redirect_uri === 'string' ? q.redirect_uri : '';
      const client = clientId ? await s.provider.Client.find(clientId).catch(() => undefined) : undefined;
      if (client && redirectUri && client.redirectUriAllowed(redirectUri)) {
        const url = new URL(redirectUri);
        url.searchParams.set('error', 'temporarily_unavailable');
        url.searchParams.set('error_description', `${catalogue[codeOf(outage)].title}. ${outageDescription(outage)}`);
        if (typeof q.state === 'string') url.searchParams.set('state', q.state);
        url.searchParams.set('iss', s.provider.issuer);
        if (outage.until) url.searchParams.set('available_at', outage.until);
        ctx.status = 302;
        ctx.redirect(url.href);
        return;
      }
      throw new EsiaError(codeOf(outage), {
        mode: outage.mode,
        until: outage.until,
        lines: [outageDescription(outage)],
      });
    }

    const run = await credentialRun(ctx);
    const outage = inForce(run);
    if (!outage) return next();
    audit(ctx, outage, run);
    ctx.status = 503;
    setRetryAfter(ctx, outage);
    ctx.set('Cache-Control', 'no-store');
    ctx.body = {
      error: 'temporarily_unavailable',
      error_description: `${catalogue[codeOf(outage)].title}. ${outageDescription(outage)}`,
      ...(outage.until ? { available_at: outage.until } : {}),
    };
  };
}
