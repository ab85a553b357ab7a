/*
 * The control API for tests, CI and trainers: everything a scenario arranges or observes goes
 * through here, never through internals. Loopback-only, always; absent when disabled.
 */
import { bodyParser } from '@koa/bodyparser';
import Router from '@koa/router';
import type { Context, Next } from 'koa';
import { isLoopback } from '../../lib/http/loopback.ts';
import { faultKinds } from '../adapters/faults.ts';
import type { Channel } from '../adapters/outbox.ts';
import { maskPhone } from '../domain/account.ts';
import { normalisePhone } from '../domain/identifiers.ts';
import { normaliseReference, referenceAlphabet } from '../errors/reference.ts';
import { patchAccountState, unlock } from '../domain/account_admin.ts';
import { certificateControlRoutes, certificateEndpoints } from '../pki/control.ts';
import { mainRun, type Run, runCookie } from '../runs.ts';
import type { Services } from '../services.ts';
import { esiaControlRoutes, esiaEndpoints } from '../esia/control.ts';
import { esignControlRoutes, esignEndpoints } from '../esign/control.ts';
import { tokenCookie, tokenCookieOptions } from '../esign/index.ts';
import { webauthnControlRoutes, webauthnEndpoints } from '../webauthn/control.ts';
import {
  ControlError,
  type ControlHelpers,
  type ControlRoutes,
  localNext,
  parseDuration,
  parseInstant,
} from './inputs.ts';
import { outageControlRoutes, outageEndpoints } from './outage.ts';
import { referenceControlRoutes, referenceEndpoints } from './references.ts';
import { InputError } from '../../lib/errors.ts';

/** Features' control routes (outage E3, other systems' reference codes E1, test PKI, electronic signature, WebAuthn, the ESIA face), in this order, and their GET /__control lines. */
const featureRoutes: ControlRoutes[] = [
  outageControlRoutes,
  referenceControlRoutes,
  certificateControlRoutes,
  esignControlRoutes,
  webauthnControlRoutes,
  esiaControlRoutes,
];
const featureEndpoints = [
  ...outageEndpoints,
  ...referenceEndpoints,
  ...certificateEndpoints,
  ...esignEndpoints,
  ...webauthnEndpoints,
  ...esiaEndpoints,
];

export interface ControlHooks {
  /** Personas as the fixtures define them, with their clear-text test passwords. */
  personas(): Promise<Array<{ persona: string; password: string }>>;
  /** POST /__control/clients: 409 for a client_id of the clients file; `replaced` when it was registered the same way before. */
  registerClient(client: Record<string, unknown>): Promise<{ replaced: boolean }>;
}

function loopbackOnly(ctx: Context, next: Next) {
  if (!isLoopback(ctx.req.socket.remoteAddress)) {
    throw new ControlError(
      403,
      'control.forbidden',
      'The control API answers only requests from this machine (loopback).',
    );
  }
  return next();
}

function body(ctx: Context): Record<string, unknown> {
  const b = ctx.request.body;
  if (b === undefined || b === null || (typeof b === 'object' && Object.keys(b).length === 0)) return {};
  if (typeof b !== 'object' || Array.isArray(b))
    throw new ControlError(400, 'control.bad_body', 'Expected a JSON object body.');
  return b as Record<string, unknown>;
}

/** A body that does not parse is the caller's mistake: a JSON answer, as every control error (not the sign-in error page). */
function unreadableBody(error: Error & { status?: number }): never {
  if (error.status === 413) throw new ControlError(413, 'control.bad_body', 'The body is larger than 256kb.');
  throw new ControlError(400, 'control.bad_body', `Expected a JSON object body; it did not parse: ${error.message}.`);
}

