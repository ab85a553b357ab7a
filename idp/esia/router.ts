/*
 * The ESIA face of the emulator, on the same origin and the same sign-in screens as the OIDC face:
 *
 *   GET  /aas/oauth2/ac, /aas/oauth2/v2/ac   check the signed request, then the browser goes to the
 *        usual sign-in (oidc-provider's /auth for the system's internal client), comes back to
 *        /aas/oauth2/_return, and is sent to the system's redirect_uri with an ESIA code and state
 *   POST /aas/oauth2/te, /aas/oauth2/v3/te   authorization_code, refresh_token, client_credentials
 *   GET  /rs/prns/{oid}[/ctts|addrs|docs|vhls|kids|roles|orgs[/{id}]], /rs/orgs/{oid}   Bearer
 *   GET  /idp/ext/Logout?client_id=&redirect_url=
 *   GET  /public/esia-rsa.cer.pem, /public/esia-gost.cer.pem   the token-signing certificates
 *   /__control/esia/…   systems and diagnostics (loopback only)
 *
 * Every refusal carries a reference code (X-Esia-Reference header, audit journal, log) whose
 * developer page says exactly what is wrong.
 */
import { bodyParser } from '@koa/bodyparser';
import Router from '@koa/router';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Context, Next } from 'koa';
import { streebog256 } from '../../lib/gost/index.ts';
import { isLoopback } from '../../lib/http/loopback.ts';
import { newReference } from '../errors/reference.ts';
import { isInForce, outageDescription, retryAfter } from '../domain/outage.ts';
import { type Run, runCookie } from '../runs.ts';
import type { Services } from '../services.ts';
import { consentPage } from './consent.ts';
import { Diagnostics, diagnosisPage, esiaErrorPage } from './diagnostics.ts';
import { EsiaProtocolError, restCodes, type RestCode } from './errors.ts';
import { collection, collections, element, embedNames, hasAny, parseEmbed, personRoot, scopesFor, type Collection } from './person.ts';
import {
  checkRedirectUri, checkScopes, checkTimestamp, readParams, requireParams, scopeName, verifyCmsRequest, verifyRawRequest, type Params, type RequestKind,
} from './protocol.ts';
import { SystemError, type EsiaSystem, type SystemConfig, type SystemRegistry } from './systems.ts';
import { elapsedSeconds, type TokenService } from './tokens.ts';

export interface EsiaFace {
  registry: SystemRegistry;
  tokens: TokenService;
  diagnostics: Diagnostics;
  /** Registers the oidc-provider client behind a system (its sign-in screens). */
  registerInternalClient(system: EsiaSystem): Promise<void>;
}

export const internalClientId = (clientId: string) => `esia:${clientId}`;
export const returnPath = '/aas/oauth2/_return';

interface Pending {
  system: EsiaSystem;
  version: 'v1' | 'v2';
  redirectUri: string;
  state: string;
  scopes: string[];
  offline: boolean;
  personFilter?: string;
  codeChallenge?: { value: string; method: string };
  run: Run;
  created: number;
}

interface SignedIn {
  p: Pending;
  oid: string;
  run: Run;
  amr: string[];
  authTime: number;
  sid: string;
}

type Outcome = { redirect: string; state?: string } | { json: true; state?: string } | { page: true };

function firstValues(source: Record<string, unknown>): Params {
  return Object.fromEntries(Object.entries(source).map(([k, v]) => [k, Array.isArray(v) ? String(v[0]) : String(v ?? '')]));
}

