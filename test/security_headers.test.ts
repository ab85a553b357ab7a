/*
 * The security headers of every kind of page of both apps, over HTTP: the emulator's sign-in
 * screens, error pages, the support console, /account, the trainer, the ESIA face's refusal and
 * diagnostics pages, oidc-provider's logout page; the relying party's home, cabinet, error and
 * logged-out pages. Each HTML page carries the strict policy, no framing, no-store, the referrer
 * policy and nosniff; static files keep their caching.
 */
import test, { type ExecutionContext } from 'ava';
import { join } from 'node:path';
import type { CookieJar } from 'tough-cookie';
import { HttpBrowser } from '../scenarios/runner/http_browser.ts';
import { send } from '../scenarios/runner/http_client.ts';
import { type Stand, startStand } from '../scenarios/runner/stand.ts';
import { trainerRoutes } from '../trainer/routes.ts';
import { signInThrough } from './helpers/sign_in.ts';

let stand: Stand;
test.before(async () => {
  stand = await startStand({}, ({ rpUrl, rp2Url, dir }) => [
    trainerRoutes({ rpUrl, rp2Url, shotsDir: join(dir, 'shots') }),
  ]);
});
test.after.always(() => stand?.close());

async function get(url: string, jar?: CookieJar, accept = 'text/html') {
  const cookie = jar ? await jar.getCookieString(url) : '';
  return send(url, { headers: { accept, ...(cookie ? { cookie } : {}) } });
}

/** The headers every HTML page of both apps must carry. */
function assertPage(t: ExecutionContext, what: string, reply: Awaited<ReturnType<typeof send>>): void {
  const h = reply.headers;
  t.regex(String(h['content-type']), /text\/html/, `${what}: an HTML page`);
  const csp = String(h['content-security-policy'] ?? '');
  for (const directive of [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "object-src 'none'",
  ]) {
    t.true(csp.includes(directive), `${what}: ${directive} in ${csp || 'no policy'}`);
  }
  t.false(csp.includes('unsafe-inline'), `${what}: no 'unsafe-inline'`);
  t.is(h['x-frame-options'], 'DENY', `${what}: X-Frame-Options`);
  t.is(h['cache-control'], 'no-store', `${what}: Cache-Control`);
  t.is(h['referrer-policy'], 'same-origin', `${what}: Referrer-Policy`);
  t.is(h['x-content-type-options'], 'nosniff', `${what}: X-Content-Type-Options`);
  t.notRegex(reply.text, /<script>|<style>|\sstyle="/, `${what}: no inline script or style`);
}

test.serial('the emulator: home, 404, support sign-in, trainer, ESIA refusal and diagnostics pages', async (t) => {
  assertPage(t, 'home', await get(`${stand.idp}/`));
  const missing = await get(`${stand.idp}/no-such-page`);
  t.is(missing.status, 404);
  assertPage(t, '404 page', missing);
  assertPage(t, 'support sign-in', await get(`${stand.idp}/support`));
  assertPage(t, 'trainer gallery', await get(`${stand.idp}/trainer`));
  const refusal = await get(`${stand.idp}/aas/oauth2/v2/ac?client_id=NO-SUCH-SYSTEM`);
  assertPage(t, 'ESIA refusal page', refusal);
  const refusals = await stand.control<Array<{ ref: string }>>('GET', '/esia/diagnostics');
  t.true(refusals.length > 0, 'the ESIA face recorded the refusal');
  assertPage(t, 'ESIA diagnostics page', await get(`${stand.idp}/__control/esia/diagnostics/${refusals[0]!.ref}`));
});

test.serial('the sign-in screens, the cabinet, /account, «Мои услуги», the logout page and the RP pages', async (t) => {
  await stand.control('POST', '/reset');
  const { screen, browser } = await signInThrough(stand.rp, stand.idp);
  t.is(screen, 'cabinet');
  const jar = browser.jar;
  assertPage(t, 'RP home', await get(`${stand.rp}/`, jar));
  assertPage(t, 'RP cabinet', await get(`${stand.rp}/cabinet`, jar));
  assertPage(t, 'RP 404 page', await get(`${stand.rp}/no-such-page`, jar));
  assertPage(t, 'RP logged-out page', await get(`${stand.rp}/logged-out`, jar));
  // The RP's forms redirect to Госуслуги: its origin is in the RP's form-action.
  t.true(
    String((await get(`${stand.rp}/cabinet`, jar)).headers['content-security-policy']).includes(
      new URL(stand.idp).origin,
    ),
  );
  assertPage(t, '/account', await get(`${stand.idp}/account`, jar));
  assertPage(t, '«Мои услуги»', await get(`${stand.idp}/my/services`, jar));
  // oidc-provider's end_session, drawn by the emulator's logout page (it submits itself by a static script).
  assertPage(t, 'logout page', await get(`${stand.idp}/session/end?client_id=fmrm`, jar));

  const fresh = new HttpBrowser();
  await fresh.goto(`${stand.rp}/login`);
  t.is(fresh.screen(), 'login');
  assertPage(t, 'login screen', await get(fresh.page!.url, fresh.jar));
  await fresh.click('submit', { identifier: '+79000000001', password: 'Test-1234' });
  t.is(fresh.screen(), 'otp');
  const otp = await get(fresh.page!.url, fresh.jar);
  assertPage(t, 'OTP screen', otp);
  // A sign-in form reaches the relying parties' origins through its redirects: they are in form-action.
  t.true(String(otp.headers['content-security-policy']).includes(new URL(stand.rp).origin));
  t.regex(otp.text, /<script src="\/static\/otp\.js"><\/script>/);
});

test('static files keep their caching and get nosniff; JSON answers get nosniff', async (t) => {
  for (const path of [
    '/static/esia.css',
    '/static/otp.js',
    '/static/webauthn/ceremony.js',
    '/static/autosubmit.js',
    '/static/support.css',
    '/static/esign/plugin.js',
  ]) {
    const reply = await get(`${stand.idp}${path}`, undefined, '*/*');
    t.is(reply.status, 200, path);
    t.is(reply.headers['cache-control'], 'public, max-age=3600', path);
    t.is(reply.headers['x-content-type-options'], 'nosniff', path);
  }
  const css = await get(`${stand.rp}/static/rp.css`, undefined, '*/*');
  t.is(css.status, 200);
  t.regex(String(css.headers['content-type']), /text\/css/);
  const plugin = await get(`${stand.idp}/plugin`, undefined, 'application/json');
  t.is(plugin.headers['x-content-type-options'], 'nosniff');
});
