/*
 * GET /idp/ext/Logout?client_id=&redirect_url=: SSO logout. Ends the emulator's session (both
 * faces) and every refresh token of it, then returns to redirect_url when it is on an origin
 * registered for the system.
 */
import { EsiaProtocolError } from '../errors.ts';
import { type Endpoint, firstValues } from '../face.ts';

export const logout: Endpoint = async (ctx, e) => {
  const q = firstValues(ctx.query as Record<string, unknown>);
  const system = q.client_id ? e.registry.get(q.client_id) : undefined;
  const session = await e.s.provider.Session.get(ctx);
  if (session.uid) await e.tokens.revokeSession(session.uid);
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
    throw new EsiaProtocolError(
      'ESIA-007023',
      `redirect_url ${target} is not on an origin registered for system ${q.client_id ?? '(no client_id)'}; the session was ended anyway`,
    ).at('/idp/ext/Logout', q, { page: true });
  }
  ctx.type = 'html';
  ctx.body =
    '<!doctype html><html lang="ru"><body data-screen="esia-logged-out"><p>Вы вышли из ЕСИА (тестовый стенд).</p></body></html>';
};

function safeOrigin(url: string): string | undefined {
  try {
    return new URL(url).origin;
  } catch {
    return undefined;
  }
}
