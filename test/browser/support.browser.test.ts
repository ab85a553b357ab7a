/*
 * The support console in real Chromium (E2): an operator signs in, finds a locked user by СНИЛС,
 * unlocks them from the account card, and the user then signs in with their own password.
 */
import test from 'ava';
import { screenOf, sharedBrowserStand } from '../helpers/stand.ts';

const env = sharedBrowserStand();

test('an operator signs in, finds a user by СНИЛС and unlocks them; the user then signs in', async (t) => {
  await env.stand.control('POST', '/reset');
  const context = await env.browser.newContext({ locale: 'ru-RU' });
  const page = await context.newPage();
  try {
    await page.goto(`${env.stand.idp}/support`);
    t.is(await screenOf(page), 'support-login');
    await page.getByTestId('support-login').fill('operator');
    await page.getByTestId('support-password').fill('Operator-1234');
    await page.getByTestId('support-submit').click();
    await page.waitForURL(`${env.stand.idp}/support`);
    t.is(await screenOf(page), 'support-home');
    t.is(await page.getByTestId('support-role').getAttribute('data-role'), 'operator');

    await page.getByTestId('support-query').fill('11223340284');
    await page.getByTestId('support-find').click();
    await page.waitForURL(/\/support\/search/);
    t.is(await page.getByTestId('support-open-0').innerText(), 'Петрова Мария Сергеевна');
    await page.getByTestId('support-open-0').click();
    await page.waitForURL(/\/support\/accounts\//);
    t.is(await page.getByTestId('support-locked').getAttribute('data-value'), 'yes');
    t.is(await page.getByTestId('support-snils').innerText(), '112-233-402 84');
    t.is(
      await page.getByTestId('support-save-state').count(),
      0,
      'an operator is not offered what only a senior operator may do',
    );

    await page.getByTestId('support-unlock').click();
    await page.waitForLoadState();
    t.is(await page.getByTestId('support-locked').getAttribute('data-value'), 'no');
    t.regex(await page.getByTestId('support-notice').innerText(), /Блокировка снята/);
    t.regex(await page.getByTestId('support-attempts').innerText(), /support\.unlock/);

    const user = await context.newPage();
    await user.goto(`${env.stand.rp}/login`);
    await user.getByTestId('identifier').fill('+79000000002');
    await user.getByTestId('password').fill('Test-1234');
    await user.getByTestId('submit').click();
    await user.waitForLoadState();
    t.is(await screenOf(user), 'otp', 'the unlocked user gets past the password');
  } finally {
    await context.close();
  }
});
