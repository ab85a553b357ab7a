/* grant_type=refresh_token: each refresh token is used once and answered with a new one; logout revokes them. */
import { elapsedSeconds } from '../tokens.ts';
import { checkIssuedTo, type Grant, invalidGrant, personTokens } from './grant.ts';

export const refreshToken: Grant = {
  params: ['refresh_token'],
  v3Kind: 'v3-te-refresh',
  async answer(_ctx, e, params, system) {
    const token = params.refresh_token!;
    const refresh = await e.tokens.refreshTokens.get(token);
    if (!refresh)
      throw invalidGrant(
        'the refresh_token is unknown, already used (each refresh returns a new one), or revoked by logout',
      );
    checkIssuedTo('refresh_token', refresh, system);
    const age = elapsedSeconds(refresh);
    if (age > e.settings.refreshTokenTtlSeconds) {
      await e.tokens.refreshTokens.delete(token);
      throw invalidGrant(`the refresh_token expired ${Math.round(age - e.settings.refreshTokenTtlSeconds)} s ago`);
    }
    // Single use across processes: of two refreshes with one token, one takes it and the other is refused.
    if (!(await e.tokens.refreshTokens.take(token)))
      throw invalidGrant('the refresh_token was used by a concurrent request (each refresh returns a new one)');
    return personTokens(e, system, refresh, true, params.state);
  },
};
