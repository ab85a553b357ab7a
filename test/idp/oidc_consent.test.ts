/*
 * Consent on the OIDC face: a third-party client (registered without "first_party": true) meets the
 * consent screen for the scopes the user has not granted it; a first-party one never does.
 */
import test from 'ava';
import { HttpBrowser } from '../../scenarios/runner/http_browser.ts';
import {
  authorization,
  callbackOf,
  ivanov,
  offline,
  redeem,
  registerClient,
  signInAndRedeem,
  signInAsIvanov,
  signInTo,
} from '../helpers/oidc_client.ts';
import { sharedStand } from '../helpers/stand.ts';

const shared = sharedStand();

test.serial(
  'a third-party client is shown the consent screen in Russian, with its name and the data it asks for',
  async (t) => {
    const client = await registerClient(shared.stand);
    const { browser } = await signInTo(shared.stand, client, offline);
    t.is(browser.screen(), 'consent');
    const text = await browser.text();
    t.true(text.includes(`«Тестовая система ${client.id}»`), text);
    t.true(text.includes('СНИЛС'));
    t.true(text.includes('Фамилия, имя, отчество'));
    t.true(text.includes('без вашего входа'), 'offline_access is explained');
    const scopes = browser.page?.root.querySelectorAll('[data-scope]').map((li) => li.getAttribute('data-scope'));
    t.deepEqual(scopes, ['openid', 'profile', 'snils', 'offline_access']);
    t.truthy(browser.byTestId('consent-allow'));
    t.truthy(browser.byTestId('consent-deny'));
  },
);

test.serial(
  '«Разрешить» yields a code and a refresh token; the grant is remembered, so the next sign-in asks nothing',
  async (t) => {
    const client = await registerClient(shared.stand);
    const { browser, tokens } = await signInAndRedeem(shared.stand, client, offline);
    t.truthy(tokens.refresh_token);
    t.is(tokens.claims()?.sub, ivanov.sub);
    t.true(tokens.scope?.split(' ').includes('offline_access'));
    // Same browser, same scopes without prompt=consent: straight back with a code.
    const again = await authorization(client, { scope: 'openid profile snils' });
    await browser.goto(again.url.href);
    t.truthy(callbackOf(client, browser)?.searchParams.get('code'), `screen ${browser.screen()}`);
  },
);

test.serial(
  'the consent is remembered for the account: signing in anew in another browser asks for no consent',
  async (t) => {
    const client = await registerClient(shared.stand);
    await signInAndRedeem(shared.stand, client, offline);
    const { browser } = await signInTo(shared.stand, client, { scope: 'openid profile snils offline_access' });
    t.truthy(callbackOf(client, browser), `expected the client's callback, got screen "${browser.screen()}"`);
    // More than was granted: only the new scope is asked.
    const more = await authorization(client, { scope: 'openid profile snils inn' });
    await browser.goto(more.url.href);
    t.is(browser.screen(), 'consent');
    t.deepEqual(
      browser.page?.root.querySelectorAll('[data-scope]').map((li) => li.getAttribute('data-scope')),
      ['inn'],
    );
  },
);

test.serial('«Отказать» returns access_denied to the client', async (t) => {
  const client = await registerClient(shared.stand);
  const { browser, auth } = await signInTo(shared.stand, client, offline);
  await browser.click('consent-deny');
  const callback = callbackOf(client, browser);
  t.is(callback?.searchParams.get('error'), 'access_denied');
  t.is(callback?.searchParams.get('state'), auth.state);
  t.regex(
    callback?.searchParams.get('error_description') ?? '',
    /refused to grant openid profile snils offline_access/,
  );
  await t.throwsAsync(redeem(client, browser, auth), { message: /access_denied|authorization response/ });
});

test.serial(
  'prompt=consent for a first-party client is answered without a screen, and a password and code are asked once',
  async (t) => {
    const client = await registerClient(shared.stand, { first_party: true });
    const { browser, auth } = await signInTo(shared.stand, client, offline);
    t.truthy(callbackOf(client, browser), `expected the client's callback, got screen "${browser.screen()}"`);
    t.is(browser.history.filter((p) => p.screen === 'login').length, 1, 'the login screen is not shown again');
    const tokens = await redeem(client, browser, auth);
    t.truthy(tokens.refresh_token);
  },
);

test.serial('a client registered with a non-boolean first_party is refused with the field named', async (t) => {
  const error = await t.throwsAsync(registerClient(shared.stand, { first_party: 'yes' }));
  t.regex(error?.message ?? '', /first_party must be true or false/);
});

test.serial(
  'a consent form with an unknown decision, or sent while the sign-in waits for the password, gets a named error page',
  async (t) => {
    const client = await registerClient(shared.stand);
    const auth = await authorization(client, offline);
    const browser = new HttpBrowser();
    await browser.goto(auth.url.href);
    const loginUrl = browser.page!.url;
    await browser.send(`${loginUrl}/consent`, 'POST', 'decision=allow');
    t.is(browser.screen(), 'error');
    t.is(browser.errorCode(), 'interaction.expired');
    await browser.goto(auth.url.href);
    await signInAsIvanov(shared.stand, browser);
    const consentUrl = browser.page!.url;
    await browser.send(`${consentUrl}/consent`, 'POST', 'decision=maybe');
    t.is(browser.page?.status, 400);
    t.is(browser.errorCode(), 'oauth.invalid_request');
    const ref = await browser.attribute('ref-code', 'data-ref');
    t.regex(
      JSON.stringify(await shared.stand.control('GET', `/audit/${ref}`)),
      /allow or deny/,
      'support sees what was wrong by the reference code',
    );
  },
);
