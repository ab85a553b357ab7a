/* F4: lockout holds when wrong passwords arrive at the same moment from many browsers. */
import test from 'ava';
import { HttpBrowser } from '../../scenarios/runner/http_browser.ts';
import { type Stand, startStand } from '../../scenarios/runner/stand.ts';

let stand: Stand;
test.before(async () => {
  stand = await startStand();
});
test.after.always(() => stand?.close());

async function loginScreen(): Promise<HttpBrowser> {
  const browser = new HttpBrowser();
  await browser.goto(`${stand.rp}/login`);
  return browser;
}

test.serial('20 concurrent wrong passwords count exactly 5 failures, lock, and refuse the rest', async (t) => {
  await stand.control('POST', '/reset');
  const browsers = await Promise.all(Array.from({ length: 20 }, loginScreen));
  const results = await Promise.all(
    browsers.map(async (b, i) => {
      await b.click('submit', { identifier: '+79000000001', password: `Wrong-pass-${i}` });
      return b.errorCode() || b.screen();
    }),
  );
  const count = (what: string) => results.filter((r) => r === what).length;
  t.is(count('login.invalid_credentials'), 4, 'attempts 1–4 are plain refusals');
  t.is(count('account.locked'), 16, 'the fifth locks, the rest meet the lock');
  const personas = await stand.control<Array<{ persona: string; state: { locked: boolean; failedAttempts: number } }>>(
    'GET',
    '/personas',
  );
  const ivanov = personas.find((p) => p.persona === 'ivanov');
  t.true(ivanov?.state.locked);
  t.is(ivanov?.state.failedAttempts, 5, 'nothing is counted once the account is locked');
});

test.serial('after the lock, the right password is refused until support unlocks', async (t) => {
  await stand.control('POST', '/reset');
  for (let i = 0; i < 5; i++) {
    const b = await loginScreen();
    await b.click('submit', { identifier: '+79000000001', password: 'Wrong-pass-1' });
  }
  const b = await loginScreen();
  await b.click('submit', { identifier: '+79000000001', password: 'Test-1234' });
  t.is(b.errorCode(), 'account.locked');
  await stand.control('POST', '/accounts/ivanov/unlock');
  const again = await loginScreen();
  await again.click('submit', { identifier: '+79000000001', password: 'Test-1234' });
  t.is(again.screen(), 'otp');
});
