/*
 * What the three grants of the token endpoint share: the shape of a grant, and the checks and
 * answers that are the same for a code and a refresh token (ESIA-007011 is ESIA's invalid_grant).
 */
import type { Context } from 'koa';
import { EsiaProtocolError } from '../errors.ts';
import type { Esia } from '../face.ts';
import type { Params, RequestKind } from '../protocol.ts';
import type { EsiaSystem } from '../systems.ts';
import type { RefreshGrant } from '../tokens.ts';

export interface Grant {
  /** Parameters this grant needs besides client_id, client_secret, timestamp, state and scope. */
  params: string[];
  /** What the v3 client_secret signs for this grant (v1 signs the same order for every grant). */
  v3Kind: RequestKind;
  /** The token answer; throws EsiaProtocolError to refuse. */
  answer(ctx: Context, e: Esia, params: Params, system: EsiaSystem): Promise<Record<string, unknown>>;
}

/** ESIA-007011: the code or refresh token cannot be exchanged (unknown, used, expired, another system's…). */
export function invalidGrant(diagnosis: string, evidence?: Record<string, unknown>): EsiaProtocolError {
  return new EsiaProtocolError('ESIA-007011', diagnosis, evidence);
}

/** A code or refresh token is exchanged only by the system it was issued to. */
export function checkIssuedTo(what: 'code' | 'refresh_token', issued: { clientId: string }, system: EsiaSystem): void {
  if (issued.clientId !== system.clientId)
    throw invalidGrant(`the ${what} was issued to system ${issued.clientId}, not ${system.clientId}`);
}

/** The account a grant is for, in the run it lives in; gone after a reset or a deleted run. */
export function ownerOf(e: Esia, oid: string) {
  const owner = e.s.runs.accountByOid(oid);
  if (!owner) throw invalidGrant(`account ${oid} no longer exists (run deleted or reset)`);
  return owner;
}

/** Tokens for a person: access token, id_token with openid, a new refresh token when `refresh`. */
export async function personTokens(
  e: Esia,
  system: EsiaSystem,
  grant: Omit<RefreshGrant, 'clientId' | 'run' | 'issuedWall' | 'issuedRun'>,
  refresh: boolean,
  state: string | undefined,
): Promise<Record<string, unknown>> {
  const owner = ownerOf(e, grant.oid);
  const alg = system.tokenAlg;
  const access = await e.tokens.accessToken({
    clientId: system.clientId,
    scopes: grant.scopes,
    oid: grant.oid,
    sid: grant.sid,
    alg,
    run: owner.run,
  });
  const answer: Record<string, unknown> = { access_token: access.token };
  if (grant.scopes.includes('openid')) {
    answer.id_token = e.tokens.idToken({
      clientId: system.clientId,
      oid: grant.oid,
      sid: grant.sid,
      amr: grant.amr,
      authTime: grant.authTime,
      trusted: owner.account.trust === 'confirmed',
      alg,
    });
  }
  if (refresh)
    answer.refresh_token = await e.tokens.newRefreshToken({
      clientId: system.clientId,
      scopes: grant.scopes,
      oid: grant.oid,
      run: owner.run,
      amr: grant.amr,
      authTime: grant.authTime,
      sid: grant.sid,
    });
  return Object.assign(answer, { state, token_type: 'Bearer', expires_in: e.settings.accessTokenTtlSeconds });
}
