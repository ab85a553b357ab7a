/*
 * Two sign-ins started in two tabs of one browser (one cookie jar) and finished in the opposite
 * order: both end in the cabinet, in the OIDC and in the ESIA-mode relying party. A reload of a
 * callback that succeeded goes to the cabinet; a state this browser never started is still refused.
 */
import test from 'ava';
import type { ExecutionContext } from 'ava';
import { HttpBrowser } from '../scenarios/runner/http_browser.ts';
import { sharedStandAndRun } from './helpers/stand.ts';

const env = sharedStandAndRun();
const phone = '+79000000001';

/** Two tabs: two pages over one cookie jar, as in a real browser. */
async function twoTabs(): Promise<[HttpBrowser, HttpBrowser]> {
  const first = new HttpBrowser();
  await first.setCookie(env.stand.idp, 'esia_run', env.run);
  const second = new HttpBrowser();
  second.jar = first.jar;
  return [first, second];
}

/** Starts a sign-in in the tab; returns its state, read from the authorization request the RP sent the tab to. */
async function start(tab: HttpBrowser, rp: string): Promise<string> {
  const res = await fetch(`${rp}/login`, {
    redirect: 'manual',
    headers: { cookie: await tab.jar.getCookieString(rp) },
  });
  for (const cookie of res.headers.getSetCookie()) await tab.jar.setCookie(cookie, rp);
  const location = res.headers.get('location') ?? '';
  await tab.goto(location);
  return new URL(location).searchParams.get('state') ?? '';
}

async function signIn(tab: HttpBrowser): Promise<void> {
  await tab.click('submit', { identifier: phone, password: 'Test-1234' });
  if (tab.current()?.screen !== 'otp') return; // the IdP session of the other tab already signed in
  const sms = await env.stand.control<{ messages: Array<{ code: string }> }>(
    'GET',
    `/inbox/sms?to=${encodeURIComponent(phone)}&run=${env.run}`,
  );
  await tab.click('submit', { code: sms.messages[0]!.code }); // the inbox lists the newest first
}

for (const face of ['rp', 'rpEsia'] as const) {
  test.serial(
    `${face}: two tabs finished in the order 2 then 1 both reach the cabinet; a reload of the callback too`,
    async (t: ExecutionContext) => {
      const rp = env.stand[face]!;
      const [tab1, tab2] = await twoTabs();
      const state1 = await start(tab1, rp);
      await start(tab2, rp);
      t.is(tab1.current()?.screen, 'login');
      t.is(tab2.current()?.screen, 'login');

      await signIn(tab2);
      t.is(tab2.current()?.screen, 'cabinet', JSON.stringify(tab2.history));
      await signIn(tab1);
      t.is(tab1.current()?.screen, 'cabinet', JSON.stringify(tab1.history));

      // The code in a reloaded callback is already spent; the RP decides by the state before using it.
      await tab1.goto(`${rp}/callback?code=spent&state=${state1}`);
      t.is(tab1.current()?.screen, 'cabinet', 'a reload of a callback that succeeded');
      t.is(tab1.current()?.url, `${rp}/cabinet`);

      await tab1.goto(`${rp}/callback?code=forged&state=never-started`);
      t.is(tab1.current()?.error, 'rp.callback_invalid', 'a state this browser never started');
      await tab1.goto(`${rp}/cabinet`);
      t.is(tab1.current()?.screen, 'cabinet', 'the refused callback leaves the session alone');
    },
  );
}

test.serial('a callback that failed is not remembered as finished: its reload is refused again', async (t) => {
  const [tab] = await twoTabs();
  const state = await start(tab, env.stand.rp);
  await tab.click('cancel');
  t.is(tab.current()?.error, 'rp.login_refused');
  await tab.goto(`${env.stand.rp}/callback?error=access_denied&state=${state}`);
  t.is(tab.current()?.error, 'rp.callback_invalid');
});
