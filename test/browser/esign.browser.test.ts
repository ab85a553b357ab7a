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

/**
 * A fresh browser in a fresh run whose clock stands an hour after the test PKI was made; with
 * `seatedAs`, that person's token is plugged into it (cookie esia_token), as the scenario runner does.
 */
async function freshPage(
  t: { teardown(fn: () => Promise<void>): void },
  seatedAs?: string,
): Promise<{ page: Page; run: string }> {
  const { run, end } = await newRun(env.stand);
  const { pkiGeneratedAt } = await env.stand.control<{ pkiGeneratedAt: string }>('GET', `/esign?run=${run}`);
  await env.stand.control('POST', `/clock?run=${run}`, {
    set: new Date(Date.parse(pkiGeneratedAt) + 3600_000).toISOString(),
    freeze: true,
  });
  const context = await env.browser.newContext({ locale: 'ru-RU' });
  context.setDefaultTimeout(15_000);
  const cookie = {
    domain: 'localhost',
    path: '/',
    sameSite: 'Lax' as const,
    expires: Math.floor(Date.now() / 1000) + 3600,
  };
  await context.addCookies([{ name: 'esia_run', value: run, ...cookie }]);
  if (seatedAs) {
    const token = await env.stand.control<{ id: string }>('GET', `/personas/${seatedAs}/token?run=${run}`);
    await context.addCookies([{ name: 'esia_token', value: token.id, ...cookie }]);
  }
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
  const { bundle } = await env.stand.control<{ bundle: string }>(
    'GET',
    `/personas/ivanov/certificate?variant=valid&run=${run}`,
  );
  const dir = await mkdtemp(join(tmpdir(), 'esign-browser-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'ivanov.pem');
  await writeFile(file, bundle, { mode: 0o600 });

  await toCertificateScreen(page);
  t.is(
    await page.locator('#esign-certificate option').count(),
    0,
    "a browser nobody was seated at holds no one's certificates",
  );
  t.is(await page.getByTestId('esign-token-state').innerText(), 'На токене нет сертификатов: загрузите файл ключа.');
  // The file control speaks Russian: a button-like label and the chosen file's name.
  t.is(await page.locator('label[for="esign-file"]').innerText(), 'Выбрать файл');
  t.is(await page.getByTestId('esign-file-name').innerText(), 'Файл не выбран');
  await page.getByTestId('esign-file').setInputFiles(file);
  await page.locator('#esign-certificate[data-imported]').waitFor({ state: 'attached' });
  t.is(await page.getByTestId('esign-file-name').innerText(), 'ivanov.pem');
  t.regex(await page.locator('#esign-certificate option:checked').innerText(), /Иванов Иван Иванович/);
  await page.getByTestId('esign-pin').fill('12345678');
  await page.getByTestId('esign-sign').click();
  await page.locator('body[data-screen="cabinet"]').waitFor();
  t.is(await page.getByTestId('cabinet-name').innerText(), 'Иванов Иван Иванович');
  t.is(await page.getByTestId('sign-in-method').getAttribute('data-amr'), 'sc pin mfa');
});

test.serial(
  'the certificate screen: no inline script, a keyboard-operable Russian file control, the TLS sign-in explained before its link',
  async (t) => {
    const { page } = await freshPage(t);
    await toCertificateScreen(page);
    t.is(await page.locator('script:not([src])').count(), 0);
    // Tab reaches the visually hidden input itself, so Enter or Space opens the file dialog.
    await page.getByTestId('esign-certificate').focus();
    await page.keyboard.press('Tab');
    t.is(await page.evaluate(() => document.activeElement?.id), 'esign-file');
    const tls = page.getByTestId('esign-tls-details');
    t.false(await page.getByTestId('esign-tls').isVisible(), 'the TLS link waits behind the explanation');
    await tls.locator('summary').click();
    t.regex(await tls.innerText(), /доверьте тестовому корню стенда[\s\S]*попросит выбрать сертификат/);
    t.is(await page.getByTestId('esign-tls-root').getAttribute('href'), '/pki/root.crt');
    t.true(await page.getByTestId('esign-tls').isVisible());
  },
);

test.serial('a wrong PIN is refused with the attempts left, and the plugin shows the counter', async (t) => {
  const { page } = await freshPage(t, 'belov');
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

/** Signs in to ФМРМ by password and SMS code as the persona with this phone. */
async function passwordSignIn(page: Page, run: string, phone: string): Promise<void> {
  await page.goto(env.stand.rp);
  await page.getByTestId('login-esia').click();
  await page.getByTestId('identifier').fill(phone);
  await page.getByTestId('password').fill('Test-1234');
  await page.getByTestId('submit').click();
  await page.locator('body[data-screen="otp"]').waitFor();
  const { messages } = await env.stand.control<{ messages: Array<{ code: string }> }>(
    'GET',
    `/inbox/sms?to=${encodeURIComponent(phone)}&run=${run}`,
  );
  await page.getByTestId('otp-code').fill(messages[0]!.code);
  await page.getByTestId('submit').click();
  await page.locator('body[data-screen="cabinet"]').waitFor();
}

test.serial("in a step-up Иванов is not offered Белов's certificates", async (t) => {
  const { page, run } = await freshPage(t, 'ivanov');
  const ivanov = (
    await env.stand.control<Array<{ persona: string; phone: string }>>('GET', `/personas?run=${run}`)
  ).find((p) => p.persona === 'ivanov')!;
  await passwordSignIn(page, run, ivanov.phone);
  await page.getByTestId('sign-application').click();
  await page.locator('body[data-screen="certificate"]').waitFor();
  await page.locator('#esign-certificate[data-loaded]').waitFor({ state: 'attached' });
  t.deepEqual(
    await page.locator('#esign-certificate option').allInnerTexts(),
    [],
    "no certificate of anyone else on Иванов's token",
  );
  t.is(await page.getByTestId('esign-token-state').innerText(), 'На токене нет сертификатов: загрузите файл ключа.');
});

test.serial('«Подписать заявление» steps up from a password session to an electronic signature', async (t) => {
  const { page, run } = await freshPage(t, 'belov');
  await passwordSignIn(page, run, '+79000000062');
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
