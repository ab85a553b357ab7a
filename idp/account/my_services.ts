/*
 * «Мои услуги» (G1) at /my/services: the signed-in person's systems as tiles. Not signed in, the
 * page sends the browser through the ordinary sign-in screens and gets it back here; the session
 * that sign-in leaves is the one every tile's system then reuses, so no second password is asked.
 */
import Router from '@koa/router';
import type { ServiceTile } from '../provider/clients.ts';
import type { Services } from '../services.ts';
import { myServicesPage } from '../views/my_services.ts';
import { signedIn, signInPath } from './session.ts';

export function myServicesRoutes(s: Services, tiles: readonly ServiceTile[]): Router {
  const router = new Router({ prefix: '/my' });

  router.get('/', (ctx) => ctx.redirect('/my/services'));

  router.get('/services', async (ctx) => {
    ctx.state.audit.action = 'my.services';
    const who = await signedIn(s, ctx);
    if (!who) return ctx.redirect(signInPath(s.provider.issuer, 'services'));
    ctx.type = 'html';
    ctx.body = myServicesPage({ account: who.account, tiles }).value;
  });

  // The sign-in ends here; the page reads the session it left. A refused or cancelled one goes to the front page.
  router.get('/callback', (ctx) => {
    ctx.state.audit.action = 'my.callback';
    ctx.redirect(ctx.query.error ? '/' : '/my/services');
  });

  return router;
}
