/* grant_type=client_credentials: a token of the system itself (organisation data, consents), no person. */
import { randomUUID } from 'node:crypto';
import { checkScopes } from '../protocol.ts';
import type { Grant } from './grant.ts';

export const clientCredentials: Grant = {
  params: [],
  v3Kind: 'v3-te-client_credentials',
  async answer(_ctx, e, params, system) {
    const scopes = checkScopes(params.scope!, system);
    const access = await e.tokens.accessToken({
      clientId: system.clientId,
      scopes,
      sid: randomUUID(),
      alg: system.tokenAlg,
    });
    return {
      access_token: access.token,
      state: params.state,
      token_type: 'Bearer',
      expires_in: e.settings.accessTokenTtlSeconds,
    };
  },
};