export function esiaRoutes(s: Services, face: EsiaFace): Router {
  const { registry, tokens, diagnostics } = face;
  const settings = registry.settings;
  const issuerOrigin = s.provider.issuer.replace(/\/$/, '');
  const pending = new Map<string, Pending>();
  /** Signed-in browsers waiting on the consent screen, and what each account granted to each system. */
  const awaitingConsent = new Map<string, SignedIn>();
  // Kept on the account object: a reset of the run (new account objects) forgets the grants too.
  const consents = new WeakMap<object, Set<string>>();
  const consentKey = (o: SignedIn) => `${o.p.system.clientId}|${[...o.p.scopes].sort().join(' ')}`;
  const consented = {
    has: (o: SignedIn) => {
      const account = o.run.accounts.byOid(o.oid);
      return !!account && !!consents.get(account)?.has(consentKey(o));
    },
    add: (o: SignedIn) => {
      const account = o.run.accounts.byOid(o.oid);
      if (!account) return;
      const set = consents.get(account) ?? new Set<string>();
      set.add(consentKey(o));
      consents.set(account, set);
    },
  };
  const router = new Router();

  const browserRun = (ctx: Context): Run => s.runs.get(ctx.cookies.get(runCookie, { signed: false })) ?? s.runs.main;

  /** Outage mode (E3): ESIA-007008 while the run has a maintenance or outage in force. */
  function refuseDuringOutage(run: Run): void {
    const outage = run.outage;
    if (!isInForce(outage, run.clock.now())) return;
    // The notice and expected time follow in brackets, as the emulator adds details to 007004 and ESIA to 007014.
    throw new EsiaProtocolError('ESIA-007008', `the run is in ${outage.mode} mode (POST /__control/outage): ${outageDescription(outage)}`, {
      mode: outage.mode, until: outage.until ?? undefined, retryAfter: retryAfter(outage),
    }, outageDescription(outage));
  }

  function refuse(ctx: Context, endpoint: string, error: EsiaProtocolError, params: Params, outcome: Outcome): void {
    const ref = newReference();
    const d = diagnostics.record(ref, endpoint, error, params);
    Object.assign(ctx.state.audit, { action: `esia ${endpoint}`, outcome: 'refused', code: error.code, ref, client: params.client_id, details: { diagnosis: error.diagnosis, ...error.evidence } });
    if (s.config.log) console.log(`[esia-emulator] ${endpoint} refused ${error.code} (${ref}): ${error.diagnosis}`);
    ctx.set('X-Esia-Reference', ref);
    // ESIA-007008 (E3): the expected recovery time goes with it (Retry-After, available_at).
    const availableAt = error.code === 'ESIA-007008' && typeof error.evidence.until === 'string' ? error.evidence.until : undefined;
    if (error.code === 'ESIA-007008' && typeof error.evidence.retryAfter === 'string') ctx.set('Retry-After', error.evidence.retryAfter);
    if ('redirect' in outcome) {
      const url = new URL(outcome.redirect);
      url.searchParams.set('error', error.error);
      url.searchParams.set('error_description', error.description);
      if (outcome.state !== undefined) url.searchParams.set('state', outcome.state);
      if (availableAt) url.searchParams.set('available_at', availableAt);
      ctx.status = 302;
      ctx.redirect(url.href);
    } else if ('json' in outcome && error.code === 'ESIA-007008') {
      ctx.status = 503;
      ctx.set('Cache-Control', 'no-store');
      ctx.body = { error: error.error, error_description: error.description, ...(outcome.state !== undefined ? { state: outcome.state } : {}), ...(availableAt ? { available_at: availableAt } : {}) };
    } else if ('json' in outcome) {
      ctx.status = 400;
      ctx.set('Cache-Control', 'no-store');
      ctx.body = { error: error.error, error_description: error.description, ...(outcome.state !== undefined ? { state: outcome.state } : {}) };
    } else {
      ctx.status = 400;
      ctx.type = 'html';
      ctx.body = esiaErrorPage(d).value;
    }
  }

  async function authorize(ctx: Context, version: 'v1' | 'v2'): Promise<void> {
    const endpoint = version === 'v1' ? '/aas/oauth2/ac' : '/aas/oauth2/v2/ac';
    const raw = firstValues(ctx.query as Record<string, unknown>);
    let outcome: Outcome = { page: true };
    try {
      // Where to send refusals is known only once client_id and redirect_uri are single and registered.
      const head = readParams({ client_id: ctx.query.client_id, redirect_uri: ctx.query.redirect_uri });
      requireParams(head, ['client_id']);
      const system = registry.get(head.client_id!);
      if (!system) {
        throw new EsiaProtocolError('ESIA-007005', `no system with mnemonic ${head.client_id} is registered (config/systems.json or POST /__control/esia/systems); known: ${registry.all().map((x) => x.clientId).join(', ') || 'none'}`);
      }
      requireParams(head, ['redirect_uri']);
      checkRedirectUri(head.redirect_uri!, system);
      outcome = { redirect: head.redirect_uri!, state: raw.state };
      refuseDuringOutage(browserRun(ctx));
      const params = readParams(ctx.query as Record<string, unknown>);
      requireParams(params, ['response_type', 'scope', 'timestamp', 'state', 'client_secret']);
      if (params.response_type !== 'code') throw new EsiaProtocolError('ESIA-007012', `response_type=${params.response_type}; ESIA supports only response_type=code`);
      checkTimestamp(params, settings, Date.now());
      const kind: RequestKind = version === 'v1' ? 'v1-ac' : 'v2-ac';
      const verified = version === 'v1' ? await verifyCmsRequest(kind, params, registry, system) : verifyRawRequest(kind, params, registry, system);
      const scopes = checkScopes(params.scope!, system);
      let personFilter: string | undefined;
      if (params.person_filter) {
        const decoded = Buffer.from(params.person_filter.replace(/-/g, '+').replace(/_/g, '/'), 'base64').toString('utf8');
        personFilter = /^[a-z_]+$/.test(decoded) ? decoded : params.person_filter;
      }
      const id = randomUUID();
      if (pending.size > 20_000) pending.delete(pending.keys().next().value as string);
      pending.set(id, {
        system, version, redirectUri: params.redirect_uri!, state: params.state!, scopes, offline: params.access_type === 'offline',
        ...(personFilter ? { personFilter } : {}), run: browserRun(ctx), created: Date.now(),
        ...(version === 'v2' && params.code_challenge ? { codeChallenge: { value: params.code_challenge, method: params.code_challenge_method || 'S256' } } : {}),
      });
      Object.assign(ctx.state.audit, { action: `esia ${endpoint}`, client: system.clientId, details: { signature: verified.form, order: verified.order, certificate: verified.certificate.parsed.subject } });
      const auth = new URL('/auth', issuerOrigin);
      auth.search = new URLSearchParams({
        client_id: internalClientId(system.clientId),
        response_type: 'code',
        scope: 'openid',
        redirect_uri: `${issuerOrigin}${returnPath}`,
        state: id,
        code_challenge: createHash('sha256').update(randomBytes(32)).digest('base64url'),
        code_challenge_method: 'S256',
      }).toString();
      ctx.status = 302;
      ctx.redirect(`${auth.pathname}${auth.search}`);
    } catch (error) {
      if (!(error instanceof EsiaProtocolError)) throw error;
      refuse(ctx, endpoint, error, raw, outcome);
    }
  }

  router.get('/aas/oauth2/ac', (ctx) => authorize(ctx, 'v1'));
  router.get('/aas/oauth2/v2/ac', (ctx) => authorize(ctx, 'v2'));

  // The sign-in screens finished (or were left): turn oidc-provider's answer into ESIA's.
  router.get(returnPath, async (ctx) => {
    const q = firstValues(ctx.query as Record<string, unknown>);
    const p = pending.get(q.state ?? '');
    if (!p) {
      refuse(ctx, returnPath, new EsiaProtocolError('ESIA-007003', 'the sign-in this browser returns from is unknown or already finished (emulator restarted, or the back button was used)'), q, { page: true });
      return;
    }
    pending.delete(q.state!);
    const back = { redirect: p.redirectUri, state: p.state };
    ctx.state.audit.client = p.system.clientId;
    if (q.error === 'temporarily_unavailable') {
      // The user left an outage screen (E3): the system hears ESIA-007008, with the time if the outage is still on.
      try {
        refuseDuringOutage(p.run);
      } catch (error) {
        if (!(error instanceof EsiaProtocolError)) throw error;
        refuse(ctx, returnPath, error, { client_id: p.system.clientId, state: p.state }, back);
        return;
      }
      refuse(ctx, returnPath, new EsiaProtocolError('ESIA-007008', `the user left an outage screen (${q.error_description ?? ''})`), { client_id: p.system.clientId, state: p.state }, back);
      return;
    }
    if (q.error || !q.code) {
      // The reason the user left (e.g. "otp.no_phone_access: …") follows in brackets, as ESIA adds details to 007014.
      const reason = q.error_description && q.error_description !== 'Пользователь отменил вход' ? q.error_description : undefined;
      refuse(ctx, returnPath, new EsiaProtocolError('ESIA-007004', `the user left the sign-in (${q.error ?? 'no code'}: ${q.error_description ?? ''})`, { error: q.error }, reason), { client_id: p.system.clientId, state: p.state }, back);
      return;
    }
    const ac = await s.provider.AuthorizationCode.find(q.code);
    if (!ac || (ac as unknown as { consumed?: unknown }).consumed || !ac.accountId) {
      refuse(ctx, returnPath, new EsiaProtocolError('ESIA-007004', 'the sign-in result expired before the browser came back'), { client_id: p.system.clientId }, back);
      return;
    }
    await ac.consume();
    const owner = s.runs.accountByOid(ac.accountId);
    if (!owner) {
      refuse(ctx, returnPath, new EsiaProtocolError('ESIA-007004', `account ${ac.accountId} no longer exists (run deleted or reset)`), { client_id: p.system.clientId }, back);
      return;
    }
    if (p.personFilter === 'conf_acc' && owner.account.trust !== 'confirmed') {
      refuse(
        ctx, returnPath,
        new EsiaProtocolError('ESIA-007055', `person_filter=conf_acc admits only confirmed accounts; ${owner.account.persona} (oid ${owner.account.oid}) is ${owner.account.trust}`, { trust: owner.account.trust }),
        { client_id: p.system.clientId, person_filter: p.personFilter }, back,
      );
      return;
    }
    const signedIn: SignedIn = {
      p, oid: owner.account.oid, run: owner.run, amr: (ac.amr as string[] | undefined) ?? ['pwd'],
      authTime: (ac.authTime ?? Math.floor(Date.now() / 1000)) * 1000, sid: ac.sessionUid ?? randomUUID(),
    };
    if (p.system.consent && !consented.has(signedIn)) {
      const id = randomUUID();
      if (awaitingConsent.size > 20_000) awaitingConsent.delete(awaitingConsent.keys().next().value as string);
      awaitingConsent.set(id, signedIn);
      ctx.state.audit.action = 'esia consent asked';
      ctx.type = 'html';
      ctx.body = consentPage({ id, systemName: p.system.name, scopes: p.scopes }).value;
      return;
    }
    issueCode(ctx, signedIn);
  });

  function issueCode(ctx: Context, o: SignedIn): void {
    const { p } = o;
    const code = tokens.newCode({
      clientId: p.system.clientId, redirectUri: p.redirectUri, scopes: p.scopes, oid: o.oid, run: o.run, amr: o.amr, authTime: o.authTime, sid: o.sid, offline: p.offline,
      ...(p.codeChallenge ? { codeChallenge: p.codeChallenge } : {}),
    });
    Object.assign(ctx.state.audit, { action: 'esia code issued', account: o.oid, client: p.system.clientId });
    const url = new URL(p.redirectUri);
    url.searchParams.set('code', code);
    url.searchParams.set('state', p.state);
    ctx.status = 302;
    ctx.redirect(url.href);
  }

  // «Предоставить» / «Отказать» on the consent screen.
  router.post('/aas/oauth2/_consent', bodyParser({ enableTypes: ['form'], formLimit: '16kb' }), (ctx) => {
    const body = firstValues((ctx.request.body ?? {}) as Record<string, unknown>);
    const o = awaitingConsent.get(body.id ?? '');
    if (!o) {
      refuse(ctx, '/aas/oauth2/_consent', new EsiaProtocolError('ESIA-007003', 'the consent screen this form comes from is unknown or already answered'), body, { page: true });
      return;
    }
    awaitingConsent.delete(body.id!);
    if (body.decision !== 'grant') {
      refuse(ctx, '/aas/oauth2/_consent', new EsiaProtocolError('ESIA-007004', `the user refused to grant ${o.p.scopes.join(' ')} to ${o.p.system.clientId}`, { scopes: o.p.scopes }), { client_id: o.p.system.clientId, state: o.p.state }, { redirect: o.p.redirectUri, state: o.p.state });
      return;
    }
    consented.add(o);
    issueCode(ctx, o);
  });

  const form = bodyParser({ enableTypes: ['form', 'json'], formLimit: '64kb', jsonLimit: '64kb' });

  async function token(ctx: Context, version: 'v1' | 'v3'): Promise<void> {
    const endpoint = version === 'v1' ? '/aas/oauth2/te' : '/aas/oauth2/v3/te';
    const body = (ctx.request.body ?? {}) as Record<string, unknown>;
    const raw = firstValues(body);
    let outcome: Outcome = { json: true, state: raw.state };
    try {
      const params = readParams(body);
      const basic = /^Basic\s+(.+)$/i.exec(ctx.get('authorization'));
      if (basic && !params.client_secret) {
        const [id, ...secret] = Buffer.from(basic[1]!, 'base64').toString('utf8').split(':');
        params.client_id ??= decodeURIComponent(id ?? '');
        params.client_secret = decodeURIComponent(secret.join(':'));
      }
      outcome = { json: true, state: params.state };
      // The run of the code or refresh token (server-to-server calls carry no cookie).
      refuseDuringOutage((params.code && tokens.codes.get(params.code)?.run) || (params.refresh_token && tokens.refreshTokens.get(params.refresh_token)?.run) || s.runs.main);
      requireParams(params, ['client_id', 'grant_type']);
      const system = registry.get(params.client_id!);
      if (!system) throw new EsiaProtocolError('ESIA-007005', `no system with mnemonic ${params.client_id} is registered`);
      const grant = params.grant_type!;
      if (!['authorization_code', 'refresh_token', 'client_credentials'].includes(grant)) {
        throw new EsiaProtocolError('ESIA-007009', `grant_type=${grant} is not supported; use authorization_code, refresh_token or client_credentials`);
      }
      if (!system.grantTypes.includes(grant as EsiaSystem['grantTypes'][number])) {
        throw new EsiaProtocolError('ESIA-007005', `system ${system.clientId} is not registered for grant_type=${grant} (registered: ${system.grantTypes.join(', ')})`);
      }
      const needed = ['client_secret', 'timestamp', 'state', 'scope'];
      if (grant === 'authorization_code') needed.push('code', 'redirect_uri');
      if (grant === 'refresh_token') needed.push('refresh_token');
      requireParams(params, needed);
      checkTimestamp(params, settings, Date.now());
      const kind: RequestKind = version === 'v1' ? 'v1-te' : grant === 'authorization_code' ? 'v3-te-code' : grant === 'refresh_token' ? 'v3-te-refresh' : 'v3-te-client_credentials';
      const verified = version === 'v1' ? await verifyCmsRequest(kind, params, registry, system) : verifyRawRequest(kind, params, registry, system);
      ctx.state.audit.client = system.clientId;
      ctx.state.audit.details = { grant, signature: verified.form, order: verified.order };
      const alg = system.tokenAlg;
      if (grant === 'authorization_code') {
        const code = tokens.codes.get(params.code!);
        if (!code) throw new EsiaProtocolError('ESIA-007011', 'the code is unknown to the emulator (mistyped, from another emulator instance, or issued before a restart)');
        if (code.used) throw new EsiaProtocolError('ESIA-007011', 'the code was already exchanged; a code is single-use', { reused: true });
        const age = elapsedSeconds(code);
        if (age > settings.codeTtlSeconds) {
          code.used = true;
          throw new EsiaProtocolError('ESIA-007011', `the code expired: issued ${Math.round(age)} s ago, lifetime ${settings.codeTtlSeconds} s`, { ageSeconds: Math.round(age) });
        }
        if (code.clientId !== system.clientId) throw new EsiaProtocolError('ESIA-007011', `the code was issued to system ${code.clientId}, not ${system.clientId}`);
        if (code.redirectUri !== params.redirect_uri) {
          throw new EsiaProtocolError('ESIA-007011', `redirect_uri ${params.redirect_uri} differs from the authorization request's ${code.redirectUri}`);
        }
        if (params.code_verifier && !code.codeChallenge) {
          throw new EsiaProtocolError('ESIA-007039', 'code_verifier was sent, but the authorization request to /v2/ac had no code_challenge');
        }
        if (code.codeChallenge) {
          const verifier = params.code_verifier ?? '';
          const method = code.codeChallenge.method.toUpperCase();
          const computed = method === 'PLAIN' ? verifier
            : method === 'GOST3411' ? Buffer.from(streebog256(new TextEncoder().encode(verifier))).toString('base64url')
            : createHash('sha256').update(verifier).digest('base64url');
          if (!verifier || computed !== code.codeChallenge.value.replace(/=+$/, '')) {
            code.used = true;
            throw new EsiaProtocolError('ESIA-007040', verifier
              ? `code_verifier does not match: ${method} of it is ${computed}, the code_challenge of /v2/ac was ${code.codeChallenge.value}`
              : `the authorization request had code_challenge (${method}); the token request must send code_verifier`);
          }
        }
        code.used = true;
        const owner = s.runs.accountByOid(code.oid);
        if (!owner) throw new EsiaProtocolError('ESIA-007011', `account ${code.oid} no longer exists (run deleted or reset)`);
        ctx.state.audit.account = code.oid;
        const access = tokens.accessToken({ clientId: system.clientId, scopes: code.scopes, oid: code.oid, sid: code.sid, alg, run: owner.run });
        const answer: Record<string, unknown> = { access_token: access.token };
        if (code.scopes.includes('openid')) {
          answer.id_token = tokens.idToken({ clientId: system.clientId, oid: code.oid, sid: code.sid, amr: code.amr, authTime: code.authTime, trusted: owner.account.trust === 'confirmed', alg });
        }
        if (code.offline) answer.refresh_token = tokens.newRefreshToken({ clientId: system.clientId, scopes: code.scopes, oid: code.oid, run: owner.run, amr: code.amr, authTime: code.authTime, sid: code.sid });
        Object.assign(answer, { state: params.state, token_type: 'Bearer', expires_in: settings.accessTokenTtlSeconds });
        ctx.set('Cache-Control', 'no-store');
        ctx.body = answer;
        return;
      }
      if (grant === 'refresh_token') {
        const refresh = tokens.refreshTokens.get(params.refresh_token!);
        if (!refresh) throw new EsiaProtocolError('ESIA-007011', 'the refresh_token is unknown, already used (each refresh returns a new one), or revoked by logout');
        if (refresh.clientId !== system.clientId) throw new EsiaProtocolError('ESIA-007011', `the refresh_token was issued to system ${refresh.clientId}, not ${system.clientId}`);
        const age = elapsedSeconds(refresh);
        if (age > settings.refreshTokenTtlSeconds) {
          tokens.refreshTokens.delete(params.refresh_token!);
          throw new EsiaProtocolError('ESIA-007011', `the refresh_token expired ${Math.round(age - settings.refreshTokenTtlSeconds)} s ago`);
        }
        tokens.refreshTokens.delete(params.refresh_token!);
        const owner = s.runs.accountByOid(refresh.oid);
        if (!owner) throw new EsiaProtocolError('ESIA-007011', `account ${refresh.oid} no longer exists (run deleted or reset)`);
        const access = tokens.accessToken({ clientId: system.clientId, scopes: refresh.scopes, oid: refresh.oid, sid: refresh.sid, alg, run: owner.run });
        const answer: Record<string, unknown> = { access_token: access.token };
        if (refresh.scopes.includes('openid')) {
          answer.id_token = tokens.idToken({ clientId: system.clientId, oid: refresh.oid, sid: refresh.sid, amr: refresh.amr, authTime: refresh.authTime, trusted: owner.account.trust === 'confirmed', alg });
        }
        answer.refresh_token = tokens.newRefreshToken({ ...refresh, run: owner.run });
        Object.assign(answer, { state: params.state, token_type: 'Bearer', expires_in: settings.accessTokenTtlSeconds });
        ctx.set('Cache-Control', 'no-store');
        ctx.body = answer;
        return;
      }
      // client_credentials: a token of the system itself (organisation data, consents), no person.
      const scopes = checkScopes(params.scope!, system);
      const access = tokens.accessToken({ clientId: system.clientId, scopes, sid: randomUUID(), alg });
      ctx.set('Cache-Control', 'no-store');
      ctx.body = { access_token: access.token, state: params.state, token_type: 'Bearer', expires_in: settings.accessTokenTtlSeconds };
    } catch (error) {
      if (!(error instanceof EsiaProtocolError)) throw error;
      refuse(ctx, endpoint, error, raw, outcome);
    }
  }

  router.post('/aas/oauth2/te', form, (ctx) => token(ctx, 'v1'));
  router.post('/aas/oauth2/v3/te', form, (ctx) => token(ctx, 'v3'));

  // Person REST API.
  function restError(ctx: Context, code: RestCode, reason: string): void {
    const ref = newReference();
    Object.assign(ctx.state.audit, { action: `esia ${ctx.method} /rs`, outcome: 'refused', code, ref, details: { diagnosis: reason } });
    if (s.config.log) console.log(`[esia-emulator] ${ctx.path} refused ${code} (${ref}): ${reason}`);
    ctx.set('X-Esia-Reference', ref);
    ctx.set('X-Esia-Diagnosis', encodeURIComponent(reason));
    ctx.status = restCodes[code].status;
    ctx.body = { code, message: restCodes[code].message };
  }

  function bearer(ctx: Context): { scopes: string[]; sbj?: string; clientId: string } | undefined {
    const m = /^Bearer\s+(\S+)$/i.exec(ctx.get('authorization'));
    if (!m) {
      restError(ctx, 'ESIA-005011', 'no Authorization: Bearer <access_token> header');
      return undefined;
    }
    const checked = tokens.verifyAccess(m[1]!);
    if (!checked.ok) {
      restError(ctx, checked.code, checked.reason);
      return undefined;
    }
    const scope = String(checked.payload.scope ?? '');
    const sbj = checked.payload['urn:esia:sbj_id'];
    return { scopes: scope.split(' ').filter(Boolean).map(scopeName), ...(sbj !== undefined ? { sbj: String(sbj) } : {}), clientId: String(checked.payload.client_id) };
  }

  function person(ctx: Context): { account: NonNullable<ReturnType<Services['runs']['accountByOid']>>['account']; scopes: string[] } | undefined {
    const who = bearer(ctx);
    if (!who) return undefined;
    const oid = String(ctx.params.oid);
    if (who.sbj !== oid) {
      restError(ctx, 'ESIA-005029', `the token is for oid ${who.sbj ?? '(none: a client_credentials token)'}, the request is for ${oid}`);
      return undefined;
    }
    const owner = s.runs.accountByOid(oid);
    if (!owner) {
      restError(ctx, 'ESIA-005011', `no person with oid ${oid} (run deleted or reset)`);
      return undefined;
    }
    ctx.state.audit.account = oid;
    ctx.state.audit.client = who.clientId;
    ctx.set('Cache-Control', 'no-store, no-cache, must-revalidate');
    return { account: owner.account, scopes: who.scopes };
  }

  const schema = (name: string) => `${issuerOrigin}/rs/model/${name}`;

  router.get('/rs/prns/:oid', (ctx) => {
    const p = person(ctx);
    if (!p) return;
    const root = personRoot(p.account, p.scopes);
    for (const name of parseEmbed(ctx.query.embed)) {
      const c = embedNames[name];
      if (c && hasAny(p.scopes, scopesFor(c))) root[name] = collection(p.account, c, p.scopes, issuerOrigin, true);
    }
    ctx.set('Link', collections.map((c) => `<${issuerOrigin}/rs/prns/${p.account.oid}/${c}>;rel=${Object.entries(embedNames).find(([, v]) => v === c)?.[0] ?? c}`).join(', '));
    ctx.type = `application/json; schema="${schema('prn/Person-3')}"`;
    ctx.body = root;
  });

  router.get('/rs/prns/:oid/:collection', (ctx) => {
    const name = String(ctx.params.collection) as Collection;
    if (!collections.includes(name)) return;
    const p = person(ctx);
    if (!p) return;
    if (!hasAny(p.scopes, scopesFor(name))) return restError(ctx, 'ESIA-005029', `/${name} needs one of the scopes ${scopesFor(name).join(', ')}; the token has ${p.scopes.join(' ')}`);
    const embed = parseEmbed(ctx.query.embed).includes('elements');
    ctx.body = collection(p.account, name, p.scopes, issuerOrigin, embed);
  });

  router.get('/rs/prns/:oid/:collection/:id', (ctx) => {
    const name = String(ctx.params.collection) as Collection;
    if (!collections.includes(name)) return;
    const p = person(ctx);
    if (!p) return;
    if (!hasAny(p.scopes, scopesFor(name))) return restError(ctx, 'ESIA-005029', `/${name} needs one of the scopes ${scopesFor(name).join(', ')}`);
    const found = element(p.account, name, String(ctx.params.id), p.scopes);
    if (!found) {
      ctx.status = 404;
      ctx.body = { code: 'ESIA-005404', message: 'not found' };
      return;
    }
    ctx.body = found;
  });

  router.get('/rs/orgs/:oid', (ctx) => {
    const who = bearer(ctx);
    if (!who) return;
    restError(ctx, 'ESIA-005029', `organisation ${String(ctx.params.oid)}: the emulator's personas belong to no organisation, so no token opens it`);
  });

  // SSO logout: ends the emulator's session (both faces) and every refresh token of it.
  router.get('/idp/ext/Logout', async (ctx) => {
    const q = firstValues(ctx.query as Record<string, unknown>);
    const system = q.client_id ? registry.get(q.client_id) : undefined;
    const session = await s.provider.Session.get(ctx);
    if (session.uid) tokens.revokeSession(session.uid);
    if (session.accountId) ctx.state.audit.account = session.accountId;
    await session.destroy();
    ctx.cookies.set('_session', null);
    ctx.cookies.set('_session.sig', null);
    ctx.state.audit.action = 'esia logout';
    const target = q.redirect_url;
    const allowed = target && system?.redirectUris.some((u) => new URL(u).origin === safeOrigin(target));
    if (target && allowed) {
      ctx.status = 302;
      ctx.redirect(target);
      return;
    }
    if (target) {
      refuse(ctx, '/idp/ext/Logout', new EsiaProtocolError('ESIA-007023', `redirect_url ${target} is not on an origin registered for system ${q.client_id ?? '(no client_id)'}; the session was ended anyway`), q, { page: true });
      return;
    }
    ctx.type = 'html';
    ctx.body = '<!doctype html><html lang="ru"><body data-screen="esia-logged-out"><p>Вы вышли из ЕСИА (тестовый стенд).</p></body></html>';
  });

  router.get('/public/esia-rsa.cer.pem', (ctx) => {
    ctx.type = 'application/x-pem-file';
    ctx.attachment('esia-rsa.cer.pem');
    ctx.body = tokens.keys.rsa.certificatePem;
  });
  router.get('/public/esia-gost.cer.pem', (ctx) => {
    ctx.type = 'application/x-pem-file';
    ctx.attachment('esia-gost.cer.pem');
    ctx.body = tokens.keys.gost.certificatePem;
  });

  if (s.config.controlEnabled) {
    const control = new Router({ prefix: '/__control/esia' });
    control.use((ctx: Context, next: Next) => {
      if (!isLoopback(ctx.req.socket.remoteAddress)) {
        ctx.status = 403;
        ctx.body = { error: 'control.forbidden', message: 'The control API answers only requests from this machine (loopback).' };
        return;
      }
      return next();
    });
    control.get('/', (ctx) => {
      ctx.body = {
        settings,
        certificates: { rsa: `${issuerOrigin}/public/esia-rsa.cer.pem`, gost: `${issuerOrigin}/public/esia-gost.cer.pem` },
        endpoints: ['/aas/oauth2/ac', '/aas/oauth2/te', '/aas/oauth2/v2/ac', '/aas/oauth2/v3/te', '/rs/prns/{oid}', '/idp/ext/Logout'],
        diagnostics: '/__control/esia/diagnostics/:ref',
      };
    });
    // Settings of the ESIA face at run time, e.g. {"strict": true} or {"timestampWindowSeconds": 60}.
    control.patch('/settings', bodyParser({ enableTypes: ['json'] }), (ctx) => {
      const body = (ctx.request.body ?? {}) as Record<string, unknown>;
      const current = settings as unknown as Record<string, unknown>;
      for (const [key, value] of Object.entries(body)) {
        if (!(key in current) || typeof value !== typeof current[key]) {
          ctx.status = 400;
          ctx.body = { error: 'control.bad_setting', message: `${key}: expected one of ${Object.entries(current).map(([k, v]) => `${k} (${typeof v})`).join(', ')}` };
          return;
        }
      }
      Object.assign(current, body);
      ctx.body = settings;
    });
    control.get('/systems', (ctx) => {
      ctx.body = registry.all().map((x) => ({
        client_id: x.clientId, name: x.name, redirect_uris: x.redirectUris, scopes: x.scopes, grant_types: x.grantTypes, token_alg: x.tokenAlg,
        certificates: x.certificates.map((c) => ({ subject: c.parsed.subject, kind: c.kind, client_certificate_hash: c.hash, source: c.source, notAfter: c.parsed.notAfter })),
      }));
    });
    control.post('/systems', bodyParser({ enableTypes: ['json'], jsonLimit: '256kb' }), async (ctx) => {
      try {
        const system = await registry.add(ctx.request.body as SystemConfig);
        await face.registerInternalClient(system);
        ctx.status = 201;
        ctx.body = { client_id: system.clientId, certificates: system.certificates.map((c) => ({ subject: c.parsed.subject, client_certificate_hash: c.hash })) };
      } catch (error) {
        if (!(error instanceof SystemError)) throw error;
        ctx.status = 400;
        ctx.body = { error: 'control.bad_system', message: error.message };
      }
    });
    control.get('/diagnostics', (ctx) => {
      ctx.body = diagnostics.recent();
    });
    control.get('/diagnostics/:ref', (ctx) => {
      const d = diagnostics.get(String(ctx.params.ref));
      if (!d) {
        ctx.status = 404;
        ctx.body = { error: 'control.unknown_ref', message: `No ESIA refusal with reference ${String(ctx.params.ref)} since the emulator started.` };
        return;
      }
      if (ctx.accepts('json', 'html') === 'html') {
        ctx.type = 'html';
        ctx.body = diagnosisPage(d).value;
      } else {
        ctx.body = d;
      }
    });
    router.use(control.routes());
  }
  return router;
}

function safeOrigin(url: string): string | undefined {
  try {
    return new URL(url).origin;
  } catch {
    return undefined;
  }
}
