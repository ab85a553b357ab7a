/*
 * The control API for tests, CI and trainers: everything a scenario arranges or observes goes
 * through here, never through internals. Loopback-only, always; absent when disabled.
 */
import { bodyParser } from '@koa/bodyparser';
import Router from '@koa/router';
import type { Context, Next } from 'koa';
import { faultKinds } from '../adapters/faults.ts';
import type { Channel } from '../adapters/outbox.ts';
import { maskPhone } from '../domain/account.ts';
import { unlock } from '../domain/lockout.ts';
import type { Services } from '../services.ts';
import { ControlError, parseDuration, parseInstant } from './inputs.ts';

export interface ControlHooks {
  /** Restores personas, inboxes, sessions, faults and the clock to the fixture baseline. */
  reset(): Promise<void>;
  /** Personas as the fixtures define them, with their clear-text test passwords. */
  personas(): Promise<Array<{ persona: string; password: string }>>;
  registerClient(client: Record<string, unknown>): Promise<void>;
}

function isLoopback(address: string | undefined): boolean {
  return !!address && (address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.'));
}

function loopbackOnly(ctx: Context, next: Next) {
  if (!isLoopback(ctx.req.socket.remoteAddress)) {
    throw new ControlError(403, 'control.forbidden', 'The control API answers only requests from this machine (loopback).');
  }
  return next();
}

function body(ctx: Context): Record<string, unknown> {
  const b = ctx.request.body;
  if (b === undefined || b === null || (typeof b === 'object' && Object.keys(b).length === 0)) return {};
  if (typeof b !== 'object' || Array.isArray(b)) throw new ControlError(400, 'control.bad_body', 'Expected a JSON object body.');
  return b as Record<string, unknown>;
}

export function controlRoutes(s: Services, hooks: ControlHooks): Router {
  const router = new Router({ prefix: '/__control' });
  router.use(loopbackOnly);
  router.use(bodyParser({ enableTypes: ['json'], jsonLimit: '256kb' }));
  router.use(async function controlAudit(ctx, next) {
    ctx.state.audit.action = `control ${ctx.method} ${ctx.path.replace('/__control', '')}`;
    await next();
  });

  const findAccount = (ctx: Context) => {
    const key = String(ctx.params.persona);
    const account = s.accounts.byPersona(key) ?? s.accounts.byOid(key);
    if (!account) throw new ControlError(404, 'control.unknown_persona', `No persona or oid "${key}". GET /__control/personas lists them.`);
    return account;
  };

  router.get('/', (ctx) => {
    ctx.body = {
      endpoints: [
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
        'POST /__control/clients {client_id, client_secret, redirect_uris, …}',
      ],
    };
  });

  router.post('/reset', async (ctx) => {
    await hooks.reset();
    ctx.body = { reset: true, now: new Date(s.clock.now()).toISOString() };
  });

  const clockState = () => ({ now: new Date(s.clock.now()).toISOString(), frozen: s.clock.frozen });
  router.get('/clock', (ctx) => {
    ctx.body = clockState();
  });
  router.post('/clock', (ctx) => {
    const b = body(ctx);
    if (b.set !== undefined) s.clock.set(parseInstant(b.set), b.freeze === true);
    else if (b.freeze !== undefined) s.clock.set(s.clock.now(), b.freeze === true);
    if (b.advance !== undefined) s.clock.advance(parseDuration(b.advance));
    if (b.set === undefined && b.advance === undefined && b.freeze === undefined) {
      throw new ControlError(400, 'control.bad_clock', 'Give "set" (ISO instant), "advance" (seconds or ISO duration such as "PT5M") or "freeze".');
    }
    ctx.body = clockState();
  });

  router.get('/personas', async (ctx) => {
    const passwords = new Map((await hooks.personas()).map((p) => [p.persona, p.password]));
    ctx.body = s.accounts.all().map((a) => ({
      persona: a.persona,
      oid: a.oid,
      name: `${a.lastName} ${a.firstName} ${a.middleName}`,
      phone: a.phone,
      email: a.email,
      snils: a.snils,
      inn: a.inn,
      password: passwords.get(a.persona) ?? null,
      state: { status: a.status, trust: a.trust, locked: a.lockedAt !== null, failedAttempts: a.failedAttempts, phoneConfirmed: a.phoneConfirmed, emailConfirmed: a.emailConfirmed },
      demonstrates: a.demonstrates,
      catalogue: a.catalogue,
    }));
  });

  router.post('/accounts/:persona/unlock', (ctx) => {
    const account = findAccount(ctx);
    unlock(account);
    s.accounts.changed();
    ctx.body = { persona: account.persona, locked: false };
  });

  router.patch('/accounts/:persona', (ctx) => {
    const account = findAccount(ctx);
    const b = body(ctx);
    const allowed = { status: ['active', 'inactive', 'restricted'], trust: ['simplified', 'standard', 'confirmed'] } as const;
    for (const [key, value] of Object.entries(b)) {
      if (key === 'status' || key === 'trust') {
        if (!(allowed[key] as readonly unknown[]).includes(value)) {
          throw new ControlError(400, 'control.bad_field', `${key} must be one of ${allowed[key].join(', ')}; got ${JSON.stringify(value)}.`);
        }
        Object.assign(account, { [key]: value });
      } else if (key === 'phoneConfirmed' || key === 'emailConfirmed' || key === 'passwordMustChange') {
        if (typeof value !== 'boolean') throw new ControlError(400, 'control.bad_field', `${key} must be true or false; got ${JSON.stringify(value)}.`);
        account[key] = value;
      } else {
        throw new ControlError(400, 'control.bad_field', `Unknown field "${key}". Allowed: status, trust, phoneConfirmed, emailConfirmed, passwordMustChange.`);
      }
    }
    s.accounts.changed();
    ctx.body = { persona: account.persona, status: account.status, trust: account.trust, phone: maskPhone(account.phone), phoneConfirmed: account.phoneConfirmed, emailConfirmed: account.emailConfirmed };
  });

  router.get('/inbox/:channel', (ctx) => {
    const channel = ctx.params.channel as Channel;
    if (channel !== 'sms' && channel !== 'email') throw new ControlError(404, 'control.unknown_inbox', 'Inboxes: sms, email.');
    const to = typeof ctx.query.to === 'string' ? ctx.query.to : undefined;
    ctx.body = { messages: s.outbox.read(channel, to) };
  });

  router.post('/faults', (ctx) => {
    const b = body(ctx);
    const count = b.count === undefined ? 1 : Number(b.count);
    if (!Number.isInteger(count) || count < 1) throw new ControlError(400, 'control.bad_fault', `count must be a whole number ≥ 1; got ${JSON.stringify(b.count)}.`);
    const kind = faultKinds.find((k) => k === b.kind);
    if (!kind) throw new ControlError(400, 'control.bad_fault', `kind must be one of ${faultKinds.join(', ')}; got ${JSON.stringify(b.kind)}.`);
    s.faults.arm({ kind, remaining: count, ...(kind === 'sms.delay' ? { seconds: parseDuration(b.seconds ?? 120) / 1000 } : {}) });
    ctx.body = { faults: s.faults.list };
  });
  router.delete('/faults', (ctx) => {
    s.faults.clear();
    ctx.body = { faults: [] };
  });

  router.get('/audit/:ref', async (ctx) => {
    const found = await s.journal.findByRef(String(ctx.params.ref).toUpperCase());
    if (!found) throw new ControlError(404, 'control.unknown_ref', `No journal record has reference code ${ctx.params.ref}.`);
    ctx.body = found;
  });

  router.post('/next-login', async (ctx) => {
    const b = body(ctx);
    const clientId = String(b.client_id ?? '');
    const persona = String(b.persona ?? '');
    if (!(await s.provider.Client.find(clientId))) throw new ControlError(400, 'control.unknown_client', `Unknown client_id "${clientId}".`);
    if (!s.accounts.byPersona(persona)) throw new ControlError(400, 'control.unknown_persona', `Unknown persona "${persona}".`);
    const queue = s.shortcuts.get(clientId) ?? [];
    queue.push(persona);
    s.shortcuts.set(clientId, queue);
    ctx.body = { client_id: clientId, queued: queue };
  });

  router.post('/clients', async (ctx) => {
    await hooks.registerClient(body(ctx));
    ctx.status = 201;
    ctx.body = { registered: body(ctx).client_id };
  });

  return router;
}
