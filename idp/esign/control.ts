/*
 * Control API of electronic signature and policies (A4, A5, A9), mounted by control/router.ts in
 * its loopback-only router:
 *   POST   /__control/personas/:persona/token {variant?, pin?, pinAttempts?} → the persona's certificate (valid,
 *          expired, not-yet-valid, revoked, untrusted, wrong-key-usage, orphan) onto the run's virtual token
 *   GET    /__control/personas/:persona/certificate?variant= → {certificatePem, privateKeyPem, bundle}: a test key file
 *   GET    /__control/token, DELETE /__control/token → the run's virtual token; an empty new one
 *   POST   /__control/token/unblock → what the PUK does
 *   PUT    /__control/policies/clients/:client_id {allowed_methods} (null clears) → a client's rule in this run
 *   GET    /__control/policies → organisations and client rules in force
 *   GET    /__control/esign → the PKI's generation instant (scenarios' "clock": "pki")
 */
import type Router from '@koa/router';
import type { Services } from '../services.ts';
import { ControlError, type ControlHelpers } from '../control/inputs.ts';
import { tokenVariants } from './index.ts';
import { VirtualToken } from './token.ts';

export const esignEndpoints = [
  'POST /__control/personas/:persona/token {variant?: valid|expired|not-yet-valid|revoked|untrusted|wrong-key-usage|orphan, pin?, pinAttempts?}',
  'GET /__control/personas/:persona/certificate?variant=valid → a test key file (certificate + PKCS#8 key)',
  'GET|DELETE /__control/token, POST /__control/token/unblock',
  'PUT /__control/policies/clients/:client_id {allowed_methods: ["esign"] | null}, GET /__control/policies',
  'GET /__control/esign → {pkiGeneratedAt}',
];

function variantOf(value: unknown): (typeof tokenVariants)[number] {
  const variant = value === undefined ? 'valid' : tokenVariants.find((v) => v === value);
  if (!variant) throw new ControlError(400, 'control.bad_field', `variant must be one of ${tokenVariants.join(', ')}; got ${JSON.stringify(value)}.`);
  return variant;
}

export function esignControlRoutes(router: Router, s: Services, h: ControlHelpers): void {
  router.post('/personas/:persona/token', (ctx) => {
    const account = h.findAccount(ctx);
    const run = h.runOf(ctx);
    const b = h.body(ctx);
    const token = s.esign.tokenOf(run);
    if (b.pin !== undefined) {
      if (typeof b.pin !== 'string' || !/^\d{4,16}$/.test(b.pin)) throw new ControlError(400, 'control.bad_field', `pin must be 4–16 digits; got ${JSON.stringify(b.pin)}.`);
      token.pin = b.pin;
    }
    if (b.pinAttempts !== undefined) {
      const n = Number(b.pinAttempts);
      if (!Number.isInteger(n) || n < 1 || n > 15) throw new ControlError(400, 'control.bad_field', `pinAttempts must be 1–15; got ${JSON.stringify(b.pinAttempts)}.`);
      token.maxAttempts = n;
      token.attemptsLeft = n;
    }
    const entry = s.esign.handToToken(run, account.persona, variantOf(b.variant));
    ctx.status = 201;
    ctx.body = { added: entry.id, label: entry.label, token: token.describe() };
  });

  router.get('/personas/:persona/certificate', (ctx) => {
    const account = h.findAccount(ctx);
    const variant = variantOf(ctx.query.variant);
    const issued = variant === 'orphan' ? s.pki.certificateFor('nobody', 'valid') : s.pki.certificateFor(account.persona, variant);
    ctx.body = { serial: issued.serial, variant, certificatePem: issued.certificatePem, privateKeyPem: issued.privateKeyPem, bundle: `${issued.certificatePem.trim()}\n${issued.privateKeyPem.trim()}\n` };
  });

  router.get('/token', (ctx) => {
    ctx.body = s.esign.tokenOf(h.runOf(ctx)).describe();
  });
  router.delete('/token', (ctx) => {
    const run = h.runOf(ctx);
    s.esign.tokenOf(run);
    run.esign.token = new VirtualToken();
    ctx.body = run.esign.token.describe();
  });
  router.post('/token/unblock', (ctx) => {
    const token = s.esign.tokenOf(h.runOf(ctx));
    token.unblock(token.puk);
    ctx.body = token.describe();
  });

  router.put('/policies/clients/:client_id', async (ctx) => {
    const run = h.runOf(ctx);
    const clientId = String(ctx.params.client_id);
    if (!(await s.provider.Client.find(clientId))) throw new ControlError(400, 'control.unknown_client', `Unknown client_id "${clientId}".`);
    const methods = h.body(ctx).allowed_methods;
    if (methods === null) run.esign.clientMethods.delete(clientId);
    else if (Array.isArray(methods) && methods.length > 0 && methods.every((m) => typeof m === 'string')) run.esign.clientMethods.set(clientId, methods as string[]);
    else throw new ControlError(400, 'control.bad_field', 'allowed_methods must be a non-empty array such as ["esign"], or null to clear the rule.');
    ctx.body = { client_id: clientId, allowed_methods: s.esign.clientMethods(run, clientId) ?? null };
  });
  router.get('/policies', (ctx) => {
    const run = h.runOf(ctx);
    ctx.body = {
      organisations: s.esign.options.organisations,
      clients: Object.fromEntries([...s.esign.options.clientMethods, ...run.esign.clientMethods]),
    };
  });

  router.get('/esign', (ctx) => {
    ctx.body = { pkiGeneratedAt: s.pki.generatedAt.toISOString(), token: s.esign.tokenOf(h.runOf(ctx)).describe() };
  });
}
