/*
 * harness/playwright.mjs as a user's Playwright test uses it: ФМРМ's /login sends the browser to
 * the emulator, signInAsPersona signs in, and the browser is back in the ФМРМ cabinet.
 */
import test from 'ava';
import type { Page } from 'playwright-core';
import { signInAsPersona, useRun } from '../../harness/playwright.mjs';
import { screenOf, sharedBrowserStand } from '../helpers/stand.ts';

const env = sharedBrowserStand();
test.beforeEach(async () => {
  await env.stand.control('POST', '/reset');
});

async function withPage(run: (page: Page) => Promise<void>): Promise<void> {
  const context = await env.browser.newContext({ locale: 'ru-RU' });
  try {
    await run(await context.newPage());
  } finally {
    await context.close();
  }
}

test.serial('sms: types login, password and the SMS code, and returns in the ФМРМ cabinet', async (t) => {
  await withPage(async (page) => {
    await page.goto(`${env.stand.rp}/login`);
    const result = await signInAsPersona(page, { emulator: env.stand.idp, persona: 'ivanov', method: 'sms' });
    t.is(new URL(page.url()).origin, new URL(env.stand.rp).origin);
    t.is(result.url, page.url());
    t.is(await screenOf(page), 'cabinet');
    t.is(await page.locator('[data-testid="cabinet-name"]').innerText(), 'Иванов Иван Иванович');
    t.is(await page.locator('[data-testid="sign-in-method"]').getAttribute('data-amr'), 'pwd sms mfa');
    t.is(result.persona.snils, '112-233-401 83');
    const emulatorCookies = await page.context().cookies(env.stand.idp);
    t.true(
      emulatorCookies.length > 0 && emulatorCookies.every((c) => c.expires === -1),
      'without remember, the emulator keeps only session cookies',
    );
  });
});

test.serial("esign: signs in with the persona's certificate through the plugin stand-in", async (t) => {
  await withPage(async (page) => {
    await page.goto(`${env.stand.rp}/login`);
    await signInAsPersona(page, { emulator: env.stand.idp, persona: 'ivanov', method: 'esign' });
    t.is(await screenOf(page), 'cabinet');
    t.is(await page.locator('[data-testid="sign-in-method"]').getAttribute('data-amr'), 'sc pin mfa');
  });
});

test.serial("totp: chooses the app code and types the persona's current one (feature «webauthn», A2)", async (t) => {
  await withPage(async (page) => {
    await page.goto(`${env.stand.rp}/login`);
    await signInAsPersona(page, { emulator: env.stand.idp, persona: 'zaitseva', method: 'totp' });
    t.is(await screenOf(page), 'cabinet');
    t.is(await page.locator('[data-testid="sign-in-method"]').getAttribute('data-amr'), 'pwd otp mfa');
  });
});

test.serial('sms with remember: the emulator session survives closing the browser', async (t) => {
  await withPage(async (page) => {
    await page.goto(`${env.stand.rp}/login`);
    await signInAsPersona(page, { emulator: env.stand.idp, persona: 'ivanov', method: 'sms', remember: true });
    t.is(await screenOf(page), 'cabinet');
    const persistent = (await page.context().cookies(env.stand.idp)).filter((c) => c.expires !== -1);
    t.true(persistent.length > 0, 'remember ticks «Запомнить меня»: a persistent emulator cookie');
  });
});

test.serial('shortcut before navigation: the browser passes the emulator without a screen', async (t) => {
  await withPage(async (page) => {
    const screens: string[] = [];
    page.on('framenavigated', (frame) => frame === page.mainFrame() && screens.push(new URL(frame.url()).origin));
    const queued = await signInAsPersona(page, {
      emulator: env.stand.idp,
      persona: 'ivanov',
      method: 'shortcut',
      clientId: 'fmrm',
    });
    t.is(queued.persona.persona, 'ivanov');
    await page.goto(`${env.stand.rp}/login`);
    t.is(await screenOf(page), 'cabinet');
    t.false(screens.includes(new URL(env.stand.idp).origin), 'no emulator page was shown');
    t.is(await page.locator('[data-testid="sign-in-method"]').getAttribute('data-amr'), 'pwd sms mfa');
  });
});

test.serial('shortcut on the login screen: reopens the sign-in and returns in the cabinet', async (t) => {
  await withPage(async (page) => {
    await page.goto(`${env.stand.rp}/login`);
    t.is(await screenOf(page), 'login');
    await signInAsPersona(page, { emulator: env.stand.idp, persona: 'fedorov', method: 'shortcut', clientId: 'fmrm' });
    t.is(new URL(page.url()).origin, new URL(env.stand.rp).origin);
    t.is(await screenOf(page), 'rp-error', 'fedorov has no ФМРМ record: the app, not the emulator, says so');
  });
});

test.serial('a persona that cannot sign in: rejects with the emulator screen and error code', async (t) => {
  await withPage(async (page) => {
    await page.goto(`${env.stand.rp}/login`);
    const error = await t.throwsAsync(
      signInAsPersona(page, { emulator: env.stand.idp, persona: 'petrova', method: 'sms' }),
    );
    t.regex(error.message, /after the password the emulator shows "error" \(error account\.locked\)/);
  });
});

test.serial("run: signs in within an isolated run, reading that run's personas and inbox", async (t) => {
  const { run } = await env.stand.control<{ run: string }>('POST', '/runs');
  try {
    await withPage(async (page) => {
      await useRun(page.context(), { emulator: env.stand.idp, run });
      await page.goto(`${env.stand.rp}/login`);
      await signInAsPersona(page, { emulator: env.stand.idp, persona: 'ivanov', method: 'sms', run });
      t.is(await screenOf(page), 'cabinet');
      const inRun = await env.stand.control<{ messages: unknown[] }>('GET', `/inbox/sms?to=%2B79000000001&run=${run}`);
      const inMain = await env.stand.control<{ messages: unknown[] }>('GET', '/inbox/sms?to=%2B79000000001');
      t.is(inRun.messages.length, 1);
      t.is(inMain.messages.length, 0, 'the main run saw nothing');
    });
  } finally {
    await env.stand.control('DELETE', `/runs/${run}`);
  }
});

test.serial(
  'mistakes are named: unknown persona, shortcut without clientId, page not at the emulator, wrong run',
  async (t) => {
    await withPage(async (page) => {
      await page.goto(`${env.stand.rp}/login`);
      const unknown = await t.throwsAsync(signInAsPersona(page, { emulator: env.stand.idp, persona: 'nobody' }));
      t.regex(unknown.message, /no persona "nobody".*known: .*ivanov/);
      const noClient = await t.throwsAsync(
        signInAsPersona(page, { emulator: env.stand.idp, persona: 'ivanov', method: 'shortcut' }),
      );
      t.regex(noClient.message, /needs "clientId"/);
      await page.goto(env.stand.rp);
      const notThere = await t.throwsAsync(
        signInAsPersona(page, { emulator: env.stand.idp, persona: 'ivanov', timeout: 500 }),
      );
      t.regex(notThere.message, /did not reach the emulator/);
      const noRun = await t.throwsAsync(
        signInAsPersona(page, { emulator: env.stand.idp, persona: 'ivanov', run: 'run-abc' }),
      );
      t.regex(noRun.message, /no esia_run cookie/);
      await useRun(page.context(), { emulator: env.stand.idp, run: 'run-abc' });
      t.true((await page.context().cookies(env.stand.idp)).some((c) => c.name === 'esia_run' && c.value === 'run-abc'));
    });
  },
);
