/*
 * esia-emulator helpers for your own Playwright tests. Plain ESM JavaScript: nothing to compile,
 * no dependency of its own (it only calls methods of the Playwright `page` you pass in, and the
 * emulator's control API with the global fetch of Node 18+). Types: playwright.d.mts.
 *
 *   import { signInAsPersona } from 'esia-emulator/harness/playwright.mjs'; // or a relative path
 *
 *   await page.goto('http://localhost:8080/login');            // your app sends the browser to the emulator
 *   await signInAsPersona(page, { emulator: 'http://localhost:3000', persona: 'ivanov', method: 'sms' });
 *   await expect(page).toHaveURL(/\/cabinet/);                 // back in your app, signed in
 *
 * The control API answers only on loopback, so the tests run on the emulator's machine.
 */

const screenOf = `document.body ? { screen: document.body.getAttribute('data-screen') || '', error: document.body.getAttribute('data-error-code') || '' } : { screen: '', error: '' }`;

/** @param {string} emulator */
function originOf(emulator) {
  try {
    return new URL(emulator).origin;
  } catch {
    throw new TypeError(
      `signInAsPersona: "emulator" must be the emulator's base URL such as "http://localhost:3000"; got ${JSON.stringify(emulator)}`,
    );
  }
}

/**
 * Calls the emulator's control API; throws with its own message on a non-2xx answer.
 * @param {string} origin @param {string} method @param {string} path @param {unknown} [body] @param {string} [run]
 */
