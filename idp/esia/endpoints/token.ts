/*
 * POST /aas/oauth2/te (v1, CMS-signed client_secret) and /aas/oauth2/v3/te (v3, raw signature):
 * the checks every grant shares (system, grant type, parameters, timestamp, signature), then the
 * grant's own (grants/). Client credentials may also come as HTTP Basic.
 */
import { decodeComponent } from '../../../lib/http/decode.ts';
import { EsiaProtocolError } from '../errors.ts';
import { type Endpoint, firstValues } from '../face.ts';
import { authorizationCode } from '../grants/authorization_code.ts';
import { clientCredentials } from '../grants/client_credentials.ts';
import type { Grant } from '../grants/grant.ts';
import { refreshToken } from '../grants/refresh_token.ts';
import {
  checkTimestamp,
  readParams,
  requireParams,
  verifyCmsRequest,
  verifyRawRequest,
  type Params,
} from '../protocol.ts';
import { type Outcome, refuseDuringOutage, refusing } from '../refusal.ts';
import { grantTypes, type GrantType } from '../systems.ts';

const grants = new Map<string, Grant>([
  ['authorization_code', authorizationCode],
  ['refresh_token', refreshToken],
  ['client_credentials', clientCredentials],
] satisfies Array<[GrantType, Grant]>);

/** client_id and client_secret from an Authorization: Basic header, when the form has no client_secret. */
function basicCredentials(authorization: string, params: Params): void {
  const basic = /^Basic\s+(.+)$/i.exec(authorization);
  if (!basic || params.client_secret) return;
  const [rawId, ...rawSecret] = Buffer.from(basic[1]!, 'base64').toString('utf8').split(':');
  const id = decodeComponent(rawId ?? '');
  const secret = decodeComponent(rawSecret.join(':'));
  if (id === undefined || secret === undefined) {
    throw new EsiaProtocolError(
      'ESIA-007003',
      `the Basic authorization header's ${id === undefined ? 'client_id' : 'client_secret'} is not valid percent-encoding (RFC 6749 §2.3.1: application/x-www-form-urlencoded, then base64)`,
      { parameter: 'authorization' },
    );
  }
  params.client_id ??= id;
  params.client_secret = secret;
}

export const token =
  (version: 'v1' | 'v3'): Endpoint =>
  (ctx, e) => {
    const endpoint = version === 'v1' ? '/aas/oauth2/te' : '/aas/oauth2/v3/te';
    const body = (ctx.request.body ?? {}) as Record<string, unknown>;
    const raw = firstValues(body);
    let outcome: Outcome = { json: true, state: raw.state };
    return refusing(
      endpoint,
      raw,
      () => outcome,
      async () => {
        const params = readParams(body);
        basicCredentials(ctx.get('authorization'), params);
        outcome = { json: true, state: params.state };
        // The run of the code or refresh token (server-to-server calls carry no cookie).
        refuseDuringOutage(
          (params.code && (await e.tokens.codes.get(params.code))?.run) ||
            (params.refresh_token && (await e.tokens.refreshTokens.get(params.refresh_token))?.run) ||
            e.s.runs.main,
        );
        requireParams(params, ['client_id', 'grant_type']);
        const system = e.registry.get(params.client_id!);
        if (!system)
          throw new EsiaProtocolError('ESIA-007005', `no system with mnemonic ${params.client_id} is registered`);
        const name = params.grant_type!;
        const grant = grants.get(name);
        if (!grant)
          throw new EsiaProtocolError(
            'ESIA-007009',
            `grant_type=${name} is not supported; use ${grantTypes.slice(0, -1).join(', ')} or ${grantTypes.at(-1)}`,
          );
        if (!system.grantTypes.includes(name as GrantType)) {
          throw new EsiaProtocolError(
            'ESIA-007005',
            `system ${system.clientId} is not registered for grant_type=${name} (registered: ${system.grantTypes.join(', ')})`,
          );
        }
        requireParams(params, ['client_secret', 'timestamp', 'state', 'scope', ...grant.params]);
        checkTimestamp(params, e.settings, Date.now());
        const kind = version === 'v1' ? 'v1-te' : grant.v3Kind;
        const verified =
          version === 'v1'
            ? await verifyCmsRequest(kind, params, e.registry, system)
            : verifyRawRequest(kind, params, e.registry, system);
        ctx.state.audit.client = system.clientId;
        ctx.state.audit.details = { grant: name, signature: verified.form, order: verified.order };
        const answer = await grant.answer(ctx, e, params, system);
        ctx.set('Cache-Control', 'no-store');
        ctx.body = answer;
      },
    );
  };
