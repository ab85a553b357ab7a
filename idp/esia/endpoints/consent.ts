/* POST /aas/oauth2/_consent: «Предоставить» or «Отказать» on the consent screen (consent.ts draws it). */
import { EsiaProtocolError } from '../errors.ts';
import { type Endpoint, firstValues } from '../face.ts';
import { issueCode } from './return.ts';

const endpoint = '/aas/oauth2/_consent';

export const consentAnswer: Endpoint = async (ctx, e) => {
  const body = firstValues((ctx.request.body ?? {}) as Record<string, unknown>);
  const o = await e.signIns.answerConsent(body.id);
  if (!o) {
    throw new EsiaProtocolError(
      'ESIA-007003',
      'the consent screen this form comes from is unknown or already answered',
    ).at(endpoint, body, { page: true });
  }
  if (body.decision !== 'grant') {
    const error = new EsiaProtocolError(
      'ESIA-007004',
      `the user refused to grant ${o.p.scopes.join(' ')} to ${o.p.system.clientId}`,
      { scopes: o.p.scopes },
    );
    throw error.at(
      endpoint,
      { client_id: o.p.system.clientId, state: o.p.state },
      { redirect: o.p.redirectUri, state: o.p.state },
    );
  }
  await e.signIns.grantConsent(o);
  await issueCode(ctx, e, o);
};
