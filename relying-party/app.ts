/*
 * The RP's Koa app and its only route table: landing, login, callback, cabinet, logout. One error
 * boundary turns every failure into the error page with a reference code; nothing else renders errors.
 * It also sets the security headers (lib/http/page_headers.ts) and puts the form token, bound to the
 * session, into every form of a page; every POST is checked for it and for its Origin first.
 */
import { randomBytes } from 'node:crypto';
import Koa from 'koa';
import type { Context } from 'koa';
import Router from '@koa/router';
import type { Html } from '../lib/html.ts';
import { newReference } from '../lib/reference_code.ts';
import { admit } from './admission.ts';
import type { RpConfig } from './config.ts';
import type { OidcClient, PendingLogin } from './oidc_client.ts';
import { RpError } from './errors.ts';
import { favicon } from '../lib/http/favicon.ts';
import { readForm } from '../lib/http/form.ts';
import { FormGuard, tokenField } from '../lib/http/form_guard.ts';
import { noStoreForPages, originsOf, secureResponse } from '../lib/http/page_headers.ts';
import { PendingLogins } from './pending_logins.ts';
import { controlRouter } from './control.ts';
import type { PageHelpers, RpFeature } from './feature.ts';
import { rememberEsiaEmail, unreadCount } from './notifications.ts';
import type { ReferenceJournal } from './reference_journal.ts';
import { announceChecks, checksOf } from './home/checks.ts';
import { cabinetNav } from './views/cabinet_nav.ts';
import { findRecord } from './data.ts';
import type { Workspaces } from './workspaces.ts';
import { ControlError } from '../lib/http/control_input.ts';
import { amrOf, ExpiringMap, type RpSession } from './sessions.ts';
import { errorPage } from './views/error.ts';
import { stylesheet, stylesheetPath } from './views/layout.ts';
import { applicationSignedPage, cabinetPage, describeAmr, homePage, loggedOutPage } from './views/pages.ts';

export interface RpDeps {
  /** publicUrl already resolved to the real origin. */
  config: RpConfig;
  /** The register and each feature's data, per run of the stand. */
  workspaces: Workspaces;
  /** The portal's parts (features.ts): their pages, control routes and cabinet tabs. */
  features?: readonly RpFeature[];
  /** OIDC (oidc_client.ts) or ESIA's own protocol (esia/client.ts): the same three calls. */
  esia: Pick<OidcClient, 'beginLogin' | 'finishLogin' | 'logoutUrl'>;
  /** Where each error screen's reference code is journaled: the emulator's audit journal, else a local file (E1). */
  references?: ReferenceJournal;
}

const LOGIN_TTL_MS = 10 * 60_000;
/** The level of an electronic signature (A8): what «Подписать заявление» asks Госуслуги for. */
export const SIGNATURE_ACR = 'urn:esia:acr:signature';
const SESSION_TTL_MS = 8 * 60 * 60_000;

/**
 * Cookies are scoped by host, not by port: two RPs on localhost:4000 and :4001 would overwrite
 * each other's cookies, so each name carries the client id (e.g. rp_sid_fmrm).
 */
export function cookieNames(clientId: string): { login: string; session: string } {
  const suffix = clientId.replace(/[^A-Za-z0-9_-]/g, '_');
  return { login: `rp_login_${suffix}`, session: `rp_sid_${suffix}` };
}

