/*
 * «Мои услуги» (G1) over HTTP on a whole stand: the tiles are the stand's first-party systems, a
 * tile opens its system without a second password, and the page asks to sign in first when no one
 * has. Each test plays in its own run of the stand, so SMS codes and sessions never cross.
 */
import test from 'ava';
import { HttpBrowser } from '../scenarios/runner/http_browser.ts';
import { newRun } from '../scenarios/runner/stand.ts';
import { sharedStand } from './helpers/stand.ts';

const shared = sharedStand();

/** A browser joined to a new run, sent to `next` (a path of the emulator). */
async function browserInRun(next: string) {
  const { stand } = shared;
  const { run } = await newRun(stand);
  const b = new HttpBrowser();
  await b.goto(`${stand.idp}/__control/runs/${run}/enter?next=${encodeURIComponent(`${stand.idp}${next}`)}`);
  return { b, run };
}

/** The password and SMS screens of the emulator, for a persona by phone. */
async function passSignIn(b: HttpBrowser, run: string, phone: string) {
  await b.click('submit', { identifier: phone, password: 'Test-1234' });
  const { messages } = await shared.stand.control<{ messages: Array<{ code: string }> }>(
    'GET',
    `/inbox/sms?to=${encodeURIComponent(phone)}&run=${run}`,
  );
  await b.click('submit', { code: messages[0]?.code ?? '' });
}

const tiles = (b: HttpBrowser) =>
  (b.page?.root.querySelectorAll('[data-testid="service-tiles"] a') ?? []).map((a) => ({
    client: a.getAttribute('data-client'),
    href: a.getAttribute('href'),
    text: a.textContent,
  }));

test('not signed in, «Мои услуги» asks to sign in on Госуслуги first, then comes back to the tiles', async (t) => {
  const { b, run } = await browserInRun('/my/services');
  t.is(b.screen(), 'login', 'the sign-in screen, not the page');
  t.regex(b.page?.url ?? '', /\/interaction\//);
  await passSignIn(b, run, '+79000000001');
  t.is(b.screen(), 'my-services');
  t.is(new URL(b.page?.url ?? '').pathname, '/my/services');
  t.is(b.byTestId('person-name')?.textContent, 'Иванов Иван Иванович');
  t.truthy(b.byTestId('test-stand-banner'), 'marked as a test stand');
});

test('the tiles are the stand’s first-party systems, each leading to its own sign-in', async (t) => {
  const { b, run } = await browserInRun('/my/services');
  await passSignIn(b, run, '+79000000001');
  const { stand } = shared;
  t.deepEqual(
    tiles(b).map(({ client, href }) => ({ client, href })),
    [
      { client: 'fmrm', href: `${stand.rp}/login` },
      { client: 'nmo-portal', href: `${stand.rp2}/login` },
    ],
  );
  t.regex(tiles(b)[0]?.text ?? '', /ФМРМ.*Федеральный регистр медицинских работников/);
  t.regex(tiles(b)[1]?.text ?? '', /Портал НМО.*Непрерывное медицинское образование/);
});

test('a tile opens its system by SSO: no password screen, straight into the cabinet; then the second system too', async (t) => {
  const { b, run } = await browserInRun('/my/services');
  await passSignIn(b, run, '+79000000001');
  const start = b.history.length;
  await b.click('service-fmrm');
  t.is(b.screen(), 'cabinet');
  t.is(b.errorCode(), '');
  await b.goto(`${shared.stand.idp}/my/services`);
  await b.click('service-nmo-portal');
  t.is(b.screen(), 'cabinet');
  t.true((await b.text()).includes('Портал НМО'));
  const screens = b.history.slice(start).map((p) => p.screen);
  t.false(
    screens.some((s) => s === 'login' || s === 'otp'),
    `no password or code screen on the way: ${screens.join(' → ')}`,
  );
});

test('the tile of a system that refuses the person shows that system’s refusal, not a Госуслуги error', async (t) => {
  // Новикова has a standard account: ФМРМ needs a confirmed one (B8), Портал НМО lets her in.
  const { b, run } = await browserInRun('/my/services');
  await passSignIn(b, run, '+79000000010');
  await b.click('service-fmrm');
  t.is(b.screen(), 'rp-error');
  t.is(b.errorCode(), 'rp.trust_level_too_low');
  t.is(new URL(b.page?.url ?? '').origin, new URL(shared.stand.rp).origin);
  await b.goto(`${shared.stand.idp}/my/services`);
  await b.click('service-nmo-portal');
  t.is(b.screen(), 'cabinet');
});

test('«Выйти из Госуслуг» ends the emulator’s session: «Мои услуги» then asks to sign in again', async (t) => {
  const { b, run } = await browserInRun('/my/services');
  await passSignIn(b, run, '+79000000001');
  await b.click('idp-logout');
  t.is(b.screen(), 'logged-out');
  await b.goto(`${shared.stand.idp}/my/services`);
  t.is(b.screen(), 'login');
});

test('the developer front page stays, and links to «Мои услуги» and to signing in', async (t) => {
  const b = new HttpBrowser();
  await b.goto(`${shared.stand.idp}/`);
  t.is(b.screen(), 'home');
  t.is(b.byTestId('my-services')?.getAttribute('href'), '/my/services');
  await b.click('idp-sign-in');
  t.is(b.screen(), 'login');
});

test('a cancelled sign-in from «Мои услуги» comes back to the front page, not to an error', async (t) => {
  const b = new HttpBrowser();
  await b.goto(`${shared.stand.idp}/my/callback?error=access_denied&state=x`);
  t.is(b.screen(), 'home');
});
