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
import { addNote, generateTemporarySecret, patchAccountState, setTemporaryPassword, unlock, type TemporaryKind } from '../domain/account_admin.ts';
import type { ErrorCode } from '../errors/catalogue.ts';
import { EsiaError } from '../errors/esia_error.ts';
import { field, formOnly } from '../forms.ts';
import { normaliseReference } from '../errors/reference.ts';
import { isInForce, moscowTime } from '../domain/outage.ts';
import { mainRun, type Run, runCookie } from '../runs.ts';
import type { Services } from '../services.ts';
import type { Failure } from '../views/failure.ts';
import { expireLock, isLocked, lockedUntil, registerFailure, registerSuccess } from '../domain/lockout.ts';
import { may, readOperators, type Operator, type SupportAction } from './operators.ts';
import { readFmrmRegister, searchAccounts } from './search.ts';
import { type ConsoleSession, ConsoleSessions, csrfMatches, supportCookie } from './sessions.ts';
import { mountCertificateRoutes } from './console_certificates.ts';
import { mountOutageRoutes } from './console_outage.ts';
import { type ConsoleParts, userOf } from './console_parts.ts';
import { accountPage, homePage, loginPage, type OutageView, refPage, searchKinds, type SearchKind } from './views.ts';
import { InputError } from '../../lib/errors.ts';
import { formFailure } from '../errors/boundary.ts';

/** An operator's wrong passwords in a row before the console refuses them for `operatorLockMs` (run clock). */
const operatorLockMs = 15 * 60 * 1000;


const verbs: Record<string, SupportAction> = {
  unlock: 'unlock',
  'temporary-code': 'temporary_code',
  'reset-password': 'reset_password',
  note: 'note',
  state: 'edit_state',
};

export interface SupportOptions {
  /** The emulator's cookie keys (keys/local): they sign the console's session cookie. */
  cookieKeys: string[];
}