export function createRpApp({ config, workspaces, esia, features = [], references }: RpDeps): Koa {
  const logins = new PendingLogins(LOGIN_TTL_MS);
  const sessions = new ExpiringMap<RpSession>(SESSION_TTL_MS);
  const names = cookieNames(config.clientId);
  const brand = { title: config.title, genitive: config.titleGenitive ?? config.title, subtitle: config.subtitle };
  const log = (entry: Record<string, unknown>) => {
    if (config.log) console.error(JSON.stringify({ t: new Date().toISOString(), rp: config.clientId, ...entry }));
  };

  const setCookie = (ctx: Context, name: string, value: string | null, maxAge?: number) =>
    ctx.cookies.set(name, value, { httpOnly: true, sameSite: 'lax', path: '/', secure: ctx.secure, maxAge });
  const send = (ctx: Context, body: Html, status = 200) => {
    ctx.status = status;
    ctx.type = 'html';
    ctx.set('Cache-Control', 'no-store');
    ctx.body = body.toString();
  };

  // Sessions live in memory, so a key per process: a restart ends both the sessions and their tokens.
  const guard = new FormGuard({ key: randomBytes(32), binding: (ctx) => ctx.cookies.get(names.session) });
  // «Выйти» and «Подписать заявление» redirect to Госуслуги: form-action covers a submission's redirects.
  const formTargets = originsOf([config.idpIssuer, config.esia?.issuer]);

  const router = new Router();
  const tabs = features.flatMap((f) => (f.tab ? [f.tab] : []));
  const helpers: PageHelpers = {
    config,
    brand,
    workspaces,
    cabinet: async (ctx) => {
      const session = sessions.get(ctx.cookies.get(names.session));
      if (!session) return undefined;
      const ws = await workspaces.get(session.run);
      const record = findRecord(ws.data, session.snils);
      return record ? { ws, session, record } : undefined;
    },
    send,
    nav: (cabinet, current) => cabinetNav(tabs, current, unreadCount(cabinet.ws, cabinet.record.snils)),
    log,
  };

  router.get(stylesheetPath, (ctx) => {
    ctx.type = 'text/css';
    ctx.set('Cache-Control', 'public, max-age=3600');
    ctx.body = stylesheet;
  });

  router.get(favicon.path, (ctx) => {
    ctx.type = favicon.type;
    ctx.set('Cache-Control', 'public, max-age=86400');
    ctx.body = favicon.body;
  });

  router.get('/', (ctx) => {
    send(ctx, homePage(brand, sessions.get(ctx.cookies.get(names.session)) !== undefined));
  });

  router.get('/login', async (ctx) => {
    // prompt=login makes the IdP ask again instead of reusing its session: "sign in as someone else".
    const prompt = ctx.query.prompt === 'login' ? 'login' : undefined;
    const { url, pending } = await esia.beginLogin(prompt);
    keepPending(ctx, pending);
    ctx.redirect(url.href);
  });

  /** Each tab's sign-in is kept under its own state, so tabs finished in any order all succeed. */
  const keepPending = (ctx: Context, pending: PendingLogin) =>
    // A session cookie: sign-ins in progress need not outlive the browser (the server forgets them after LOGIN_TTL_MS anyway).
    setCookie(ctx, names.login, logins.add(ctx.cookies.get(names.login), pending));

  router.get('/callback', async (ctx) => {
    const browserId = ctx.cookies.get(names.login);
    const state = typeof ctx.query.state === 'string' ? ctx.query.state : undefined;
    const pending = logins.take(browserId, state); // single use: a replayed callback finds nothing
    if (!pending) {
      // A reload (or «Назад») of a callback that already signed this browser in: nothing to refuse.
      if (logins.completed(browserId, state)) return ctx.redirect('/cabinet');
      const why = !browserId
        ? `no ${names.login} cookie`
        : state === undefined
          ? 'callback without a single state'
          : `state ${state.slice(0, 64)} unknown, expired or already used`;
      throw new RpError('rp.callback_invalid', [], why);
    }
    if (pending.purpose === 'sign') return finishSigning(ctx, pending);
    const { claims, idToken } = await esia.finishLogin(ctx.querystring, pending);
    const ws = await workspaces.forPage(ctx);
    const record = admit(claims, config.requiredTrust, (snils) => findRecord(ws.data, snils));
    record.lastLoginAt = new Date(ws.clock.now()).toISOString();
    rememberEsiaEmail(ws, record.snils, claims.email);
    ws.changed();
    sessions.delete(ctx.cookies.get(names.session)); // a new login never inherits an old session id
    const sid = sessions.add({ run: ws.id, snils: record.snils, idToken, claims, signedInAt: ws.clock.now() });
    setCookie(ctx, names.session, sid);
    logins.complete(browserId, pending.state);
    log({ event: 'login', sub: claims.sub, account: record.accountNumber });
    ctx.redirect('/cabinet');
  });

  router.get('/cabinet', async (ctx) => {
    const cabinet = await helpers.cabinet(ctx);
    if (!cabinet) return ctx.redirect('/');
    const { ws, session, record } = cabinet;
    // Opening the home page is when a check that came within 30 days is announced, once (home/checks.ts).
    announceChecks(ws, record);
    const now = ws.clock.now();
    send(
      ctx,
      cabinetPage(brand, {
        record,
        amr: amrOf(session),
        trust: session.claims.trust_level,
        signedInAt: new Date(session.signedInAt),
        now,
        checks: checksOf(record, now),
        unread: unreadCount(ws, record.snils),
        nav: helpers.nav(cabinet, '/cabinet'),
      }),
    );
  });

  // «Подписать заявление» (A8): a legally significant action. The RP asks Госуслуги for the signature
  // level (acr_values); Госуслуги demands the signature even inside a live password session.
  router.post('/application/sign', async (ctx) => {
    const session = sessions.get(ctx.cookies.get(names.session));
    ctx.status = 303;
    if (!session) return ctx.redirect('/');
    const { url, pending } = await esia.beginLogin(undefined, { acr: SIGNATURE_ACR });
    keepPending(ctx, { ...pending, purpose: 'sign' });
    ctx.redirect(url.href);
  });

  /** The return from a signing request: only an id_token at the signature level, of the same person, signs. */
  async function finishSigning(ctx: Context, pending: PendingLogin): Promise<void> {
    const session = sessions.get(ctx.cookies.get(names.session));
    if (!session) throw new RpError('rp.callback_invalid', [], 'signing callback without a cabinet session');
    let signed: Awaited<ReturnType<typeof esia.finishLogin>>;
    try {
      signed = await esia.finishLogin(ctx.querystring, pending);
    } catch (err) {
      if (err instanceof RpError && err.code === 'rp.login_refused')
        throw new RpError('rp.signature_required', err.facts, err.internal, { cause: err });
      throw err;
    }
    const { claims } = signed;
    const amr = Array.isArray(claims.amr) ? claims.amr.map(String) : [];
    if (claims.acr !== SIGNATURE_ACR || claims.sub !== session.claims.sub) {
      throw new RpError(
        'rp.signature_required',
        [
          { label: 'Способ подтверждения', value: describeAmr(amr), testid: 'signature-amr' },
          { label: 'Уровень (acr)', value: String(claims.acr ?? 'не сообщён'), testid: 'signature-acr' },
        ],
        claims.sub !== session.claims.sub
          ? 'signed by another account than the cabinet session'
          : `acr=${String(claims.acr)}`,
      );
    }
    log({ event: 'application_signed', sub: claims.sub, acr: claims.acr, amr });
    send(
      ctx,
      applicationSignedPage(brand, {
        amr,
        acr: String(claims.acr),
        signedAt: new Date((await workspaces.get(session.run)).clock.now()),
      }),
    );
  }

  // Both logouts are POST: a link or an image on another site cannot sign the user out (SameSite=Lax).
  router.post('/logout', async (ctx) => {
    const session = sessions.take(ctx.cookies.get(names.session));
    setCookie(ctx, names.session, null);
    ctx.status = 303;
    if (!session) return ctx.redirect('/');
    try {
      ctx.redirect((await esia.logoutUrl(session.idToken)).href);
    } catch (err) {
      log({ event: 'sso_logout_failed', error: err instanceof Error ? err.message : String(err) });
      send(ctx, loggedOutPage(brand, true));
    }
  });

  router.post('/logout/local', (ctx) => {
    sessions.delete(ctx.cookies.get(names.session));
    setCookie(ctx, names.session, null);
    ctx.status = 303;
    ctx.redirect('/logged-out');
  });

  router.get('/logged-out', (ctx) => send(ctx, loggedOutPage(brand, false)));

  /**
   * Every POST of the RP is one of its own buttons or forms (sign, logout, a document's upload). Another origin is refused; with
   * a session, its token is required. Without one there is nothing to act on: the routes send the
   * browser home, so a «Выйти» in a tab whose session already ended still works.
   */
  async function refuseForgedForm(ctx: Context): Promise<void> {
    // The RP's buttons send only the token: a body it cannot read came from elsewhere.
    if (ctx.is('application/x-www-form-urlencoded')) {
      await readForm(ctx, 16 * 1024).catch((err: Error) => {
        throw new RpError(
          'rp.form_forged',
          [],
          `${ctx.method} ${ctx.path}: the form could not be read (${err.message})`,
        );
      });
    } else if (ctx.is('multipart/form-data')) {
      // A file form's token rides in its action's query (FormGuard.stamp); the body is the route's to stream.
      ctx.request.body = { [tokenField]: ctx.query[tokenField] };
    }
    const refused = guard.refusal(ctx);
    if (!refused || (refused.reason !== 'foreign_origin' && !ctx.cookies.get(names.session))) return;
    throw new RpError('rp.form_forged', [], `${ctx.method} ${ctx.path}: ${refused.detail}`);
  }

  /** The error screen's record, by the run's clock, with the catalogue's texts (support reads them). */
  async function journalReference(ctx: Context, error: RpError, ref: string): Promise<void> {
    const session = sessions.get(ctx.cookies.get(names.session));
    const ws = session ? await workspaces.get(session.run) : await workspaces.forPage(ctx);
    const e = error.entry;
    await references!.record(
      {
        ref,
        system: config.clientId,
        systemTitle: brand.title,
        code: error.code,
        status: e.status,
        title: e.title,
        message: e.message,
        remedy: e.remedy,
        support: e.support,
        method: ctx.method,
        path: ctx.path,
        at: new Date(ws.clock.now()).toISOString(),
        ip: ctx.ip,
        ...(session ? { snils: session.snils } : {}),
        ...(error.internal ? { detail: error.internal } : {}),
      },
      ws.id,
    );
  }

  const app = new Koa();
  app.use(async function errorBoundary(ctx, next) {
    const started = Date.now();
    secureResponse(ctx, { formTargets });
    try {
      if (ctx.method === 'POST') await refuseForgedForm(ctx);
      await next();
      if (ctx.status === 404 && ctx.body == null) throw new RpError('rp.not_found', [], `${ctx.method} ${ctx.path}`);
    } catch (err) {
      if (err instanceof ControlError) {
        ctx.status = err.status;
        ctx.body = { error: err.code, message: err.message };
        log({ event: 'control_refused', code: err.code, path: ctx.path });
        return;
      }
      const error = err instanceof RpError ? err : new RpError('rp.internal_error', [], undefined, { cause: err });
      const ref = newReference();
      ctx.set('X-Rp-Error', error.code);
      ctx.set('X-Ref-Code', ref);
      // Journaled before the page goes out, so support finds the code as soon as the person reads it out.
      if (references)
        await journalReference(ctx, error, ref).catch((failure: Error) =>
          console.error(`[rp:${config.clientId}] reference ${ref} not journaled: ${failure.message}`),
        );
      send(ctx, errorPage(brand, error, ref), error.entry.status);
      const detail = {
        event: 'error',
        ref,
        code: error.code,
        method: ctx.method,
        path: ctx.path,
        ip: ctx.ip,
        internal: error.internal,
      };
      if (error.code === 'rp.internal_error') console.error(JSON.stringify({ ...detail, rp: config.clientId }), err);
      else log(detail);
    }
    noStoreForPages(ctx);
    if (typeof ctx.body === 'string' && ctx.response.is('html')) ctx.body = guard.stamp(ctx, ctx.body);
    log({ event: 'request', method: ctx.method, path: ctx.path, status: ctx.status, ms: Date.now() - started });
  });
  // What reaches Koa past the boundary is a connection's fault after the answer began, most often a
  // client that broke off its upload: one JSON line instead of Koa's stack on stderr.
  app.on('error', (err: Error & { code?: string }) => {
    const entry = { event: 'connection_error', error: err.message, code: err.code };
    if (/^(HPE_|ECONNRESET|EPIPE|ERR_STREAM_PREMATURE_CLOSE)/.test(err.code ?? '')) log(entry);
    else console.error(JSON.stringify({ t: new Date().toISOString(), rp: config.clientId, ...entry }));
  });
  for (const feature of features) feature.routes?.(router, helpers);
  app.use(router.routes());
  if (config.control)
    app.use(
      controlRouter(
        workspaces,
        features.flatMap((f) => (f.controls ? [f.controls] : [])),
      ).routes(),
    );
  return app;
}
