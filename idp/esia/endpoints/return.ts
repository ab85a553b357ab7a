/*
 * GET /aas/oauth2/_return: the sign-in screens finished (or were left). Turns oidc-provider's
 * answer into ESIA's: a code to the system's redirect_uri (after the consent screen when the
 * system asks for one), or the ESIA error for why the user did not get through.
 */
import { randomUUID } from 'node:crypto';
import type { Context } from 'koa';
import { consentPage } from '../consent.ts';
import { EsiaProtocolError } from '../errors.ts';
import { type Endpoint, type Esia, firstValues, returnPath } from '../face.ts';
import { refuseDuringOutage } from '../refusal.ts';
import type { SignedIn } from '../sign_ins.ts';

export const signInReturn: Endpoint = async (ctx, e) => {
  const q = firstValues(ctx.query as Record<string, unknown>);
  const p = await e.signIns.finish(q.state);
  if (!p) {
    throw new EsiaProtocolError(
      'ESIA-007003',
      'the sign-in this browser returns from is unknown or already finished (emulator restarted, or the back button was used)',
    ).at(returnPath, q, { page: true });
  }
  const back = { redirect: p.redirectUri, state: p.state };
  const refuseBack = (
    error: EsiaProtocolError,
    params: Record<string, string> = { client_id: p.system.clientId, state: p.state },
  ) => {
    throw error.at(returnPath, params, back);
  };
  ctx.state.audit.client = p.system.clientId;
  if (q.error === 'temporarily_unavailable') {
    // The user left an outage screen (E3): the system hears ESIA-007008, with the time if the outage is still on.
    try {
      refuseDuringOutage(p.run);
    } catch (error) {
      if (!(error instanceof EsiaProtocolError)) throw error;
      refuseBack(error);
      return;
    }
    refuseBack(new EsiaProtocolError('ESIA-007008', `the user left an outage screen (${q.error_description ?? ''})`));
    return;
  }
  if (q.error || !q.code) {
    // The reason the user left (e.g. "otp.no_phone_access: …") follows in brackets, as ESIA adds details to 007014.
    const reason =
      q.error_description && q.error_description !== 'Пользователь отменил вход' ? q.error_description : undefined;
    refuseBack(
      new EsiaProtocolError(
        'ESIA-007004',
        `the user left the sign-in (${q.error ?? 'no code'}: ${q.error_description ?? ''})`,
        { error: q.error },
        reason,
      ),
    );
    return;
  }
  const ac = await e.s.provider.AuthorizationCode.find(q.code);
  if (!ac || (ac as unknown as { consumed?: unknown }).consumed || !ac.accountId) {
    refuseBack(new EsiaProtocolError('ESIA-007004', 'the sign-in result expired before the browser came back'), {
      client_id: p.system.clientId,
    });
    return;
  }
  await ac.consume();
  const owner = e.s.runs.accountByOid(ac.accountId);
  if (!owner) {
    refuseBack(
      new EsiaProtocolError('ESIA-007004', `account ${ac.accountId} no longer exists (run deleted or reset)`),
      { client_id: p.system.clientId },
    );
    return;
  }
  if (p.personFilter === 'conf_acc' && owner.account.trust !== 'confirmed') {
    refuseBack(
      new EsiaProtocolError(
        'ESIA-007055',
        `person_filter=conf_acc admits only confirmed accounts; ${owner.account.persona} (oid ${owner.account.oid}) is ${owner.account.trust}`,
        { trust: owner.account.trust },
      ),
      { client_id: p.system.clientId, person_filter: p.personFilter },
    );
    return;
  }
  const signedIn: SignedIn = {
    p,
    oid: owner.account.oid,
    run: owner.run,
    amr: (ac.amr as string[] | undefined) ?? ['pwd'],
    authTime: (ac.authTime ?? Math.floor(Date.now() / 1000)) * 1000,
    sid: ac.sessionUid ?? randomUUID(),
  };
  if (p.system.consent && !(await e.signIns.consented(signedIn))) {
    const id = await e.signIns.askConsent(signedIn);
    ctx.state.audit.action = 'esia consent asked';
    ctx.type = 'html';
    ctx.body = consentPage({ id, systemName: p.system.name, scopes: p.scopes }).value;
    return;
  }
  await issueCode(ctx, e, signedIn);
};

/** The end of a browser sign-in: an ESIA code and the state to the system's redirect_uri. */
export async function issueCode(ctx: Context, e: Esia, o: SignedIn): Promise<void> {
  const { p } = o;
  const code = await e.tokens.newCode({
    clientId: p.system.clientId,
    redirectUri: p.redirectUri,
    scopes: p.scopes,
    oid: o.oid,
    run: o.run,
    amr: o.amr,
    authTime: o.authTime,
    sid: o.sid,
    offline: p.offline,
    ...(p.codeChallenge ? { codeChallenge: p.codeChallenge } : {}),
  });
  Object.assign(ctx.state.audit, { action: 'esia code issued', account: o.oid, client: p.system.clientId });
  const url = new URL(p.redirectUri);
  url.searchParams.set('code', code);
  url.searchParams.set('state', p.state);
  ctx.status = 302;
  ctx.redirect(url.href);
}
