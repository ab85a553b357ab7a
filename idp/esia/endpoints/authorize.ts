/*
 * GET /aas/oauth2/ac (v1, CMS-signed) and /aas/oauth2/v2/ac (v2, raw signature, PKCE): checks the
 * signed request, then sends the browser to the usual sign-in screens (oidc-provider's /auth for
 * the system's internal client); they come back to /aas/oauth2/_return.
 */
import { createHash, randomBytes } from 'node:crypto';
import { EsiaProtocolError } from '../errors.ts';
import { type Endpoint, firstValues, internalClientId, returnPath } from '../face.ts';
import {
  checkRedirectUri,
  checkScopes,
  checkTimestamp,
  readParams,
  requireParams,
  verifyCmsRequest,
  verifyRawRequest,
  type RequestKind,
} from '../protocol.ts';
import { type Outcome, refuseDuringOutage, refusing } from '../refusal.ts';

export const authorize =
  (version: 'v1' | 'v2'): Endpoint =>
  (ctx, e) => {
    const endpoint = version === 'v1' ? '/aas/oauth2/ac' : '/aas/oauth2/v2/ac';
    const raw = firstValues(ctx.query as Record<string, unknown>);
    let outcome: Outcome = { page: true };
    return refusing(
      endpoint,
      raw,
      () => outcome,
      async () => {
        // Where to send refusals is known only once client_id and redirect_uri are single and registered.
        const head = readParams({ client_id: ctx.query.client_id, redirect_uri: ctx.query.redirect_uri });
        requireParams(head, ['client_id']);
        const system = e.registry.get(head.client_id!);
        if (!system) {
          throw new EsiaProtocolError(
            'ESIA-007005',
            `no system with mnemonic ${head.client_id} is registered (config/systems.json or POST /__control/esia/systems); known: ${
              e.registry
                .all()
                .map((x) => x.clientId)
                .join(', ') || 'none'
            }`,
          );
        }
        requireParams(head, ['redirect_uri']);
        checkRedirectUri(head.redirect_uri!, system);
        outcome = { redirect: head.redirect_uri!, state: raw.state };
        refuseDuringOutage(e.browserRun(ctx));
        const params = readParams(ctx.query as Record<string, unknown>);
        requireParams(params, ['response_type', 'scope', 'timestamp', 'state', 'client_secret']);
        if (params.response_type !== 'code')
          throw new EsiaProtocolError(
            'ESIA-007012',
            `response_type=${params.response_type}; ESIA supports only response_type=code`,
          );
        checkTimestamp(params, e.settings, Date.now());
        const kind: RequestKind = version === 'v1' ? 'v1-ac' : 'v2-ac';
        const verified =
          version === 'v1'
            ? await verifyCmsRequest(kind, params, e.registry, system)
            : verifyRawRequest(kind, params, e.registry, system);
        const scopes = checkScopes(params.scope!, system);
        let personFilter: string | undefined;
        if (params.person_filter) {
          const decoded = Buffer.from(params.person_filter.replace(/-/g, '+').replace(/_/g, '/'), 'base64').toString(
            'utf8',
          );
          personFilter = /^[a-z_]+$/.test(decoded) ? decoded : params.person_filter;
        }
        const id = await e.signIns.start({
          system,
          version,
          redirectUri: params.redirect_uri!,
          state: params.state!,
          scopes,
          offline: params.access_type === 'offline',
          ...(personFilter ? { personFilter } : {}),
          run: e.browserRun(ctx),
          created: Date.now(),
          ...(version === 'v2' && params.code_challenge
            ? { codeChallenge: { value: params.code_challenge, method: params.code_challenge_method || 'S256' } }
            : {}),
        });
        Object.assign(ctx.state.audit, {
          action: `esia ${endpoint}`,
          client: system.clientId,
          details: {
            signature: verified.form,
            order: verified.order,
            certificate: verified.certificate.parsed.subject,
          },
        });
        const auth = new URL('/auth', e.issuerOrigin);
        auth.search = new URLSearchParams({
          client_id: internalClientId(system.clientId),
          response_type: 'code',
          scope: 'openid',
          redirect_uri: `${e.issuerOrigin}${returnPath}`,
          state: id,
          code_challenge: createHash('sha256').update(randomBytes(32)).digest('base64url'),
          code_challenge_method: 'S256',
        }).toString();
        ctx.status = 302;
        ctx.redirect(`${auth.pathname}${auth.search}`);
      },
    );
  };
