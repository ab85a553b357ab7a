/*
 * The support console (/support, E1, E2, F3): operators sign in with their own accounts, find a user,
 * see the account's state, factors, notes and recent events, act on it within their role, and read
 * the whole story of an attempt from the reference code on an error screen. Every request is
 * journaled as `support.<action>` with the operator's login and role; the role is checked on the
 * server before anything else, then the form's CSRF token. The console acts on one run: the run of
 * the operator's browser at sign-in (the `esia_run` cookie, so a trainer's isolated run), or the new
 * run a trainer starts from the console.
 */
import Router from '@koa/router';
import type { Context } from 'koa';
import { html } from '../../lib/html.ts';
import { isLoopback } from '../../lib/http/loopback.ts';
import { hashPassword, verifyPassword } from '../adapters/password_hash.ts';
import type { Account } from '../domain/account.ts';
import type { ErrorCode } from '../errors/catalogue.ts';
import { EsiaError } from '../errors/esia_error.ts';
import { field, formOnly } from '../forms.ts';
import { normaliseReference } from '../errors/reference.ts';
import { isInForce } from '../domain/outage.ts';
import { type Run, runCookie } from '../runs.ts';
import type { Services } from '../services.ts';
import type { Failure } from '../views/failure.ts';
import { expireLock, isLocked, lockedUntil, registerFailure, registerSuccess } from '../domain/lockout.ts';
import { may, readOperators, type Operator, type SupportAction } from './operators.ts';
import { readFmrmRegister, searchAccounts } from './search.ts';
import { type ConsoleSession, ConsoleSessions, csrfMatches, supportCookie } from './sessions.ts';
import { mountAccountRoutes } from './console_accounts.ts';
import { mountCertificateRoutes } from './console_certificates.ts';
import { mountOutageRoutes } from './console_outage.ts';
import { type ConsoleParts, userOf } from './console_parts.ts';
import { homePage, loginPage, type OutageView, refPage, searchKinds, type SearchKind } from './views.ts';
import { formFailure } from '../errors/boundary.ts';

/** An operator's wrong passwords in a row before the console refuses them for `operatorLockMs` (run clock). */
const operatorLockMs = 15 * 60 * 1000;

export interface SupportOptions {
  /** The emulator's cookie keys (keys/local): they sign the console's session cookie. */
  cookieKeys: string[];
}