export function controlRoutes(s: Services, hooks: ControlHooks): Router {
  const router = new Router({ prefix: '/__control' });
  router.use(loopbackOnly);
  router.use(bodyParser({ enableTypes: ['json'], jsonLimit: '256kb', onError: unreadableBody }));
  router.use(async function controlAudit(ctx, next) {
    ctx.state.audit.action = `control ${ctx.method} ${ctx.path.replace('/__control', '')}`;
    await next();
  });

  /** The run a call is about: ?run=, the X-Esia-Run header, or the main run. */
  const runOf = (ctx: Context): Run => {
    const id = (typeof ctx.query.run === 'string' && ctx.query.run) || ctx.get('x-esia-run') || undefined;
    const run = s.runs.get(id);
    if (!run)
      throw new ControlError(
        404,
        'control.unknown_run',
        `No run "${id}". Runs end after two idle hours; create one with POST /__control/runs.`,
      );
    ctx.state.run = run;
    return run;
  };

  const findAccount = (ctx: Context) => {
    const key = String(ctx.params.persona);
    const { accounts } = runOf(ctx);
    const account = accounts.byPersona(key) ?? accounts.byOid(key);
    if (!account)
      throw new ControlError(
        404,
        'control.unknown_persona',
        `No persona or oid "${key}". GET /__control/personas lists them.`,
      );
    return account;
  };

  router.get('/', (ctx) => {
    ctx.body = {
      endpoints: [
        'every call below takes ?run=<id> (or the X-Esia-Run header) to act on an isolated run instead of the main one',
        'POST /__control/runs → {run, cookie}: a new isolated run with fresh personas; GET /__control/runs; DELETE /__control/runs/:id',
        "GET /__control/runs/:id/enter?next=<url>&persona=<persona>?: sets the esia_run cookie in this browser (and plugs in the persona's signature token) and goes to next",
        'POST /__control/reset',
        'GET|POST /__control/clock {set?: ISO instant, advance?: seconds | ISO duration, freeze?: boolean}',
        'GET /__control/personas',
        'POST /__control/accounts/:persona/unlock',
        'PATCH /__control/accounts/:persona {status?, phoneConfirmed?, emailConfirmed?, trust?, passwordMustChange?}',
        'GET /__control/inbox/sms?to=+79000000001',
        'GET /__control/inbox/email?to=…',
        'POST /__control/faults {kind: "sms.fail" | "sms.delay" | "server.error", count?, seconds?}',
        'DELETE /__control/faults',
        'GET /__control/audit/:ref',
        'POST /__control/next-login {client_id, persona}',
        'POST /__control/clients {client_id, client_secret, redirect_uris, …}: 201 new, 200 replaced, 409 for a client_id of the clients file; kept across restarts',
        ...featureEndpoints,
      ],
    };
  });

  router.get('/runs', (ctx) => {
    ctx.body = s.runs.list().map((r) => ({
      run: r.id,
      now: new Date(r.clock.now()).toISOString(),
      lastUsedAt: new Date(r.lastUsedAt).toISOString(),
    }));
  });
  router.post('/runs', async (ctx) => {
    const run = await s.runs.create(await s.baseline());
    ctx.status = 201;
    ctx.body = { run: run.id, cookie: `${runCookie}=${run.id}` };
  });
  router.delete('/runs/:id', async (ctx) => {
    if (!(await s.runs.delete(String(ctx.params.id))))
      throw new ControlError(404, 'control.unknown_run', `No run "${ctx.params.id}" (the main run cannot be deleted).`);
    ctx.body = { deleted: ctx.params.id };
  });
  router.get('/runs/:id/enter', (ctx) => {
    const run = s.runs.get(String(ctx.params.id));
    if (!run) throw new ControlError(404, 'control.unknown_run', `No run "${ctx.params.id}".`);
    const next = localNext(ctx, s.provider.issuer);
    ctx.cookies.set(runCookie, run.id === mainRun ? '' : run.id, {
      httpOnly: true,
      sameSite: 'lax',
      signed: false,
      overwrite: true,
      maxAge: 12 * 3600 * 1000,
    });
    // &persona=: the person sits down at this browser with their token (the trainer plays that persona).
    const persona = typeof ctx.query.persona === 'string' ? run.accounts.byPersona(ctx.query.persona) : undefined;
    if (persona) ctx.cookies.set(tokenCookie, s.esign.personaToken(run, persona.persona).id, tokenCookieOptions);
    ctx.redirect(next);
  });

  router.post('/reset', async (ctx) => {
    const run = runOf(ctx);
    await s.reset(run);
    ctx.body = { reset: true, run: run.id, now: new Date(run.clock.now()).toISOString() };
  });

  router.get('/clock', (ctx) => {
    const { clock } = runOf(ctx);
    ctx.body = { now: new Date(clock.now()).toISOString(), frozen: clock.frozen };
  });
  router.post('/clock', (ctx) => {
    const { clock } = runOf(ctx);
    const b = body(ctx);
    if (b.set !== undefined) clock.set(parseInstant(b.set), b.freeze === true);
    else if (b.freeze !== undefined) clock.set(clock.now(), b.freeze === true);
    if (b.advance !== undefined) clock.advance(parseDuration(b.advance));
    if (b.set === undefined && b.advance === undefined && b.freeze === undefined) {
      throw new ControlError(
        400,
        'control.bad_clock',
        'Give "set" (ISO instant), "advance" (seconds or ISO duration such as "PT5M") or "freeze".',
      );
    }
    ctx.body = { now: new Date(clock.now()).toISOString(), frozen: clock.frozen };
  });

  router.get('/personas', async (ctx) => {
    const passwords = new Map((await hooks.personas()).map((p) => [p.persona, p.password]));
    ctx.body = runOf(ctx)
      .accounts.all()
      .map((a) => ({
        persona: a.persona,
        oid: a.oid,
        name: `${a.lastName} ${a.firstName} ${a.middleName}`,
        phone: a.phone,
        email: a.email,
        snils: a.snils,
        inn: a.inn,
        password: passwords.get(a.persona) ?? null,
        state: {
          status: a.status,
          trust: a.trust,
          locked: a.lockedAt !== null,
          failedAttempts: a.failedAttempts,
          phoneConfirmed: a.phoneConfirmed,
          emailConfirmed: a.emailConfirmed,
        },
        // feature «webauthn»: which ways to sign in the persona has besides password + SMS
        factors: {
          biometrics: (a.credentials ?? []).filter((c) => c.kind === 'platform').length,
          securityKeys: (a.credentials ?? []).filter((c) => c.kind === 'roaming').length,
          appCode: !!a.totp,
        },
        demonstrates: a.demonstrates,
        catalogue: a.catalogue,
      }));
  });

  router.post('/accounts/:persona/unlock', (ctx) => {
    const account = findAccount(ctx);
    unlock(account);
    runOf(ctx).accounts.changed();
    ctx.body = { persona: account.persona, locked: false };
  });

  router.patch('/accounts/:persona', (ctx) => {
    const account = findAccount(ctx);
    try {
      patchAccountState(account, body(ctx));
    } catch (error) {
      if (error instanceof InputError) throw new ControlError(400, 'control.bad_field', error.message);
      throw error;
    }
    runOf(ctx).accounts.changed();
    ctx.body = {
      persona: account.persona,
      status: account.status,
      trust: account.trust,
      phone: maskPhone(account.phone),
      phoneConfirmed: account.phoneConfirmed,
      emailConfirmed: account.emailConfirmed,
    };
  });

  router.get('/inbox/:channel', (ctx) => {
    const channel = ctx.params.channel as Channel;
    if (channel !== 'sms' && channel !== 'email')
      throw new ControlError(404, 'control.unknown_inbox', 'Inboxes: sms, email.');
    // Phones as the login form reads them: `?to=+7900…` unencoded arrives as « 7900…», and 8 900 … is the same phone.
    const raw = typeof ctx.query.to === 'string' ? ctx.query.to.trim() : '';
    const to = raw ? (channel === 'sms' ? (normalisePhone(raw) ?? raw) : raw) : undefined;
    ctx.body = { messages: runOf(ctx).outbox.read(channel, to) };
  });

  router.post('/faults', (ctx) => {
    const b = body(ctx);
    const count = b.count === undefined ? 1 : Number(b.count);
    if (!Number.isInteger(count) || count < 1)
      throw new ControlError(
        400,
        'control.bad_fault',
        `count must be a whole number ≥ 1; got ${JSON.stringify(b.count)}.`,
      );
    const kind = faultKinds.find((k) => k === b.kind);
    if (!kind)
      throw new ControlError(
        400,
        'control.bad_fault',
        `kind must be one of ${faultKinds.join(', ')}; got ${JSON.stringify(b.kind)}.`,
      );
    const { faults } = runOf(ctx);
    faults.arm({
      kind,
      remaining: count,
      ...(kind === 'sms.delay' ? { seconds: parseDuration(b.seconds ?? 120) / 1000 } : {}),
    });
    ctx.body = { faults: faults.list };
  });
  router.delete('/faults', (ctx) => {
    runOf(ctx).faults.clear();
    ctx.body = { faults: [] };
  });

  router.get('/audit/:ref', async (ctx) => {
    const typed = String(ctx.params.ref);
    const ref = normaliseReference(typed);
    if (!ref)
      throw new ControlError(
        400,
        'control.bad_ref',
        `"${typed}" is not a reference code: expected 8 characters of ${referenceAlphabet} (case, spaces and the dash do not matter), e.g. 7KQ2-M9XD.`,
      );
    const found = await s.journal.findByRef(ref);
    if (!found) throw new ControlError(404, 'control.unknown_ref', `No journal record has reference code ${ref}.`);
    ctx.body = found;
  });

  router.post('/next-login', async (ctx) => {
    const b = body(ctx);
    const clientId = String(b.client_id ?? '');
    const persona = String(b.persona ?? '');
    if (!(await s.provider.Client.find(clientId)))
      throw new ControlError(400, 'control.unknown_client', `Unknown client_id "${clientId}".`);
    const run = runOf(ctx);
    if (!run.accounts.byPersona(persona))
      throw new ControlError(400, 'control.unknown_persona', `Unknown persona "${persona}".`);
    const queue = run.shortcuts.get(clientId) ?? [];
    queue.push(persona);
    run.shortcuts.set(clientId, queue);
    ctx.body = { client_id: clientId, queued: queue };
  });

  router.post('/clients', async (ctx) => {
    const { replaced } = await hooks.registerClient(body(ctx));
    ctx.status = replaced ? 200 : 201;
    ctx.body = { registered: body(ctx).client_id, replaced };
  });

  // Each feature's routes, mounted the same way (idp/control/inputs.ts ControlRoutes); their lines in GET /__control come from the same modules.
  const helpers: ControlHelpers = { runOf, findAccount, body };
  for (const mount of featureRoutes) mount(router, s, helpers);

  return router;
}
