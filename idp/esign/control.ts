/*
 * Control API of electronic signature and policies (A4, A5, A9), mounted by control/router.ts in
 * its loopback-only router. Tokens are a person's or a browser's own (idp/esign/run_state.ts):
 *   POST   /__control/personas/:persona/token {variant?, pin?, pinAttempts?} → the persona's certificate (valid,
 *          expired, not-yet-valid, revoked, untrusted, wrong-key-usage, orphan) onto that person's token
 *   GET    /__control/personas/:persona/token → that token and its id (the esia_token cookie that plugs it into a browser)
 *   GET    /__control/personas/:persona/token/plug-in?next= → plugs it into this browser (sets the cookie) and goes to next
 *   GET    /__control/personas/:persona/certificate?variant= → {certificatePem, privateKeyPem, bundle}: a test key file
 *   GET    /__control/token[?persona=|?token=] → one token, or every token of the run
 *   DELETE /__control/token[?persona=|?token=] → that token (or every one) empty
 *   POST   /__control/token/unblock[?persona=|?token=] → what the PUK does
 *   PUT    /__control/policies/clients/:client_id {allowed_methods} (null clears) → a client's rule in this run
 *   GET    /__control/policies → organisations and client rules in force
 *   GET    /__control/esign → the PKI's generation instant (scenarios' "clock": "pki")
 */
import type Router from '@koa/router';
import type { Context } from 'koa';
import type { Services } from '../services.ts';
import { ControlError, type ControlHelpers, localNext } from '../control/inputs.ts';
import type { Run } from '../runs.ts';
import { tokenCookie, tokenCookieOptions, tokenVariants } from './index.ts';
import { VirtualToken } from './token.ts';

export const esignEndpoints = [
  "POST /__control/personas/:persona/token {variant?: valid|expired|not-yet-valid|revoked|untrusted|wrong-key-usage|orphan, pin?, pinAttempts?} → onto that person's token",
  'GET /__control/personas/:persona/token → {id, cookie, …}: set cookie esia_token=<id> in a browser to plug the token in; GET …/token/plug-in?next=<url> does it',
  'GET /__control/personas/:persona/certificate?variant=valid → a test key file (certificate + PKCS#8 key)',
  'GET|DELETE /__control/token[?persona=|?token=] (every token of the run without either), POST /__control/token/unblock[?persona=|?token=]',
  'PUT /__control/policies/clients/:client_id {allowed_methods: ["esign"] | null}, GET /__control/policies',
  'GET /__control/esign → {pkiGeneratedAt}',
];

function variantOf(value: unknown): (typeof tokenVariants)[number] {
  const variant = value === undefined ? 'valid' : tokenVariants.find((v) => v === value);
  if (!variant)
    throw new ControlError(
      400,
      'control.bad_field',
      `variant must be one of ${tokenVariants.join(', ')}; got ${JSON.stringify(value)}.`,
    );
  return variant;
}

/** The tokens a /__control/token call is about: ?persona= (that person's), ?token= (an id), or every token of the run. */
function selectedTokens(s: Services, ctx: Context, run: Run): Array<[string, VirtualToken]> {
  if (typeof ctx.query.persona === 'string') {
    const account = run.accounts.byPersona(ctx.query.persona);
    if (!account)
      throw new ControlError(
        404,
        'control.unknown_persona',
        `No persona "${ctx.query.persona}". GET /__control/personas lists them.`,
      );
    const { id, token } = s.esign.personaToken(run, account.persona);
    return [[id, token]];
  }
  if (typeof ctx.query.token === 'string') {
    const token = run.esign.tokens.get(ctx.query.token);
    if (!token)
      throw new ControlError(
        404,
        'control.unknown_token',
        `No token "${ctx.query.token}" in this run; GET /__control/token lists them.`,
      );
    return [[ctx.query.token, token]];
  }
  return [...run.esign.tokens];
}