export async function supportRoutes(s: Services, options: SupportOptions): Promise<Router> {
  const operators = await readOperators(s.config.operatorsFile);
  const sessions = new ConsoleSessions(options.cookieKeys);
  const dummyHash = await hashPassword('no-such-operator', s.config.scryptN);
  const form = formOnly(s, 'support.csrf');
  const router = new Router({ prefix: '/support' });

  router.use(async function supportFrame(ctx, next) {
    ctx.set('Cache-Control', 'no-store');
    ctx.set('X-Frame-Options', 'DENY');
    ctx.state.audit.action = `support ${ctx.method} ${ctx.path}`;
    if (s.config.supportLoopbackOnly && !isLoopback(ctx.req.socket.remoteAddress)) {
      throw new EsiaError('support.forbidden', { reason: 'the console answers only this machine (supportLoopbackOnly, ESIA_SUPPORT_LOOPBACK_ONLY=off to open it)' });
    }
    await next();
  });

  /** The signed-in operator's session with its run, or undefined (cookie missing, forged, idle, run gone). */
  const sessionOf = (ctx: Context): { session: ConsoleSession; run: Run } | undefined => {
    const session = sessions.fromCookie(ctx.cookies.get(supportCookie, { signed: false }));
    if (!session) return undefined;
    const run = s.runs.get(session.run);
    if (!run) {
      sessions.end(session.id);
      return undefined;
    }
    ctx.state.run = run;
    Object.assign(ctx.state.audit, { operator: session.login, role: session.role });
    return { session, run };
  };

  /** The session allowed to do `action`: no session → the sign-in page; a role without it → 403 page; a POST without the form's token → 403. */
  const allow = (ctx: Context, action: SupportAction): { session: ConsoleSession; run: Run } | undefined => {
    ctx.state.audit.action = `support.${action}`;
    const current = sessionOf(ctx);
    if (!current) {
      ctx.status = 303;
      ctx.redirect('/support');
      return undefined;
    }
    const { session } = current;
    if (!may(session.role, action)) throw new EsiaError('support.forbidden', { operator: session.login, role: session.role, action });
    if (ctx.method === 'POST' && !csrfMatches(session, field(ctx, 'csrf'))) {
      throw new EsiaError('support.csrf', { operator: session.login, action, expected: 'the csrf field of a console form' });
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
  const refusal = (ctx: Context, code: ErrorCode, details: Record<string, unknown>): Failure => formFailure(ctx, new EsiaError(code, details), []);

  const outageOf = (run: Run, refused?: Pick<OutageView, 'failure' | 'form'>): OutageView => ({ state: run.outage, inForce: isInForce(run.outage, run.clock.now()), ...refused });
  const consoleParts: ConsoleParts = { s, form, allow, accountOf, render, refusal, outageOf };

  router.get('/', (ctx) => {
    const current = sessionOf(ctx);
    if (!current) return render(ctx, loginPage({}));
    ctx.state.audit.action = 'support.home';
    const flash = current.session.flash;
    current.session.flash = undefined;
    render(
      ctx,
      homePage(userOf(current.session), {
        notice: flash?.kind === 'notice' ? html`<div class="alert info" data-testid="support-notice">${flash.text}</div>` : undefined,
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
          render(ctx, loginPage({ login, failure: refusal(ctx, 'support.operator_locked', { expected: `fewer than ${s.config.lockoutLimit} wrong passwords`, lockedUntil: until() }) }));
        } else {
          render(ctx, loginPage({ login, failure: refusal(ctx, 'support.invalid_credentials', { login, failedAttempts: state.failedAttempts }) }));
        }
        return false;
      }
      registerSuccess(state);
      return true;
    });
    if (!signedIn) return;
    const { cookie } = sessions.create({ login: operator.login, name: operator.name, role: operator.role, run: run.id });
    ctx.cookies.set(supportCookie, cookie, { path: '/support', httpOnly: true, sameSite: 'strict', signed: false, overwrite: true });
    ctx.state.audit.details = { run: run.id };
    ctx.status = 303;
    ctx.redirect('/support');
  });

  router.post('/logout', form, (ctx) => {
    ctx.state.audit.action = 'support.sign_out';
    const current = sessionOf(ctx);
    if (current && csrfMatches(current.session, field(ctx, 'csrf'))) sessions.end(current.session.id);
    else if (current) throw new EsiaError('support.csrf', { operator: current.session.login, action: 'sign_out' });
    ctx.cookies.set(supportCookie, '', { path: '/support', httpOnly: true, sameSite: 'strict', signed: false, overwrite: true, maxAge: 0 });
    ctx.status = 303;
    ctx.redirect('/support');
  });

  router.get('/search', async (ctx) => {
    const current = allow(ctx, 'search');
    if (!current) return;
    const query = typeof ctx.query.q === 'string' ? ctx.query.q : '';
    const kind = (typeof ctx.query.kind === 'string' && ctx.query.kind in searchKinds ? ctx.query.kind : 'auto') as SearchKind;
    const results = searchAccounts(current.run.accounts, await readFmrmRegister(s.config.fmrmRegisterFile), query, kind);
    ctx.state.audit.details = { kind, found: results.length };
    render(ctx, homePage(userOf(current.session), { query, kind, results, outage: outageOf(current.run) }));
  });

  router.get('/accounts/:key', async (ctx) => {
    const current = allow(ctx, 'view');
    if (!current) return;
    const { session, run } = current;
    const account = accountOf(run, String(ctx.params.key));
    ctx.state.audit.account = account.oid;
    const flash = session.flash;
    session.flash = undefined;
    const register = await readFmrmRegister(s.config.fmrmRegisterFile);
    const fmrm = register.get(account.snils.replace(/\D/g, ''));
    const records = await s.journal.recentForAccount(account.oid, 60);
    const attempts = records.filter((r) => (r.run ?? mainRun) === run.id && r.action !== 'support.view').slice(0, 20);
    const now = run.clock.now();
    const certificates = [...s.pki.certificates, ...run.issuedCertificates]
      .filter((c) => c.kind === 'person' && c.persona === account.persona)
      .map((c) => {
        const revoked = s.pki.revocationOf(c.serial, run.revocations);
        const validity = now > Date.parse(c.notAfter) ? 'expired' : now < Date.parse(c.notBefore) ? 'not-yet-valid' : 'valid';
        return { serial: c.serial, variant: c.variant ?? '', subject: c.subject, issuer: c.issuer, notBefore: c.notBefore, notAfter: c.notAfter, validity, revoked: revoked ? { at: new Date(revoked.revokedAt).toISOString(), reason: revoked.reason } : null } as const;
      });
    render(
      ctx,
      accountPage(userOf(session), {
        account,
        certificates,
        now: run.clock.now(),
        passwordMaxAgeDays: s.config.passwordMaxAgeDays,
        attempts,
        ...(fmrm ? { fmrm } : {}),
        ...(flash?.kind === 'secret' && flash.oid === account.oid ? { secret: { value: flash.value, kind: flash.secretKind, expiresAt: flash.expiresAt } } : {}),
        ...(flash?.kind === 'notice' ? { notice: html`<div class="alert info" data-testid="support-notice">${flash.text}</div>` } : {}),
      }),
    );
  });

  router.post('/accounts/:key/:verb', form, async (ctx) => {
    const action = verbs[String(ctx.params.verb)];
    if (!action) throw new EsiaError('http.not_found', { path: ctx.path });
    const current = allow(ctx, action);
    if (!current) return;
    const { session, run } = current;
    const account = accountOf(run, String(ctx.params.key));
    ctx.state.audit.account = account.oid;
    const now = run.clock.now();
    const back = () => {
      ctx.status = 303;
      ctx.redirect(`/support/accounts/${account.oid}`);
    };
    try {
      await s.mutex.run(account.oid, async () => {
        if (action === 'unlock') {
          const wasLocked = account.lockedAt !== null;
          unlock(account);
          ctx.state.audit.details = { wasLocked };
          session.flash = { kind: 'notice', text: wasLocked ? 'Блокировка снята. Пользователь может войти со своим паролем.' : 'Запись не была заблокирована; счётчик неверных паролей обнулён.' };
        } else if (action === 'temporary_code' || action === 'reset_password') {
          const kind: TemporaryKind = action === 'temporary_code' ? 'code' : 'reset';
          const secret = generateTemporarySecret(kind);
          const { expiresAt } = setTemporaryPassword(account, await hashPassword(secret, s.config.scryptN), kind, now, s.config.passwordHistory);
          if (kind === 'reset') {
            run.outbox.send('email', account.email, `Пароль для входа на Госуслуги сброшен службой поддержки. Временный пароль: ${secret}. Он действует до ${moscowTime(expiresAt)}; при входе придумайте новый пароль. Если вы не обращались в поддержку — сообщите нам.`, secret);
          }
          ctx.state.audit.details = { kind, expiresAt, ...(kind === 'reset' ? { emailedTo: account.email } : {}) };
          session.flash = { kind: 'secret', value: secret, secretKind: kind, expiresAt, oid: account.oid };
        } else if (action === 'note') {
          addNote(account, { at: new Date(now).toISOString(), by: session.login, text: field(ctx, 'text') });
          ctx.state.audit.details = { length: field(ctx, 'text').trim().length };
          session.flash = { kind: 'notice', text: 'Заметка добавлена.' };
        } else if (action === 'edit_state') {
          const patch: Record<string, unknown> = {};
          for (const key of ['status', 'trust']) if (field(ctx, key)) patch[key] = field(ctx, key);
          for (const key of ['phoneConfirmed', 'emailConfirmed']) if (field(ctx, key)) patch[key] = field(ctx, key) === 'true' ? true : field(ctx, key) === 'false' ? false : field(ctx, key);
          ctx.state.audit.details = { changed: patchAccountState(account, patch) };
          session.flash = { kind: 'notice', text: 'Состояние записи сохранено.' };
        }
        run.accounts.changed();
      });
    } catch (error) {
      if (error instanceof InputError) throw new EsiaError('support.bad_input', { operator: session.login, action, problem: error.message });
      throw error;
    }
    back();
  });

  mountCertificateRoutes(router, consoleParts);
  mountOutageRoutes(router, consoleParts);

  router.get('/ref', async (ctx) => {
    const current = allow(ctx, 'lookup_ref');
    if (!current) return;
    // Read as the person typed it back: any case, spaces, no dash, Cyrillic look-alikes.
    const typed = (typeof ctx.query.code === 'string' ? ctx.query.code : '').trim();
    const code = normaliseReference(typed);
    const found = code ? await s.journal.findByRef(code) : null;
    ctx.state.audit.details = { lookedUp: typed, ...(code && code !== typed ? { readAs: code } : {}), found: !!found };
    if (!found) ctx.status = 404;
    const account = found?.record.account ? s.runs.accountByOid(found.record.account)?.account : undefined;
    render(ctx, refPage(userOf(current.session), { code: code ?? typed, wellFormed: !!code, found, ...(account ? { account } : {}) }));
  });

  router.post('/runs', form, async (ctx) => {
    const current = allow(ctx, 'start_run');
    if (!current) return;
    const run = s.runs.create(await s.baseline());
    current.session.run = run.id;
    ctx.state.audit.details = { created: run.id };
    const enter = s.config.controlEnabled ? ` Чтобы войти в этот прогон браузером, откройте /__control/runs/${run.id}/enter.` : '';
    current.session.flash = { kind: 'notice', text: `Создан отдельный прогон ${run.id}: консоль работает в нём.${enter} Сценарии воспроизводятся из галереи (/trainer).` };
    ctx.status = 303;
    ctx.redirect('/support');
  });

  return router;
}