async function control(origin, method, path, body, run) {
  /** @type {Record<string, string>} */
  const headers = {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (run) headers['x-esia-run'] = run;
  let res;
  try {
    res = await fetch(`${origin}/__control${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (error) {
    throw new Error(
      `signInAsPersona: the emulator's control API at ${origin}/__control does not answer (${/** @type {Error} */ (error).message}). Is the emulator running there?`,
    );
  }
  const text = await res.text();
  /** @type {any} */
  let json = null;
  try {
    json = JSON.parse(text);
  } catch {
    /* not JSON: reported below */
  }
  if (!res.ok || json === null) {
    throw new Error(
      `signInAsPersona: ${method} /__control${path} answered ${res.status}${json?.message ? `: ${json.message}` : ''}${res.status === 404 ? ' (is the control API on? ESIA_CONTROL=off disables it)' : ''}`,
    );
  }
  return json;
}

/** @param {import('playwright-core').Page} page */
async function screen(page) {
  return /** @type {{screen: string, error: string}} */ (await page.evaluate(screenOf));
}

/**
 * Clicks and waits until the next page has loaded (redirects followed).
 * @param {import('playwright-core').Page} page @param {string} testid @param {number} timeout
 */
async function clickAndWait(page, testid, timeout) {
  const navigated = page.waitForEvent('framenavigated', { predicate: (frame) => frame === page.mainFrame(), timeout });
  await page.locator(`[data-testid="${testid}"]`).click({ timeout });
  await navigated;
  await page.waitForLoadState('load', { timeout });
}

/**
 * Signs in as a persona of the emulator, in the browser, as a person would.
 *
 * `method: 'sms'` (default): the page must be on (or on its way to) the emulator's login screen,
 * e.g. right after your app redirected there. It looks up the persona's login (phone) and password
 * with `GET /__control/personas`, types them, ticks «Запомнить меня» if `remember`, submits, reads
 * the SMS code from `GET /__control/inbox/sms?to=<phone>`, types it and submits. It returns once the
 * browser has left the emulator (back at your app's callback and wherever that leads). If the
 * emulator shows anything else on the way (an error, the agreement, a forced password change), it
 * throws with that screen and its error code.
 *
 * `method: 'totp'`: the same, but it chooses «кодом из приложения» and types the persona's current app
 * code from `GET /__control/accounts/<persona>/totp` (personas with an app code, e.g. `zaitseva`).
 *
 * `method: 'shortcut'`: no screens at all. It calls `POST /__control/next-login {client_id, persona}`
 * (needs `clientId`), so the next sign-in of that client goes through as the persona (amr pwd+sms).
 * Call it BEFORE the navigation that starts the sign-in: it then returns at once, and the browser
 * passes the emulator without stopping. If the page is already on the emulator's login screen, it
 * reopens that sign-in and returns once the browser has left the emulator.
 *
 * `method: 'esign'`: signs in with the persona's valid test certificate through the emulator's
 * signing-plugin stand-in (PIN 12345678); also answers a step-up's certificate screen.
 *
 * `run`: the emulator's isolated run (`POST /__control/runs`) whose personas and inbox to use; the
 * browser must carry that run's `esia_run` cookie for the emulator from before the sign-in starts
 * (see `useRun`).
 *
 * @param {import('playwright-core').Page} page
 * @param {import('./playwright.d.mts').SignInAsPersonaOptions} options
 * @returns {Promise<import('./playwright.d.mts').SignInResult>}
 */
export async function signInAsPersona(page, options) {
  const { persona, method = 'sms', remember = false, run, clientId, timeout = 15_000 } = options ?? {};
  const origin = originOf(options?.emulator);
  if (!['sms', 'totp', 'shortcut', 'esign'].includes(method))
    throw new TypeError(
      `signInAsPersona: method must be "sms", "totp", "shortcut" or "esign"; got ${JSON.stringify(method)}`,
    );
  if (typeof persona !== 'string' || !persona)
    throw new TypeError('signInAsPersona: "persona" is required, e.g. "ivanov" (GET /__control/personas lists them)');

  if (run) {
    const cookies = await page.context().cookies(origin);
    const cookie = cookies.find((c) => c.name === 'esia_run');
    if (cookie?.value !== run) {
      throw new Error(
        `signInAsPersona: run "${run}" was given, but the browser carries ${cookie ? `esia_run=${cookie.value}` : 'no esia_run cookie'} for ${origin}. ` +
          'Call useRun(context, { emulator, run }) before the sign-in starts, or the emulator serves another run.',
      );
    }
  }

  /** @type {Array<{persona: string, phone: string, password: string | null}>} */
  const personas = await control(origin, 'GET', '/personas', undefined, run);
  const record = personas.find((p) => p.persona === persona);
  if (!record)
    throw new Error(
      `signInAsPersona: no persona "${persona}" on ${origin}; known: ${personas.map((p) => p.persona).join(', ')}`,
    );
  const onEmulator = () => {
    try {
      return new URL(page.url()).origin === origin;
    } catch {
      return false;
    }
  };

  if (method === 'shortcut') {
    if (typeof clientId !== 'string' || !clientId)
      throw new TypeError('signInAsPersona: method "shortcut" needs "clientId", the client_id your app signs in with');
    await control(origin, 'POST', '/next-login', { client_id: clientId, persona }, run);
    if (!onEmulator()) return { persona: record, url: page.url() };
    const uid = /\/interaction\/([^/?#]+)/.exec(page.url())?.[1];
    if (!uid)
      throw new Error(
        `signInAsPersona: the page is on the emulator but not in a sign-in (${page.url()}); call it before your app redirects there`,
      );
    await page.goto(`${origin}/interaction/${uid}`, { timeout });
    if (onEmulator()) {
      const shown = await screen(page);
      throw new Error(
        `signInAsPersona: after the shortcut the emulator still shows "${shown.screen}"${shown.error ? ` (error ${shown.error})` : ''} at ${page.url()}; is clientId "${clientId}" the client of this sign-in?`,
      );
    }
    await page.waitForLoadState('load', { timeout });
    return { persona: record, url: page.url() };
  }

  if (method === 'esign') return signWithCertificate(page, { origin, persona, record, run, timeout, onEmulator });

  if (!record.password)
    throw new Error(`signInAsPersona: the emulator does not know the clear-text password of "${persona}"`);
  await page
    .waitForURL((url) => url.origin === origin, { timeout, waitUntil: 'load' })
    .catch(() => {
      throw new Error(
        `signInAsPersona: the page did not reach the emulator (${origin}) within ${timeout} ms; it is at ${page.url()}. Open your app's sign-in first.`,
      );
    });
  const start = await screen(page);
  if (start.screen !== 'login') {
    throw new Error(
      `signInAsPersona expects the emulator's login screen, but the page shows "${start.screen || 'no screen'}"${start.error ? ` (error ${start.error})` : ''} at ${page.url()}`,
    );
  }

  await page.locator('[data-testid="identifier"]').fill(record.phone, { timeout });
  await page.locator('[data-testid="password"]').fill(record.password, { timeout });
  await page.locator('[data-testid="remember"]').setChecked(remember === true, { timeout });
  if (method === 'totp') {
    await page.locator('[data-testid="factor-totp"]').check({ timeout });
    await clickAndWait(page, 'submit', timeout);
    const shown = await screen(page);
    if (shown.screen !== 'totp') {
      throw new Error(
        `signInAsPersona: after the password the emulator shows "${shown.screen}"${shown.error ? ` (error ${shown.error})` : ''}, not the app-code screen, for persona "${persona}" (has it an app code? factor.not_set_up means no)`,
      );
    }
    /** @type {{code: string}} */
    const app = await control(origin, 'GET', `/accounts/${encodeURIComponent(persona)}/totp`, undefined, run);
    await page.locator('[data-testid="totp-code"]').fill(app.code, { timeout });
    await clickAndWait(page, 'submit', timeout);
    if (onEmulator()) {
      const after = await screen(page);
      throw new Error(
        `signInAsPersona: after the app code the emulator shows "${after.screen}"${after.error ? ` (error ${after.error})` : ''} for persona "${persona}" at ${page.url()}`,
      );
    }
    return { persona: record, url: page.url() };
  }
  await clickAndWait(page, 'submit', timeout);
  const afterPassword = await screen(page);
  if (afterPassword.screen !== 'otp') {
    throw new Error(
      `signInAsPersona: after the password the emulator shows "${afterPassword.screen}"${afterPassword.error ? ` (error ${afterPassword.error})` : ''}, not the SMS code screen, for persona "${persona}" at ${page.url()}`,
    );
  }

  /** @type {{messages: Array<{code?: string}>}} */
  const inbox = await control(origin, 'GET', `/inbox/sms?to=${encodeURIComponent(record.phone)}`, undefined, run);
  const code = inbox.messages[0]?.code;
  if (!code)
    throw new Error(
      `signInAsPersona: no SMS code in the emulator's inbox for ${record.phone} (an armed sms.fail or sms.delay fault?)`,
    );
  await page.locator('[data-testid="otp-code"]').fill(code, { timeout });
  await clickAndWait(page, 'submit', timeout);
  if (onEmulator()) {
    const shown = await screen(page);
    throw new Error(
      `signInAsPersona: after the SMS code the emulator shows "${shown.screen}"${shown.error ? ` (error ${shown.error})` : ''} for persona "${persona}" at ${page.url()}; this persona needs a step the helper does not take`,
    );
  }
  return { persona: record, url: page.url() };
}

/**
 * `method: 'esign'`: puts the persona's valid test certificate on the persona's virtual token
 * (POST /__control/personas/:persona/token) and plugs that token into this browser, then, from the login screen (or the certificate screen
 * of a step-up), picks it in the signing-plugin stand-in, types the token's PIN and signs.
 * @param {import('playwright-core').Page} page
 * @param {{origin: string, persona: string, record: any, run?: string, timeout: number, onEmulator: () => boolean}} o
 */
async function signWithCertificate(page, { origin, persona, record, run, timeout, onEmulator }) {
  await control(origin, 'POST', `/personas/${encodeURIComponent(persona)}/token`, { variant: 'valid' }, run);
  // The browser becomes the persona's computer: the plugin stand-in there offers that person's token (the esia_token cookie).
  const token = await control(origin, 'GET', `/personas/${encodeURIComponent(persona)}/token`, undefined, run);
  await page.context().addCookies([
    {
      name: 'esia_token',
      value: token.id,
      domain: new URL(origin).hostname,
      path: '/',
      sameSite: 'Lax',
      httpOnly: true,
    },
  ]);
  await page
    .waitForURL((url) => url.origin === origin, { timeout, waitUntil: 'load' })
    .catch(() => {
      throw new Error(
        `signInAsPersona: the page did not reach the emulator (${origin}) within ${timeout} ms; it is at ${page.url()}. Open your app's sign-in first.`,
      );
    });
  let shown = await screen(page);
  if (shown.screen === 'login') {
    await clickAndWait(page, 'login-esign', timeout);
    shown = await screen(page);
  }
  if (shown.screen !== 'certificate') {
    throw new Error(
      `signInAsPersona expects the emulator's login or certificate screen, but the page shows "${shown.screen || 'no screen'}"${shown.error ? ` (error ${shown.error})` : ''} at ${page.url()}`,
    );
  }
  const select = page.locator('[data-testid="esign-certificate"]');
  await page.locator('#esign-certificate[data-loaded]').waitFor({ state: 'attached', timeout });
  await select.selectOption(`${persona}-valid`, { timeout });
  await page.locator('[data-testid="esign-pin"]').fill('12345678', { timeout });
  await clickAndWait(page, 'esign-sign', timeout);
  if (onEmulator()) {
    const after = await screen(page);
    throw new Error(
      `signInAsPersona: after signing the emulator shows "${after.screen}"${after.error ? ` (error ${after.error})` : ''} for persona "${persona}" at ${page.url()}`,
    );
  }
  return { persona: record, url: page.url() };
}

/**
 * Makes a browser context use one of the emulator's isolated runs: sets the `esia_run` cookie for
 * the emulator's host. Call it before the first navigation to the emulator.
 *
 * @param {import('playwright-core').BrowserContext} context
 * @param {{ emulator: string, run: string }} options
 */
export async function useRun(context, options) {
  const origin = originOf(options?.emulator);
  if (typeof options.run !== 'string' || !options.run)
    throw new TypeError('useRun: "run" is required (the id POST /__control/runs returned)');
  // Persistent (a day), as GET /__control/runs/:id/enter would leave it: the run outlives a browser restart.
  const expires = Math.floor(Date.now() / 1000) + 86_400;
  await context.addCookies([
    { name: 'esia_run', value: options.run, domain: new URL(origin).hostname, path: '/', sameSite: 'Lax', expires },
  ]);
}
