/*
 * «Войти через Госуслуги» started in two tabs of one Chromium profile and finished in the opposite
 * order: both tabs end in the cabinet, and a reload of the finished callback stays there.
 */
import test from 'ava';
import type { Page } from 'playwright-core';
import { errorCodeOf, screenOf, sharedBrowserStand } from '../helpers/stand.ts';

const env = sharedBrowserStand();
const phone = '+79000000001';

async function signIn(tab: Page): Promise<void> {
  await tab.getByTestId('identifier').fill(phone);
  await tab.getByTestId('password').fill('Test-1234');
  await tab.getByTestId('submit').click();
  await tab.waitForLoadState();
  const sms = await env.stand.control<{ messages: Array<{ code: string }> }>(
    'GET',
    `/inbox/sms?to=${encodeURIComponent(phone)}`,
  );
  await tab.getByTestId('otp-code').fill(sms.messages[0]!.code); // the inbox lists the newest first
  await tab.getByTestId('submit').click();
  await tab.waitForURL(`${env.stand.rp}/cabinet`);
}

test('two tabs finished in the order 2 then 1 both reach the cabinet; reloading the callback stays there', async (t) => {
  await env.stand.control('POST', '/reset');
  const context = await env.browser.newContext({ locale: 'ru-RU' });
  try {
    const tab1 = await context.newPage();
    const tab2 = await context.newPage();
    await tab1.goto(`${env.stand.rp}/login`);
    await tab2.goto(`${env.stand.rp}/login`);
    t.is(await screenOf(tab1), 'login');
    t.is(await screenOf(tab2), 'login');

    await signIn(tab2);
    t.is(await screenOf(tab2), 'cabinet');
    const callbacks: string[] = [];
    tab1.on('request', (r) => r.url().startsWith(`${env.stand.rp}/callback?`) && callbacks.push(r.url()));
    await signIn(tab1);
    t.is(await screenOf(tab1), 'cabinet');
    t.is(await errorCodeOf(tab1), null);

    t.is(callbacks.length, 1);
    await tab1.goto(callbacks[0]!);
    t.is(tab1.url(), `${env.stand.rp}/cabinet`, 'the reload of a callback that succeeded');
    t.is(await screenOf(tab1), 'cabinet');
  } finally {
    await context.close();
  }
});