export function esignControlRoutes(router: Router, s: Services, h: ControlHelpers): void {
  const describe = (run: Run, id: string, token: VirtualToken) => ({
    id,
    owner: s.esign.ownerOf(run, id) ?? null,
    cookie: `${tokenCookie}=${id}`,
    ...token.describe(),
  });
  const answer = (run: Run, ctx: Context, tokens: Array<[string, VirtualToken]>) =>
    typeof ctx.query.persona === 'string' || typeof ctx.query.token === 'string'
      ? describe(run, ...tokens[0]!)
      : { tokens: tokens.map(([id, token]) => describe(run, id, token)) };

  router.post('/personas/:persona/token', (ctx) => {
    const account = h.findAccount(ctx);
    const run = h.runOf(ctx);
    const b = h.body(ctx);
    const { id, token } = s.esign.personaToken(run, account.persona);
    if (b.pin !== undefined) {
      if (typeof b.pin !== 'string' || !/^\d{4,16}$/.test(b.pin))
        throw new ControlError(400, 'control.bad_field', `pin must be 4–16 digits; got ${JSON.stringify(b.pin)}.`);
      token.pin = b.pin;
    }
    if (b.pinAttempts !== undefined) {
      const n = Number(b.pinAttempts);
      if (!Number.isInteger(n) || n < 1 || n > 15)
        throw new ControlError(
          400,
          'control.bad_field',
          `pinAttempts must be 1–15; got ${JSON.stringify(b.pinAttempts)}.`,
        );
      token.maxAttempts = n;
      token.attemptsLeft = n;
    }
    const entry = s.esign.handToToken(token, account.persona, variantOf(b.variant));
    ctx.status = 201;
    ctx.body = { added: entry.id, label: entry.label, token: describe(run, id, token) };
  });

  router.get('/personas/:persona/token', (ctx) => {
    const run = h.runOf(ctx);
    const { id, token } = s.esign.personaToken(run, h.findAccount(ctx).persona);
    ctx.body = describe(run, id, token);
  });

  // A person sits down at this browser with their token: the plugin stand-in here offers it from now on.
  router.get('/personas/:persona/token/plug-in', (ctx) => {
    const { id } = s.esign.personaToken(h.runOf(ctx), h.findAccount(ctx).persona);
    ctx.cookies.set(tokenCookie, id, tokenCookieOptions);
    ctx.redirect(localNext(ctx, s.provider.issuer));
  });

  router.get('/personas/:persona/certificate', (ctx) => {
    const account = h.findAccount(ctx);
    const variant = variantOf(ctx.query.variant);
    const issued =
      variant === 'orphan' ? s.pki.certificateFor('nobody', 'valid') : s.pki.certificateFor(account.persona, variant);
    ctx.body = {
      serial: issued.serial,
      variant,
      certificatePem: issued.certificatePem,
      privateKeyPem: issued.privateKeyPem,
      bundle: `${issued.certificatePem.trim()}\n${issued.privateKeyPem.trim()}\n`,
    };
  });

  router.get('/token', (ctx) => {
    const run = h.runOf(ctx);
    ctx.body = answer(run, ctx, selectedTokens(s, ctx, run));
  });
  router.delete('/token', (ctx) => {
    const run = h.runOf(ctx);
    const emptied = selectedTokens(s, ctx, run).map(([id]): [string, VirtualToken] => {
      const token = new VirtualToken();
      run.esign.tokens.set(id, token);
      return [id, token];
    });
    ctx.body = answer(run, ctx, emptied);
  });
  router.post('/token/unblock', (ctx) => {
    const run = h.runOf(ctx);
    const tokens = selectedTokens(s, ctx, run);
    for (const [, token] of tokens) token.unblock(token.puk);
    ctx.body = answer(run, ctx, tokens);
  });

  router.put('/policies/clients/:client_id', async (ctx) => {
    const run = h.runOf(ctx);
    const clientId = String(ctx.params.client_id);
    if (!(await s.provider.Client.find(clientId)))
      throw new ControlError(400, 'control.unknown_client', `Unknown client_id "${clientId}".`);
    const methods = h.body(ctx).allowed_methods;
    if (methods === null) run.esign.clientMethods.delete(clientId);
    else if (Array.isArray(methods) && methods.length > 0 && methods.every((m) => typeof m === 'string'))
      run.esign.clientMethods.set(clientId, methods as string[]);
    else
      throw new ControlError(
        400,
        'control.bad_field',
        'allowed_methods must be a non-empty array such as ["esign"], or null to clear the rule.',
      );
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
    const run = h.runOf(ctx);
    ctx.body = {
      pkiGeneratedAt: s.pki.generatedAt.toISOString(),
      tokens: [...run.esign.tokens].map(([id, token]) => describe(run, id, token)),
    };
  });
}
