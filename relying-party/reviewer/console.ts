/*
 * The reviewer console (/reviewer): the people behind the relying party's screens, who accept or
 * reject a document, mark an event as completed. Its own role, apart from the cabinet: reviewers sign
 * in with a login and password from fixtures/reviewers.json (never through Госуслуги), have their own
 * session cookie (path /reviewer, SameSite=Strict) and their own token on every console form; a
 * cabinet session never opens it. Like the emulator's support console it answers only this machine
 * unless reviewerLoopbackOnly is off, and five wrong passwords in a row lock a login for 15 minutes
 * by the run's clock. The console acts on the run of the reviewer's browser at sign-in (esia_run).
 *
 * The console is a frame other features add sections to:
 *
 *   const section: ReviewerSection = {
 *     path: '/events',                       // under /reviewer, shown in the console's nav
 *     title: 'Мероприятия: отметить завершение',
 *     mount(router, h) {                     // router is prefixed with /reviewer
 *       router.get('/events', async (ctx) => {
 *         const who = await h.reviewer(ctx); // undefined: the browser was sent to sign in
 *         if (!who) return;
 *         h.send(ctx, who, { section: '/events', screen: 'reviewer-events', title: '…', body: html`…` });
 *       });
 *       router.post('/events/:id/complete', async (ctx) => {
 *         const who = await h.reviewer(ctx); // on a POST the console's form token is already checked
 *         if (!who) return;
 *         … who.ws (the run), who.login, who.name, h.field(ctx, 'comment') …
 *         h.flash(who, 'Отмечено'); ctx.status = 303; ctx.redirect('/reviewer/events');
 *       });
 *     },
 *   };
 *   features: reviewerConsole(config, [section, …])   (relying-party/features.ts)
 *
 * Every console form carries h.tokenField(who) (a hidden `csrf` field).
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import Router from '@koa/router';
import type { Context } from 'koa';
import type { Html } from '../../lib/html.ts';
import { isLoopback } from '../../lib/http/loopback.ts';
import { moscowTime } from '../../lib/moscow_time.ts';
import { hashPassword, verifyPassword } from '../../lib/password_hash.ts';
import type { RpConfig } from '../config.ts';
import { RpError } from '../errors.ts';
import type { PageHelpers, RpFeature } from '../feature.ts';
import type { Brand } from '../views/layout.ts';
import type { Workspace } from '../workspaces.ts';
import { defaultReviewersFile, readReviewers } from './accounts.ts';
import { consolePage, reviewerHomeBody, reviewerLoginPage, tokenInput } from './views.ts';

/** The signed-in reviewer and the run they act on. */
export interface ReviewerSignedIn {
  login: string;
  name: string;
  ws: Workspace;
  csrf: string;
}

export interface ReviewerHelpers {
  brand: Brand;
  /** The signed-in reviewer, or undefined once the browser was sent to sign in. A POST's console token is checked here. */
  reviewer(ctx: Context): Promise<ReviewerSignedIn | undefined>;
  /** A page inside the console's frame (nav of sections, who is signed in, «Выйти»). */
  send(
    ctx: Context,
    who: ReviewerSignedIn,
    view: { section?: string; screen: string; title: string; body: Html },
    status?: number,
  ): void;
  /** The hidden field every console form carries. */
  tokenField(who: ReviewerSignedIn): Html;
  /** One field of the posted form, '' when absent (a repeated field counts as absent). */
  field(ctx: Context, name: string): string;
  /** A line shown once on the reviewer's next console page (after a redirect). */
  flash(who: ReviewerSignedIn, text: string): void;
  log(entry: Record<string, unknown>): void;
}

export interface ReviewerSection {
  /** Path under /reviewer, e.g. '/documents'. */
  path: string;
  /** The section's name in the console's nav. */
  title: string;
  mount(router: Router, h: ReviewerHelpers): void;
}

interface ConsoleSession {
  login: string;
  name: string;
  run: string;
  csrf: string;
  lastSeen: number;
  flash?: string;
}

const idleMs = 30 * 60_000;
const maxSessions = 500;
const lockLimit = 5;
const lockMs = 15 * 60_000;