export async function supportRoutes(s: Services, options: SupportOptions): Promise<Router> {
  const operators = await readOperators(s.config.operatorsFile);
  const sessions = new ConsoleSessions(options.cookieKeys, s.records);
  const dummyHash = await hashPassword('no-such-operator', s.config.scryptN);
  const form = formOnly(s, 'support.csrf');
  const router = new Router({ prefix: '/support' });

  router.use(async function supportFrame(ctx, next) {
    ctx.set('Cache-Control', 'no-store');
    ctx.set('X-Frame-Options', 'DENY');
    ctx.state.audit.action = `support ${ctx.method} ${ctx.path}`;
    if (s.config.supportLoopbackOnly && !isLoopback(ctx.req.socket.remoteAddress)) {
      throw new EsiaError('support.forbidden', {
        reason:
          'the console answers only this machine (supportLoopbackOnly, ESIA_SUPPORT_LOOPBACK_ONLY=off to open it)',
      });
    }
    await next();
    // What the request changed in the operator's session (last seen, a message for the next page) is kept.
    const session = ctx.state.consoleSession as ConsoleSession | undefined;
    if (session) await sessions.save(session);
  });

  /** The signed-in operator's session with its run, or undefined (cookie missing, forged, idle, run gone). */
  const sessionOf = async (ctx: Context): Promise<{ session: ConsoleSession; run: Run } | undefined> => {
    const session = await sessions.fromCookie(ctx.cookies.get(supportCookie, { signed: false }));
    if (!session) return undefined;
    const run = s.runs.get(session.run);
    if (!run) {
      await sessions.end(session.id);
      return undefined;
    }
    ctx.state.run = run;
    ctx.state.consoleSession = session;
    Object.assign(ctx.state.audit, { operator: session.login, role: session.role });
    return { session, run };
  };

  /** The session allowed to do `action`: no session → the sign-in page; a role without it → 403 page; a POST without the form's token → 403. */
  const allow = async (
    ctx: Context,
    action: SupportAction,
  ): Promise<{ session: ConsoleSession; run: Run } | undefined> => {
    ctx.state.audit.action = `support.${action}`;
    const current = await sessionOf(ctx);
    if (!current) {
      ctx.status = 303;
      ctx.redirect('/support');
      return undefined;
    }
    const { session } = current;
    if (!may(session.role, action))
      throw new EsiaError('support.forbidden', { operator: session.login, role: session.role, action });
    if (ctx.method === 'POST' && !csrfMatches(session, field(ctx, 'csrf'))) {
      throw new EsiaError('support.csrf', {
        operator: session.login,
        action,
        expected: 'the csrf field of a console form',
      });
    }
    return current;
  };

  const accountOf = (run: Run, key: string): Account => {
    const account = run.accounts.byOid(key) ?? run.accounts.byPersona(key);
    if (!account) throw new EsiaError('http.not_found', { account: key, run: run.id });
    return account;
  };

  const render = (ctx: Context, page: { value: string }) => {
    ctx.type = 'html';
    ctx.body = page.value;
  };

  // A refusal shown inside the console's form (the lines, if any, are the caller's).
  const refusal = (ctx: Context, code: ErrorCode, details: Record<string, unknown>): Failure =>
    formFailure(ctx, new EsiaError(code, details), []);

  const outageOf = (run: Run, refused?: Pick<OutageView, 'failure' | 'form'>): OutageView => ({
    state: run.outage,
    inForce: isInForce(run.outage, run.clock.now()),
    ...refused,
  });
  const consoleParts: ConsoleParts = { s, form, allow, accountOf, render, refusal, outageOf };

  router.get('/', async (ctx) => {
    const current = await sessionOf(ctx);
    if (!current) return render(ctx, loginPage({}));
    ctx.state.audit.action = 'support.home';
    const flash = current.session.flash;
    current.session.flash = undefined;
    render(
      ctx,
      homePage(userOf(current.session), {
        notice:
          flash?.kind === 'notice'
            ? html`<div class="alert info" data-testid="support-notice">${flash.text}</div>`
            : undefined,
        outage: outageOf(current.run),
      }),
    );
  });

  router.post('/login', form, async (ctx) => {
    ctx.state.audit.action = 'support.sign_in';
    const login = field(ctx, 'login').trim().toLowerCase();
    const password = field(ctx, 'password');
    const run = s.runs.get(ctx.cookies.get(runCookie, { signed: false }) || undefined) ?? s.runs.main;
    ctx.state.run = run;
    const operator: Operator | undefined = operators.get(login);
    if (!operator) {
      await verifyPassword(password, dummyHash);
      return render(ctx, loginPage({ login, failure: refusal(ctx, 'support.invalid_credentials', { login }) }));
    }
    Object.assign(ctx.state.audit, { operator: operator.login, role: operator.role });
    // One attempt at a time per operator, as for accounts: a lock set by a wrong password in flight
    // is seen by every attempt after it, and a right password cannot lift it.
    const signedIn = await s.mutex.run(`operator:${run.id}:${login}`, async () => {
      const now = run.clock.now();
      const state = run.operatorLockouts.get(login) ?? { failedAttempts: 0, lockedAt: null };
      run.operatorLockouts.set(login, state);
      expireLock(state, now, operatorLockMs);
      const until = () => new Date(lockedUntil(state, operatorLockMs)).toISOString();
      if (isLocked(state, now, operatorLockMs)) {
        render(ctx, loginPage({ login, failure: refusal(ctx, 'support.operator_locked', { lockedUntil: until() }) }));
        return false;
      }
      if (!(await verifyPassword(password, operator.passwordHash))) {
        if (registerFailure(state, now, s.config.lockoutLimit)) {
          render(
            ctx,
            loginPage({
              login,
              failure: refusal(ctx, 'support.operator_locked', {
                expected: `fewer than ${s.config.lockoutLimit} wrong passwords`,
                lockedUntil: until(),
              }),
            }),
          );
        } else {
          render(
            ctx,
            loginPage({
              login,
              failure: refusal(ctx, 'support.invalid_credentials', { login, failedAttempts: state.failedAttempts }),
            }),
          );
        }
        return false;
      }
      registerSuccess(state);
      return true;
    });
    if (!signedIn) return;
    const { cookie } = await sessions.create({
      login: operator.login,
      name: operator.name,
      role: operator.role,
      run: run.id,
    });
    ctx.cookies.set(supportCookie, cookie, {
      path: '/support',
      httpOnly: true,
      sameSite: 'strict',
      signed: false,
      overwrite: true,
    });
    ctx.state.audit.details = { run: run.id };
    ctx.status = 303;
    ctx.redirect('/support');
  });

  router.post('/logout', form, async (ctx) => {
    ctx.state.audit.action = 'support.sign_out';
    const current = await sessionOf(ctx);
    if (current && csrfMatches(current.session, field(ctx, 'csrf'))) await sessions.end(current.session.id);
    else if (current) throw new EsiaError('support.csrf', { operator: current.session.login, action: 'sign_out' });
    ctx.cookies.set(supportCookie, '', {
      path: '/support',
      httpOnly: true,
      sameSite: 'strict',
      signed: false,
      overwrite: true,
      maxAge: 0,
    });
    ctx.status = 303;
    ctx.redirect('/support');
  });

  router.get('/search', async (ctx) => {
    const current = await allow(ctx, 'search');
    if (!current) return;
    const query = typeof ctx.query.q === 'string' ? ctx.query.q : '';
    const kind = (
      typeof ctx.query.kind === 'string' && ctx.query.kind in searchKinds ? ctx.query.kind : 'auto'
    ) as SearchKind;
    const results = searchAccounts(
      current.run.accounts,
      await readFmrmRegister(s.config.fmrmRegisterFile),
      query,
      kind,
    );
    ctx.state.audit.details = { kind, found: results.length };
    render(ctx, homePage(userOf(current.session), { query, kind, results, outage: outageOf(current.run) }));
  });

  mountAccountRoutes(router, consoleParts);
  mountCertificateRoutes(router, consoleParts);
  mountOutageRoutes(router, consoleParts);

  router.get('/ref', async (ctx) => {
    const current = await allow(ctx, 'lookup_ref');
    if (!current) return;
    // Read as the person typed it back: any case, spaces, no dash, Cyrillic look-alikes.
    const typed = (typeof ctx.query.code === 'string' ? ctx.query.code : '').trim();
    const code = normaliseReference(typed);
    const found = code ? await s.journal.findByRef(code) : null;
    ctx.state.audit.details = { lookedUp: typed, ...(code && code !== typed ? { readAs: code } : {}), found: !!found };
    if (!found) ctx.status = 404;
    const account = found?.record.account ? s.runs.accountByOid(found.record.account)?.account : undefined;
    render(
      ctx,
      refPage(userOf(current.session), {
        code: code ?? typed,
        wellFormed: !!code,
        found,
        ...(account ? { account } : {}),
      }),
    );
  });

  router.post('/runs', form, async (ctx) => {
    const current = await allow(ctx, 'start_run');
    if (!current) return;
    const run = await s.runs.create(await s.baseline());
    current.session.run = run.id;
    ctx.state.audit.details = { created: run.id };
    const enter = s.config.controlEnabled
      ? ` Чтобы войти в этот прогон браузером, откройте /__control/runs/${run.id}/enter.`
      : '';
    current.session.flash = {
      kind: 'notice',
      text: `Создан отдельный прогон ${run.id}: консоль работает в нём.${enter} Сценарии воспроизводятся из галереи (/trainer).`,
    };
    ctx.status = 303;
    ctx.redirect('/support');
  });

  return router;
}
