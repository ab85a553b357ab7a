/*
 * The person's own pages on the emulator (/account, /my/services) sign in through the ordinary
 * screens with an internal first-party client, `esia-account`, and then read oidc-provider's own
 * session: the same session every relying party's sign-in reuses.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Context } from 'koa';
import type { Account } from '../domain/account.ts';
import type { Run } from '../runs.ts';
import type { Services } from '../services.ts';

export const accountClientId = 'esia-account';

/** Where each of the person's pages gets the browser back after the sign-in screens. */
export const callbackPaths = { account: '/account/callback', services: '/my/callback' } as const;

/** The internal client the person's pages sign in through. */
export function accountClient(issuer: string): Record<string, unknown> {
  return {
    client_id: accountClientId,
    client_name: 'Личный кабинет Госуслуг',
    redirect_uris: Object.values(callbackPaths).map((path) => `${issuer}${path}`),
    token_endpoint_auth_method: 'none',
    grant_types: ['authorization_code'],
    response_types: ['code'],
    first_party: true,
  };
}

/** The account signed in to the emulator in this browser, with its run; the run also goes to the audit record. */
export async function signedIn(
  s: Services,
  ctx: Context,
): Promise<{ account: Account; run: Run; sid: string } | undefined> {
  const session = await s.provider.Session.get(ctx);
  const found = session.accountId ? s.runs.accountByOid(session.accountId) : undefined;
  if (!found) return undefined;
  ctx.state.run = found.run;
  ctx.state.audit.account = found.account.oid;
  return { ...found, sid: session.uid };
}

/**
 * The sign-in screens' address for one of the person's pages. The code the callback gets is never
 * exchanged (the page reads the session), so the PKCE verifier is not kept.
 */
export function signInPath(issuer: string, page: keyof typeof callbackPaths): string {
  const verifier = randomBytes(32).toString('base64url');
  const query = new URLSearchParams({
    client_id: accountClientId,
    response_type: 'code',
    scope: 'openid',
    redirect_uri: `${issuer}${callbackPaths[page]}`,
    state: randomBytes(8).toString('hex'),
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
  });
  return `/auth?${query}`;
}
