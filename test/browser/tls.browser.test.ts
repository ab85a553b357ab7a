/*
 * What the user's browser says about the emulator's broken HTTPS certificates (C6): real
 * Chromium with the test root trusted in a throwaway NSS database (certutil, Debian libnss3-tools),
 * as a user who followed the README «HTTPS» would have it. Each fault is switched on the emulator
 * and the exact network error Chromium reports is asserted; the interstitial gets a screenshot in
 * out/screenshots/tls-<certificate>/. Findings (recorded in the README): expired → net::ERR_CERT_DATE_INVALID,
 * wrong host → net::ERR_CERT_COMMON_NAME_INVALID, untrusted root → net::ERR_CERT_AUTHORITY_INVALID;
 * a revoked certificate is NOT reported — Chromium does no online OCSP/CRL checks for such sites.
 * The trainer's «Воспроизвести» is checked here too, in the same trusting browser.
 */
import test from 'ava';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Browser } from 'playwright-core';
import { loadTestPki } from '../../lib/pki/test_pki.ts';
import { launchChromium } from '../../scenarios/runner/chromium_driver.ts';
import { type Stand, startStand } from '../../scenarios/runner/stand.ts';
import { trainerRoutes } from '../../trainer/routes.ts';

const run = promisify(execFile);
const screenshots = join(import.meta.dirname, '..', '..', 'out', 'screenshots');
let stand: Stand;
let browser: Browser;
let home: string;

test.before(async () => {
  stand = await startStand({ https: true }, ({ rpUrl, rp2Url, dir }) => [
    trainerRoutes({ rpUrl, rp2Url, shotsDir: join(dir, 'shots') }),
  ]);
  const pki = await loadTestPki(stand.keysDir!);
  home = await mkdtemp(join(tmpdir(), 'esia-chromium-home-'));
  const nss = join(home, '.pki', 'nssdb');
  await mkdir(nss, { recursive: true });
  try {
    await run('certutil', ['-d', `sql:${nss}`, '-N', '--empty-password']);
    await run('certutil', [
      '-d',
      `sql:${nss}`,
      '-A',
      '-t',
      'C,,',
      '-n',
      'esia-emulator test root',
      '-i',
      pki.root.certificateFile,
    ]);
  } catch (error) {
    throw new Error(
      `certutil failed (${(error as Error).message}). Install it from Debian: sudo apt-get install -y libnss3-tools`,
    );
  }
  browser = await launchChromium({ env: { HOME: home }, args: ['--lang=ru-RU'] });
});
test.after.always(async () => {
  await browser?.close();
  await stand?.control('POST', '/tls', { certificate: 'valid' }).catch(() => undefined);
  await stand?.close();
  if (home) await rm(home, { recursive: true, force: true });
});

/** Opens the emulator's home page with `certificate` served; the navigation error, or '' when it loaded. */
async function open(certificate: string): Promise<{ error: string; title: string; text: string }> {
  await stand.control('POST', '/tls', { certificate });
  const context = await browser.newContext({ locale: 'ru-RU' });
  const page = await context.newPage();
  try {
    const error = await page.goto(`${stand.idp}/`).then(
      () => '',
      (e: Error) => e.message,
    );
    await mkdir(join(screenshots, `tls-${certificate}`), { recursive: true });
    await page.screenshot({ path: join(screenshots, `tls-${certificate}`, '01-idp.png') }).catch(() => undefined);
    return { error, title: await page.title().catch(() => ''), text: await page.innerText('body').catch(() => '') };
  } finally {
    await context.close();
  }
}

test.serial('with the test root trusted, the valid certificate loads the emulator over TLS 1.3', async (t) => {
  const { error, title } = await open('valid');
  t.is(error, '');
  t.regex(title, /ЕСИА|Госуслуг|эмулятор/i);
});

for (const [certificate, netError] of [
  ['expired', 'net::ERR_CERT_DATE_INVALID'],
  ['wrong-host', 'net::ERR_CERT_COMMON_NAME_INVALID'],
  ['untrusted', 'net::ERR_CERT_AUTHORITY_INVALID'],
] as const) {
  test.serial(`an ${certificate} certificate: Chromium refuses the page with ${netError}`, async (t) => {
    const { error, text } = await open(certificate);
    t.true(error.includes(netError), error);
    // the interstitial the user reads (Debian's Chromium without Russian locale files: «Your connection is not private»)
    t.true(text.includes(netError.toUpperCase()), text);
    t.log(text.replace(/\s+/g, ' ').slice(0, 200));
  });
}

test.serial(
  'a revoked certificate: Chromium opens the page anyway (no online revocation checks) — only the RP back-channel catches it',
  async (t) => {
    const { error } = await open('revoked');
    t.is(error, '', 'if this fails, Chromium started checking revocation: update the README «TLS faults»');
  },
);

test.serial(
  'the trainer over HTTPS: «Воспроизвести» in /trainer arranges the run, its «Выполнить» buttons act on it',
  async (t) => {
    await stand.control('POST', '/tls', { certificate: 'valid' });
    const context = await browser.newContext({ locale: 'ru-RU' });
    const page = await context.newPage();
    try {
      await page.goto(`${stand.idp}/trainer`);
      await page.click('[data-testid="replay-locked-account-unlocked-by-support"]');
      await page.waitForSelector('body[data-screen="trainer-run"]');
      const run = (await page.getAttribute('body', 'data-run')) ?? '';
      t.regex(run, /^run-/);
      t.true((await page.innerText('body')).includes('+79000000002'));
      await page.click('[data-testid^="act-"]');
      await page.waitForSelector('body[data-screen="trainer-run"]');
      const personas = await stand.control<Array<{ persona: string; state: { locked: boolean } }>>(
        'GET',
        `/personas?run=${run}`,
      );
      t.false(
        personas.find((p) => p.persona === 'petrova')?.state.locked,
        'the support step ran over HTTPS, in that run',
      );
    } finally {
      await context.close();
    }
  },
);
