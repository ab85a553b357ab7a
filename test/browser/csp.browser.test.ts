/*
 * The Content-Security-Policy in real Chromium: the key pages of the emulator and the relying party
 * load, run their scripts (OTP countdown, single logout's auto-submit, oidc-provider's form_post page,
 * the trainer's search and inbox) and submit their forms without a single CSP violation. Every
 * violation is caught twice: the `securitypolicyviolation` event (an init script) and Chromium's
 * console message.
 */
import test from 'ava';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { launchChromium } from '../../scenarios/runner/chromium_driver.ts';
import { type Stand, startStand } from '../../scenarios/runner/stand.ts';
import { trainerRoutes } from '../../trainer/routes.ts';
import { screenOf } from '../helpers/stand.ts';

let stand: Stand;
let browser: Awaited<ReturnType<typeof launchChromium>>;
test.before(async () => {
  browser = await launchChromium();
  stand = await startStand({}, ({ rpUrl, rp2Url, dir }) => [
    trainerRoutes({ rpUrl, rp2Url, shotsDir: join(dir, 'shots') }),
  ]);
});
test.after.always(async () => {
  await browser?.close();
  await stand?.close();
});

const watch = `document.addEventListener('securitypolicyviolation', (e) => console.error('CSP-VIOLATION ' + e.effectiveDirective + ' ' + e.blockedURI + ' at ' + document.location.pathname));`;

/**
 * A context whose every page reports CSP violations into `violations`, and every page of the stand
 * that went without the policy into the same list (no policy, no violation: that must not pass).
 */
async function watchedContext(violations: string[]): Promise<BrowserContext> {
  const context = await browser.newContext({ locale: 'ru-RU' });
  await context.addInitScript(watch);
  context.on('console', (message) => {
    const text = message.text();
    if (/CSP-VIOLATION|Content Security Policy/i.test(text)) violations.push(text);
  });
  context.on('response', (response) => {
    if (response.request().resourceType() !== 'document' || !response.headers()['content-type']?.includes('html'))
      return;
    const csp = response.headers()['content-security-policy'] ?? '';
    if (!csp.includes("frame-ancestors 'none'") || !csp.includes("script-src 'self'"))
      violations.push(`no strict policy on ${response.url()}: ${csp || 'none'}`);
  });
  return context;
}

async function signIn(page: Page, phone = '+79000000001'): Promise<void> {
  await page.getByTestId('identifier').fill(phone);
  await page.getByTestId('password').fill('Test-1234');
  await page.getByTestId('submit').click();
  await page.waitForLoadState();
  const sms = await stand.control<{ messages: Array<{ code: string }> }>(
    'GET',
    `/inbox/sms?to=${encodeURIComponent(phone)}`,
  );
  await page.getByTestId('otp-code').fill(sms.messages[0]!.code);
  await page.getByTestId('submit').click();
}

test.serial(
  'sign-in, OTP countdown, cabinet, form_post, single logout: every page under the policy, no violation',
  async (t) => {
    await stand.control('POST', '/reset');
    const violations: string[] = [];
    const context = await watchedContext(violations);
    try {
      const page = await context.newPage();
      await page.goto(`${stand.rp}/`);
      t.is(await screenOf(page), 'rp-home');
      await page.goto(`${stand.rp}/login`);
      t.is(await screenOf(page), 'login');
      await page.getByTestId('identifier').fill('+79000000001');
      await page.getByTestId('password').fill('Test-1234');
      await page.getByTestId('submit').click();
      await page.waitForLoadState();
      t.is(await screenOf(page), 'otp');
      // The countdown script runs from /static/otp.js: the button's text changes within two seconds.
      const before = await page.getByTestId('resend').innerText();
      await page.waitForFunction(
        (text) => document.querySelector('[data-testid=resend]')?.textContent !== text,
        before,
        { timeout: 3000 },
      );
      const sms = await stand.control<{ messages: Array<{ code: string }> }>(
        'GET',
        `/inbox/sms?to=${encodeURIComponent('+79000000001')}`,
      );
      await page.getByTestId('otp-code').fill(sms.messages[0]!.code);
      await page.getByTestId('submit').click();
      // The submission's redirects end on the RP's origin: form-action allows them.
      await page.waitForURL(`${stand.rp}/cabinet`);
      t.is(await screenOf(page), 'cabinet');

      // oidc-provider's own form_post page: an inline script allowed by its hash, a form to the RP.
      const formPost = new URL(`${stand.idp}/auth`);
      for (const [k, v] of Object.entries({
        client_id: 'fmrm',
        response_type: 'code',
        scope: 'openid',
        redirect_uri: `${stand.rp}/callback`,
        response_mode: 'form_post',
        state: 's1',
        nonce: 'n1',
      })) {
        formPost.searchParams.set(k, v);
      }
      const posted = page.waitForRequest((r) => r.method() === 'POST' && r.url() === `${stand.rp}/callback`);
      await page.goto(formPost.href);
      t.truthy(await posted, 'the form_post page submitted itself to the relying party');

      await page.goto(`${stand.rp}/cabinet`);
      await page.getByTestId('logout').click();
      // Single logout: the emulator's page submits oidc-provider's form by /static/autosubmit.js.
      await page.waitForURL((url) => url.href.startsWith(`${stand.rp}/logged-out`));
      t.is(await screenOf(page), 'rp-logged-out');
      t.deepEqual(violations, []);
    } finally {
      await context.close();
    }
  },
);

test.serial(
  'error page, support console, /account and the trainer: every page under the policy, no violation',
  async (t) => {
    await stand.control('POST', '/reset');
    const violations: string[] = [];
    const context = await watchedContext(violations);
    try {
      const page = await context.newPage();
      await page.goto(`${stand.idp}/no-such-page`);
      t.is(await screenOf(page), 'error');
      await page.goto(`${stand.idp}/`);
      await page.goto(`${stand.idp}/support`);
      t.is(await screenOf(page), 'support-login');
      await page.getByTestId('support-login').fill('operator');
      await page.getByTestId('support-password').fill('Operator-1234');
      await page.getByTestId('support-submit').click();
      await page.waitForURL(`${stand.idp}/support`);
      t.is(await screenOf(page), 'support-home');

      await page.goto(`${stand.idp}/account`);
      await page.waitForLoadState();
      if ((await screenOf(page)) === 'login') await signIn(page);
      await page.waitForURL(`${stand.idp}/account`);
      t.is(await screenOf(page), 'account');

      await page.goto(`${stand.idp}/trainer`);
      t.is(await screenOf(page), 'trainer');
      // The gallery's search runs from /trainer/static/gallery.js: typing hides the cards that do not match.
      await page.getByTestId('gallery-search').fill('otp.expired');
      await page.waitForFunction(() => document.querySelectorAll('[data-testid=gallery-card].hidden').length > 0);
      t.deepEqual(violations, []);
    } finally {
      await context.close();
    }
  },
);
