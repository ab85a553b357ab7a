/*
 * The plugin stand-in's token belongs to a person or to a browser, not to the run (A4, A8): a
 * browser sees only the token its esia_token cookie names; a person's token is plugged in by the
 * control API; in a step-up Иванов is never offered Белов's certificates.
 */
import test from 'ava';
import type { Scenario } from '../../scenarios/schema.ts';
import { HttpBrowser } from '../../scenarios/runner/http_browser.ts';
import { runScenario } from '../../scenarios/runner/run.ts';
import { newRun, type Stand, startStand } from '../../scenarios/runner/stand.ts';

let stand: Stand;
test.before(async () => {
  stand = await startStand();
});
test.after.always(async () => {
  await stand?.close();
});

interface TokenAnswer {
  certificates: Array<{ id: string }>;
}

/** A browser of its own: the plugin's answers with this jar's cookies (esia_run, esia_token). */
async function browserIn(run: string): Promise<HttpBrowser> {
  const browser = new HttpBrowser();
  await browser.setCookie(stand.idp, 'esia_run', run);
  return browser;
}

async function plugin(
  browser: HttpBrowser,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: TokenAnswer & Record<string, unknown> }> {
  const url = `${stand.idp}/plugin/api${path}`;
  const res = await fetch(url, {
    method: body ? 'POST' : 'GET',
    headers: {
      cookie: await browser.jar.getCookieString(url),
      ...(body ? { 'content-type': 'application/json' } : {}),
    },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  for (const c of res.headers.getSetCookie()) await browser.jar.setCookie(c, url);
  return { status: res.status, body: (await res.json()) as TokenAnswer & Record<string, unknown> };
}

const ids = (answer: { body: TokenAnswer }) => answer.body.certificates.map((c) => c.id);

test('each browser has its own token: a key file loaded in one is not in another', async (t) => {
  const { run, end } = await newRun(stand);
  t.teardown(end);
  const [a, b] = [await browserIn(run), await browserIn(run)];
  t.deepEqual(ids(await plugin(a, '/certificates')), [], "a browser nobody was seated at holds no one's certificates");
  const { bundle } = await stand.control<{ bundle: string }>(
    'GET',
    `/personas/ivanov/certificate?variant=valid&run=${run}`,
  );
  const imported = await plugin(a, '/import', { pem: bundle });
  t.is(imported.status, 201);
  t.deepEqual(ids(await plugin(a, '/certificates')), [imported.body.id]);
  t.deepEqual(ids(await plugin(b, '/certificates')), []);
  const all = await stand.control<{ tokens: Array<{ owner: string | null; certificates: unknown[] }> }>(
    'GET',
    `/token?run=${run}`,
  );
  t.is(all.tokens.filter((x) => x.owner === null).length, 2, "the run lists both browsers' tokens");
});

test("a person's token is plugged into a browser by its id; another person's stays out of it", async (t) => {
  const { run, end } = await newRun(stand);
  t.teardown(end);
  const belov = await stand.control<{ id: string; owner: string; certificates: Array<{ id: string }> }>(
    'GET',
    `/personas/belov/token?run=${run}`,
  );
  t.is(belov.owner, 'belov');
  t.deepEqual(
    belov.certificates.map((c) => c.id),
    ['belov-valid'],
    "belov's token is ready after a reset (esignToken)",
  );
  await stand.control('POST', `/personas/ivanov/token?run=${run}`, { variant: 'expired' });
  const ivanov = await stand.control<{ id: string }>('GET', `/personas/ivanov/token?run=${run}`);

  const atBelovs = await browserIn(run);
  await atBelovs.setCookie(stand.idp, 'esia_token', belov.id);
  t.deepEqual(ids(await plugin(atBelovs, '/certificates')), ['belov-valid']);
  const atIvanovs = await browserIn(run);
  await atIvanovs.setCookie(stand.idp, 'esia_token', ivanov.id);
  t.deepEqual(ids(await plugin(atIvanovs, '/certificates')), ['ivanov-expired']);
  // The control API's selection by persona, and the plug-in link a trainer's browser follows.
  t.deepEqual(
    (await stand.control<TokenAnswer>('GET', `/token?persona=ivanov&run=${run}`)).certificates.map((c) => c.id),
    ['ivanov-expired'],
  );
  const plugIn = await fetch(`${stand.idp}/__control/personas/belov/token/plug-in?next=/&run=${run}`, {
    redirect: 'manual',
  });
  t.is(plugIn.status, 302);
  t.is(plugIn.headers.get('location'), '/');
  const offSite = await fetch(
    `${stand.idp}/__control/personas/belov/token/plug-in?next=//elsewhere.example/&run=${run}`,
    { redirect: 'manual' },
  );
  t.is(offSite.status, 400, 'a protocol-relative next is refused, not followed off the stand');
  t.is(offSite.headers.get('location'), null);
  t.regex(plugIn.headers.getSetCookie().join('\n'), new RegExp(`esia_token=${belov.id}`));
  // The trainer's start link enters the run as the scenario's persona, token included.
  const enter = await fetch(`${stand.idp}/__control/runs/${run}/enter?persona=belov&next=/`, { redirect: 'manual' });
  t.regex(enter.headers.getSetCookie().join('\n'), new RegExp(`esia_token=${belov.id}`));
  // A token id that is not of this run gives a new empty token, not someone else's.
  const stranger = await browserIn(run);
  await stranger.setCookie(stand.idp, 'esia_token', 'guessed-id');
  t.deepEqual(ids(await plugin(stranger, '/certificates')), []);
});

test("in a step-up Иванов is not offered Белов's certificates", async (t) => {
  const { run, end } = await newRun(stand);
  t.teardown(end);
  const scenario: Scenario = {
    id: 'stepup-ivanov-token',
    title: 'step-up as ivanov',
    catalogue: ['A8'],
    given: { persona: 'ivanov', clock: 'pki' },
    steps: [
      { do: 'open', app: 'rp' },
      { do: 'click', testid: 'login-esia' },
      { do: 'signIn' },
      { do: 'enterCode', expect: { app: 'rp', screen: 'cabinet' } },
      { do: 'click', testid: 'sign-application', expect: { app: 'idp', screen: 'certificate' } },
      { do: 'esign', certificate: 'belov' },
    ],
    expect: { app: 'idp', screen: 'certificate' },
  };
  const result = await runScenario(stand, scenario, new HttpBrowser(), { run });
  t.false(result.ok);
  t.regex(result.failure ?? '', /No certificate matching "belov" on the virtual token; it holds: nothing/);
});
