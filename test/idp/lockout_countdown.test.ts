/*
 * C1, C2: wrong passwords count down before the lock, and a login no account has gets the same
 * countdown and the same lock, so the pages cannot tell whether the login exists.
 */
import test from 'ava';
import { attemptsLeftWarning } from '../../idp/domain/lockout.ts';
import { pluralForm } from '../../lib/russian_plural.ts';
import { HttpBrowser } from '../../scenarios/runner/http_browser.ts';
import { sharedStandAndRun } from '../helpers/stand.ts';

const env = sharedStandAndRun();
const known = '+79000000001';
const unknown = '+79009999999';

/** Five wrong passwords for one login in one sign-in, then the right one; each page as the person sees it. */
async function attempts(
  identifier: string,
): Promise<Array<{ status: number; error: string; lines: string[]; html: string }>> {
  const browser = new HttpBrowser();
  await browser.setCookie(env.stand.idp, 'esia_run', env.run);
  await browser.goto(`${env.stand.rp}/login`);
  const uid = /\/interaction\/([\w-]+)/.exec(browser.page!.url)![1]!;
  const pages = [];
  for (const password of [
    'Wrong-pass-1',
    'Wrong-pass-2',
    'Wrong-pass-3',
    'Wrong-pass-4',
    'Wrong-pass-5',
    'Test-1234',
  ]) {
    if (browser.screen() !== 'login') await browser.goto(`${env.stand.idp}/interaction/${uid}`);
    await browser.click('submit', { identifier, password });
    const page = browser.page!;
    const ref = browser.byTestId('ref-code')?.getAttribute('data-ref') ?? '';
    pages.push({
      status: page.status,
      error: browser.errorCode(),
      lines: (browser.byTestId('error-lines')?.querySelectorAll('li') ?? []).map((li) => li.text),
      // What differs by nature: the reference code, the sign-in's id, the browser's form token and the login typed.
      html: page.html
        .replaceAll(ref, '<ref>')
        .replaceAll(uid, '<uid>')
        .replace(/name="csrf_token" value="[\w-]+"/g, 'name="csrf_token" value="<token>"')
        .replaceAll(identifier, '<login>'),
    });
  }
  return pages;
}

test.serial('wrong passwords 1–2 are plain, 3–4 warn how many attempts are left, the 5th locks', async (t) => {
  await env.stand.control('POST', `/reset?run=${env.run}`);
  const pages = await attempts(known);
  t.deepEqual(
    pages.map((p) => p.error),
    [
      'login.invalid_credentials',
      'login.invalid_credentials',
      'login.invalid_credentials',
      'login.invalid_credentials',
      'account.locked',
      'account.locked',
    ],
  );
  t.deepEqual(pages[0]!.lines, []);
  t.deepEqual(pages[1]!.lines, []);
  t.deepEqual(pages[2]!.lines, [attemptsLeftWarning(2)]);
  t.deepEqual(pages[3]!.lines, [attemptsLeftWarning(1)]);
  t.regex(pages[2]!.lines[0]!, /^Осталось 2 попытки\. Если ошибиться ещё 2 раза, вход заблокируется/);
  t.regex(pages[3]!.lines[0]!, /^Осталась 1 попытка\. Если ошибиться ещё раз, вход заблокируется/);
});

test.serial('an unknown login gets the identical pages: the same countdown and the same lock', async (t) => {
  await env.stand.control('POST', `/reset?run=${env.run}`);
  const real = await attempts(known);
  const none = await attempts(unknown);
  t.deepEqual(
    none.map((p) => p.error),
    real.map((p) => p.error),
  );
  t.deepEqual(
    none.map((p) => p.status),
    real.map((p) => p.status),
  );
  for (const [i, page] of none.entries()) t.is(page.html, real[i]!.html, `attempt ${i + 1}`);
  // Another way of writing the same unknown phone is the same login: it stays locked.
  const again = await attempts('8 (900) 999-99-99');
  t.is(again[0]!.error, 'account.locked');
});

test('Russian plural forms after a number', (t) => {
  const forms = ['попытка', 'попытки', 'попыток'] as const;
  t.deepEqual(
    [0, 1, 2, 4, 5, 11, 12, 14, 21, 22, 25, 101, 111].map((n) => pluralForm(n, forms)),
    [
      'попыток',
      'попытка',
      'попытки',
      'попытки',
      'попыток',
      'попыток',
      'попыток',
      'попыток',
      'попытка',
      'попытки',
      'попыток',
      'попытка',
      'попыток',
    ],
  );
  t.regex(attemptsLeftWarning(5), /^Осталось 5 попыток\. Если ошибиться ещё 5 раз,/);
  t.regex(attemptsLeftWarning(3), /^Осталось 3 попытки\. Если ошибиться ещё 3 раза,/);
});
