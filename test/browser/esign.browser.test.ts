/*
 * Electronic signature in real Chromium, by hand rather than through the scenario driver: the
 * person picks a test key file in the plugin stand-in and signs in; a wrong PIN is refused with the
 * attempts left; «Подписать заявление» in the ФМРМ cabinet steps up from a password session.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import type { Page } from 'playwright-core';
import { newRun } from '../../scenarios/runner/stand.ts';
import { errorCodeOf, screenOf, sharedBrowserStand } from '../helpers/stand.ts';

const env = sharedBrowserStand();

/** A fresh browser in a fresh run whose clock stands an hour after the test PKI was made. */
async function freshPage(t: { teardown(fn: () => Promise<void>): void }): Promise<{ page: Page; run: string }> {
  const { run, end } = await newRun(env.stand);
  const { pkiGeneratedAt } = await env.stand.control<{ pkiGeneratedAt: string }>('GET', `/esign?run=${run}`);
  await env.stand.control('POST', `/clock?run=${run}`, { set: new Date(Date.parse(pkiGeneratedAt) + 3600_000).toISOString(), freeze: true });
  const context = await env.browser.newContext({ locale: 'ru-RU' });
  context.setDefaultTimeout(15_000);
  await context.addCookies([{ name: 'esia_run', value: run, domain: 'localhost', path: '/', sameSite: 'Lax', expires: Math.floor(Date.now() / 1000) + 3600 }]);
  t.teardown(async () => {
    await context.close();
    await end();
  });
  return { page: await context.newPage(), run };
}


async function toCertificateScreen(page: Page): Promise<void> {
  await page.goto(env.stand.rp);
  await page.getByTestId('login-esia').click();
  await page.waitForURL(/\/interaction\//);
  await page.getByTestId('login-esign').click();
  await page.locator('body[data-screen="certificate"]').waitFor();
  await page.locator('#esign-certificate[data-loaded]').waitFor({ state: 'attached' });
}

test.serial('a person picks a test key file in the plugin and signs in to ФМРМ', async (t) => {
  const { page, run } = await freshPage(t);
  const { bundle } = await env.stand.control<{ bundle: string }>('GET', `/personas/ivanov/certificate?variant=valid&run=${run}`);
  const dir = await mkdtemp(join(tmpdir(), 'esign-browser-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'ivanov.pem');
  await writeFile(file, bundle, { mode: 0o600 });

  await toCertificateScreen(page);
  t.deepEqual(await page.locator('#esign-certificate option').allInnerTexts().then((l) => l.map((x) => x.split(' ·')[0])), ['Белов Андрей Николаевич'], 'only the ready token of belov is there');
  await page.getByTestId('esign-file').setInputFiles(file);
  await page.locator('#esign-certificate[data-imported]').waitFor({ state: 'attached' });
  t.regex(await page.locator('#esign-certificate option:checked').innerText(), /Иванов Иван Иванович/);
  await page.getByTestId('esign-pin').fill('12345678');
  await page.getByTestId('esign-sign').click();
  await page.locator('body[data-screen="cabinet"]').waitFor();
  t.is(await page.getByTestId('cabinet-name').innerText(), 'Иванов Иван Иванович');
  t.is(await page.getByTestId('sign-in-method').getAttribute('data-amr'), 'sc pin mfa');
});

test.serial('a wrong PIN is refused with the attempts left, and the plugin shows the counter', async (t) => {
  const { page } = await freshPage(t);
  // belov's token is ready on this machine after every reset.
  await toCertificateScreen(page);
  t.regex(await page.locator('#esign-certificate option').first().innerText(), /Белов/);
  await page.getByTestId('esign-pin').fill('11111111');
  await page.getByTestId('esign-sign').click();
  await page.locator('body[data-error-code="esign.pin_invalid"]').waitFor();
  t.is(await screenOf(page), 'certificate');
  t.regex(await page.getByTestId('error').innerText(), /Осталось попыток: 2/);
  await page.locator('#esign-certificate[data-loaded]').waitFor({ state: 'attached' });
  await t.notThrowsAsync(page.getByText('Попыток ввода PIN-кода: 2 из 3').waitFor());
  // The right PIN still works and restores the counter.
  await page.getByTestId('esign-pin').fill('12345678');
  await page.getByTestId('esign-sign').click();
  await page.locator('body[data-screen="cabinet"]').waitFor();
  t.is(await errorCodeOf(page), null);
});

test.serial('«Подписать заявление» steps up from a password session to an electronic signature', async (t) => {
  const { page, run } = await freshPage(t);
  await page.goto(env.stand.rp);
  await page.getByTestId('login-esia').click();
  await page.getByTestId('identifier').fill('+79000000062');
  await page.getByTestId('password').fill('Test-1234');
  await page.getByTestId('submit').click();
  await page.locator('body[data-screen="otp"]').waitFor();
  const { messages } = await env.stand.control<{ messages: Array<{ code: string }> }>('GET', `/inbox/sms?to=%2B79000000062&run=${run}`);
  await page.getByTestId('otp-code').fill(messages[0]!.code);
  await page.getByTestId('submit').click();
  await page.locator('body[data-screen="cabinet"]').waitFor();
  t.is(await page.getByTestId('sign-in-method').getAttribute('data-amr'), 'pwd sms mfa');

  await page.getByTestId('sign-application').click();
  await page.locator('body[data-screen="certificate"]').waitFor();
  t.regex(await page.getByTestId('notice').innerText(), /юридически значимое действие/);
  t.is(await page.getByTestId('login-password').count(), 0, 'no way back to the password during a step-up');
  await page.locator('#esign-certificate[data-loaded]').waitFor({ state: 'attached' });
  await page.getByTestId('esign-pin').fill('12345678');
  await page.getByTestId('esign-sign').click();
  await page.locator('body[data-screen="rp-application-signed"]').waitFor();
  t.is(await page.getByTestId('signature-acr').innerText(), 'urn:esia:acr:signature');
  t.is(await page.getByTestId('signature-amr').getAttribute('data-amr'), 'sc pin mfa');
});
