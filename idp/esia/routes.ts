/*
 * The ESIA face's route table, on the same origin and the same sign-in screens as the OIDC face:
 * one line per endpoint, each in its own file under endpoints/ (the token endpoint's grants under
 * grants/). Its control routes (/__control/esia/…) are in control.ts, mounted with the others.
 * Every refusal carries a reference code (refusal.ts) whose developer page says what is wrong.
 */
import { bodyParser } from '@koa/bodyparser';
import Router from '@koa/router';
import { unreadableBody } from '../../lib/http/unreadable_body.ts';
import type { Middleware } from 'koa';
import { formOnly } from '../forms.ts';
import type { Services } from '../services.ts';
import { authorize } from './endpoints/authorize.ts';
import { signingCertificate } from './endpoints/certificates.ts';
import { consentAnswer } from './endpoints/consent.ts';
import { logout } from './endpoints/logout.ts';
import { organisation, personCollection, personElement, personResource } from './endpoints/person.ts';
import { signInReturn } from './endpoints/return.ts';
import { token } from './endpoints/token.ts';
import { type Endpoint, esiaOf, type EsiaFace, returnPath } from './face.ts';

// The consent screen is a browser form of the emulator (its token and Origin checked); the token endpoint is server to server.
const consentForm = (s: Services): Middleware => formOnly(s, 'interaction.form_forged');
const tokenParser = bodyParser({
  enableTypes: ['form', 'json'],
  formLimit: '64kb',
  jsonLimit: '64kb',
  onError: unreadableBody,
});
const tokenForm = (): Middleware => tokenParser;

type Route = [method: 'GET' | 'POST', path: string, endpoint: Endpoint, body?: (s: Services) => Middleware];

export const routes: Route[] = [
  ['GET', '/aas/oauth2/ac', authorize('v1')],
  ['GET', '/aas/oauth2/v2/ac', authorize('v2')],
  ['GET', returnPath, signInReturn],
  ['POST', '/aas/oauth2/_consent', consentAnswer, consentForm],
  ['POST', '/aas/oauth2/te', token('v1'), tokenForm],
  ['POST', '/aas/oauth2/v3/te', token('v3'), tokenForm],
  ['GET', '/rs/prns/:oid', personResource],
  ['GET', '/rs/prns/:oid/:collection', personCollection],
  ['GET', '/rs/prns/:oid/:collection/:id', personElement],
  ['GET', '/rs/orgs/:oid', organisation],
  ['GET', '/idp/ext/Logout', logout],
  ['GET', '/public/esia-rsa.cer.pem', signingCertificate('rsa')],
  ['GET', '/public/esia-gost.cer.pem', signingCertificate('gost')],
];

export function esiaRoutes(s: Services, face: EsiaFace): Router {
  const e = esiaOf(s, face);
  const router = new Router();
  for (const [method, path, endpoint, body] of routes) {
    const handler: Middleware = (ctx) => endpoint(ctx, e);
    router.register(path, [method], body ? [body(s), handler] : [handler]);
  }
  return router;
}