export function reviewerConsole(config: RpConfig, sections: readonly ReviewerSection[]): RpFeature {
  const reviewers = readReviewers(config.reviewersFile ?? defaultReviewersFile);
  const sessions = new Map<string, ConsoleSession>();
  /** Wrong passwords in a row per run and login; the run's reset forgets its own. */
  const failures = new Map<string, { count: number; lockedAt?: number }>();
  const cookie = `rp_reviewer_${config.clientId.replace(/[^A-Za-z0-9_-]/g, '_')}`;
  const loginCookie = `${cookie}_login`;
  const dummyHash = hashPassword('no-such-reviewer', 1024);
  const nav = sections.map(({ path, title }) => ({ path, title }));

  const field = (ctx: Context, name: string): string => {
    const value = ((ctx.request.body ?? {}) as Record<string, unknown>)[name];
    return typeof value === 'string' ? value : '';
  };
  const setCookie = (ctx: Context, value: string | null) =>
    ctx.cookies.set(cookie, value, { httpOnly: true, sameSite: 'strict', path: '/reviewer', secure: ctx.secure });

  const sessionOf = (ctx: Context): ConsoleSession | undefined => {
    const id = ctx.cookies.get(cookie);
    const session = id ? sessions.get(id) : undefined;
    if (!session || !id) return undefined;
    if (Date.now() - session.lastSeen > idleMs) {
      sessions.delete(id);
      return undefined;
    }
    session.lastSeen = Date.now();
    return session;
  };

  return {
    name: 'reviewer',
    onReset: async (ws) => {
      for (const key of failures.keys()) if (key.startsWith(`${ws.id}:`)) failures.delete(key);
    },
    routes(app: Router, page: PageHelpers) {
      const router = new Router({ prefix: '/reviewer' });
      const h: ReviewerHelpers = {
        brand: page.brand,
        field,
        log: page.log,
        tokenField: (who) => tokenInput(who.csrf),
        flash(who, text) {
          for (const s of sessions.values()) if (s.csrf === who.csrf) s.flash = text;
        },
        async reviewer(ctx) {
          const session = sessionOf(ctx);
          if (!session) {
            ctx.status = 303;
            ctx.redirect('/reviewer');
            return undefined;
          }
          if (ctx.method === 'POST' && !same(field(ctx, 'csrf'), session.csrf))
            throw new RpError('rp.form_forged', [], `${ctx.path}: the console form's csrf field is not this session's`);
          return {
            login: session.login,
            name: session.name,
            csrf: session.csrf,
            ws: await page.workspaces.get(session.run),
          };
        },
        send(ctx, who, view, status = 200) {
          const session = sessionOf(ctx);
          const flash = session?.flash;
          if (session) session.flash = undefined;
          page.send(
            ctx,
            consolePage(
              page.brand,
              { reviewer: who, sections: nav, current: view.section, csrf: who.csrf, flash },
              view,
            ),
            status,
          );
        },
      };
      router.use(async (ctx, next) => {
        if ((config.reviewerLoopbackOnly ?? true) && !isLoopback(ctx.req.socket.remoteAddress))
          throw new RpError('rp.reviewer_forbidden', [], `${ctx.ip}: the reviewer console answers only this machine`);
        ctx.set('X-Frame-Options', 'DENY');
        await next();
      });

      /**
       * The sign-in form's token before there is a session: a random value in a SameSite=Strict cookie
       * and in the form, compared on POST, so a page elsewhere cannot sign this browser in as its reviewer.
       */
      const loginToken = (ctx: Context): string => {
        const kept = ctx.cookies.get(loginCookie);
        if (kept) return kept;
        const made = randomBytes(18).toString('base64url');
        ctx.cookies.set(loginCookie, made, {
          httpOnly: true,
          sameSite: 'strict',
          path: '/reviewer',
          secure: ctx.secure,
        });
        return made;
      };
      const loginPage = (ctx: Context, view: { login?: string; failure?: string }, status = 200) =>
        page.send(ctx, reviewerLoginPage(page.brand, { ...view, csrf: loginToken(ctx) }), status);

      router.get('/', async (ctx) => {
        const who = sessionOf(ctx) && (await h.reviewer(ctx));
        if (!who) return loginPage(ctx, {});
        h.send(ctx, who, { screen: 'reviewer-home', title: 'Консоль проверяющего', body: reviewerHomeBody(nav) });
      });

      router.post('/login', async (ctx) => {
        const login = field(ctx, 'login').trim().toLowerCase();
        const password = field(ctx, 'password');
        const ws = await page.workspaces.forPage(ctx);
        const sent = ctx.cookies.get(loginCookie);
        if (!sent || !same(field(ctx, 'csrf'), sent))
          throw new RpError(
            'rp.form_forged',
            [],
            "/reviewer/login: the csrf field is not this browser's sign-in token",
          );
        const refuse = (failure: string) => loginPage(ctx, { login, failure }, 401);
        const reviewer = reviewers.get(login);
        const key = `${ws.id}:${login}`;
        const state = failures.get(key) ?? { count: 0 };
        const now = ws.clock.now();
        if (state.lockedAt !== undefined && now >= state.lockedAt + lockMs) state.count = 0;
        if (state.lockedAt !== undefined && now < state.lockedAt + lockMs)
          return refuse(
            `Вход заблокирован до ${moscowTime(state.lockedAt + lockMs)} после ${lockLimit} неверных паролей подряд. Подождите или попросите другого проверяющего.`,
          );
        // An unknown login costs the same scrypt as a known one, so timing does not tell them apart.
        const ok = await verifyPassword(password, reviewer?.passwordHash ?? (await dummyHash));
        if (!reviewer || !ok) {
          state.count += 1;
          delete state.lockedAt;
          if (state.count >= lockLimit) state.lockedAt = now;
          failures.set(key, state);
          page.log({ event: 'reviewer_sign_in_refused', login, failures: state.count });
          return refuse(
            state.lockedAt !== undefined
              ? `Неверный логин или пароль. После ${lockLimit} ошибок подряд вход заблокирован до ${moscowTime(now + lockMs)}.`
              : `Неверный логин или пароль. Осталось попыток до блокировки: ${lockLimit - state.count}.`,
          );
        }
        failures.delete(key);
        if (sessions.size >= maxSessions) sessions.delete(sessions.keys().next().value as string);
        const id = randomBytes(24).toString('base64url');
        sessions.set(id, {
          login,
          name: reviewer.name,
          run: ws.id,
          csrf: randomBytes(24).toString('base64url'),
          lastSeen: Date.now(),
        });
        setCookie(ctx, id);
        page.log({ event: 'reviewer_signed_in', login, run: ws.id });
        ctx.status = 303;
        ctx.redirect('/reviewer');
      });

      router.post('/logout', async (ctx) => {
        const who = await h.reviewer(ctx);
        if (!who) return;
        const id = ctx.cookies.get(cookie);
        if (id) sessions.delete(id);
        setCookie(ctx, null);
        ctx.status = 303;
        ctx.redirect('/reviewer');
      });

      for (const section of sections) section.mount(router, h);
      app.use(router.routes());
    },
  };
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
