/* The trainer's gallery and «Воспроизвести»: every error screen listed, and a scenario arranged in its own run. */
import test from 'ava';
import Koa from 'koa';
import { once } from 'node:events';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'node-html-parser';
import { catalogue } from '../idp/errors/catalogue.ts';
import { rpErrors } from '../relying-party/errors.ts';
import { loadScenarios } from '../scenarios/load.ts';
import { HttpBrowser } from '../scenarios/runner/http_browser.ts';
import { expectations } from '../scenarios/schema.ts';
import { trainerRoutes } from '../trainer/routes.ts';
import { screenName } from '../trainer/screens_ru.ts';
import { type Stand, startStand } from '../scenarios/runner/stand.ts';

let stand: Stand;
test.before(async () => {
  stand = await startStand({}, ({ rpUrl, rp2Url, dir }) => [
    trainerRoutes({ rpUrl, rp2Url, shotsDir: join(dir, 'shots') }),
  ]);
});
test.after.always(() => stand?.close());

test('the gallery has one card per user-visible error, with the catalogue texts and the scenarios that show it', async (t) => {
  const page = parse(await (await fetch(`${stand.idp}/trainer`)).text());
  const cards = page.querySelectorAll('[data-testid="gallery-card"]');
  const codes = cards.map((c) => c.getAttribute('data-code'));
  t.deepEqual(codes.toSorted(), [...Object.keys(catalogue), ...Object.keys(rpErrors)].toSorted());
  const locked =
    page.querySelector('#account\\.locked') ?? cards.find((c) => c.getAttribute('data-code') === 'account.locked');
  t.truthy(locked);
  t.true(locked?.textContent.includes(catalogue['account.locked'].support));
  t.truthy(locked?.querySelector('[data-testid="replay-lockout-after-five-wrong-passwords"]'));
  t.true(locked?.getAttribute('data-search')?.includes('заблокирована'));
  t.truthy(page.querySelector('[data-testid="test-stand-banner"]'));
  t.is(page.querySelectorAll('section h2').length >= 4, true, 'grouped by the source document sections');
});

test('«Воспроизвести» arranges the scenario in an isolated run and walks the trainer to its first screen', async (t) => {
  const b = new HttpBrowser();
  await b.goto(`${stand.idp}/trainer`);
  await b.click('replay-locked-account-unlocked-by-support');
  const runId = b.page?.root.querySelector('body')?.getAttribute('data-run') ?? '';
  t.regex(runId, /^run-/);
  t.true((await b.text()).includes('+79000000002'), 'the persona login is on the run page');
  const runPage = b.page?.url ?? '';
  await b.click('start-run');
  t.is(b.current()?.screen, 'rp-home');
  await b.click('login-esia');
  await b.click('submit', { identifier: '+79000000002', password: 'Test-1234' });
  t.is(b.current()?.error, 'account.locked');
  // The support step is a button on the run page; it unlocks the persona of this run only.
  await b.goto(runPage);
  const unlock = b.page?.root.querySelectorAll('[data-testid^="act-"]')[0]?.getAttribute('data-testid') ?? '';
  await b.click(unlock);
  const personas = (run?: string) =>
    stand.control<Array<{ persona: string; state: { locked: boolean } }>>(
      'GET',
      `/personas${run ? `?run=${run}` : ''}`,
    );
  t.false((await personas(runId)).find((p) => p.persona === 'petrova')?.state.locked);
  t.true((await personas()).find((p) => p.persona === 'petrova')?.state.locked, 'the main run is untouched');
  await b.goto(`${stand.rp}/login`);
  await b.click('submit', { identifier: '+79000000002', password: 'Test-1234' });
  t.is(b.current()?.screen, 'otp');
  const inbox = (await (await fetch(`${stand.idp}/trainer/runs/${runId}/inbox.json`)).json()) as {
    messages: Array<{ to: string }>;
  };
  t.is(inbox.messages[0]?.to, '+79000000002');
});

test('an unknown scenario is a clear 404, not a stack trace', async (t) => {
  const res = await fetch(`${stand.idp}/trainer/replay/nope`, { method: 'POST' });
  t.is(res.status, 404);
  t.notRegex(await res.text(), /\bat \w/);
});

test('«Воспроизвести» pressed on a page of another origin (another localhost port) starts nothing', async (t) => {
  const res = await fetch(`${stand.idp}/trainer/replay/otp-expired`, {
    method: 'POST',
    redirect: 'manual',
    headers: { origin: 'http://localhost:1' },
  });
  t.is(res.status, 400, 'refused as a bad request, the reason in the developer block');
  t.regex(await res.text(), /не на странице галереи/);
  const own = await fetch(`${stand.idp}/trainer/replay/otp-expired`, {
    method: 'POST',
    redirect: 'manual',
    headers: { origin: new URL(stand.idp).origin },
  });
  t.is(own.status, 303);
});

test('the walk-through says the expected outcome in words: the screen’s name and the error’s title, or «без ошибки»', async (t) => {
  const outcome = async (id: string) => {
    const res = await fetch(`${stand.idp}/trainer/replay/${id}`, { method: 'POST', redirect: 'manual' });
    const page = parse(await (await fetch(new URL(res.headers.get('location') ?? '', stand.idp))).text());
    // The steps' own checks read the same way: no bare screen id, no «none».
    t.notRegex(page.querySelector('ol')?.textContent ?? '', /экран «[a-z-]+»|ошибка none/);
    return page.querySelector('[data-testid="expected-outcome"]')?.textContent ?? '';
  };
  t.is(await outcome('locked-account-unlocked-by-support'), 'Ожидаемый итог: экран «Личный кабинет ФМРМ», без ошибки.');
  t.is(
    await outcome('lockout-after-five-wrong-passwords'),
    `Ожидаемый итог: экран «Сообщение об ошибке на Госуслугах», ошибка «${catalogue['account.locked'].title}» (account.locked).`,
  );
});

test('every screen a scenario expects has a Russian name for the walk-through', async (t) => {
  const unnamed = (await loadScenarios())
    .flatMap(expectations)
    .filter((e) => e.screen && screenName(e.screen, e.app) === e.screen)
    .map((e) => `${e.app ?? ''} ${e.screen}`);
  t.deepEqual([...new Set(unnamed)], []);
});

test.serial(
  'the static gallery’s «Воспроизвести» link opens a page whose button arranges the run; the GET itself starts nothing',
  async (t) => {
    // Serial (ava runs serial tests before the others): no other test creates a run meanwhile.
    const runs = async () => (await stand.control<Array<unknown>>('GET', '/runs')).length;
    const before = await runs();
    const b = new HttpBrowser();
    await b.goto(`${stand.idp}/trainer/replay/otp-expired`);
    t.is(b.current()?.screen, 'trainer-replay');
    t.is(await runs(), before);
    await b.click('replay-otp-expired');
    t.is(b.current()?.screen, 'trainer-run');
    t.regex(b.page?.root.querySelector('body')?.getAttribute('data-run') ?? '', /^run-/);
  },
);

test('the live gallery shows and serves the JPEG screenshots npm run gallery wrote, of error screens and of screens without an error', async (t) => {
  const shotsDir = await mkdtemp(join(tmpdir(), 'esia-shots-'));
  const jpeg = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10]);
  await mkdir(join(shotsDir, 'otp-expired'));
  await writeFile(join(shotsDir, 'otp-expired', '04-idp-otp-otp.expired.jpg'), jpeg);
  await mkdir(join(shotsDir, 'my-services-sso'));
  await writeFile(join(shotsDir, 'my-services-sso', '04-idp-my-services.jpg'), jpeg);
  const server = new Koa().use(trainerRoutes({ rpUrl: stand.rp, rp2Url: stand.rp2, shotsDir })).listen(0, '127.0.0.1');
  await once(server, 'listening');
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    const page = parse(await (await fetch(`${base}/trainer`)).text());
    const src = page.querySelector('#otp\\.expired .shot img')?.getAttribute('src');
    t.is(src, '/trainer/shots/otp-expired/04-idp-otp-otp.expired.jpg');
    const image = await fetch(`${base}${src}`);
    t.is(image.headers.get('content-type'), 'image/jpeg');
    t.deepEqual(Buffer.from(await image.arrayBuffer()), jpeg);
    // A screen without an error has its card too, under the screen's Russian name, with its picture.
    const services = page.querySelector('[data-screen-key="idp:my-services"]');
    t.is(services?.querySelector('h3')?.textContent, 'Мои услуги на Госуслугах');
    t.is(
      services?.querySelector('.shot img')?.getAttribute('src'),
      '/trainer/shots/my-services-sso/04-idp-my-services.jpg',
    );
    t.truthy(services?.querySelector('[data-testid="replay-my-services-sso"]'));
  } finally {
    server.close();
    await rm(shotsDir, { recursive: true, force: true });
  }
});

test('«Воспроизвести» resets the relying parties for the run at the scenario’s instant, and «Выполнить» on a clock step moves their clocks too', async (t) => {
  // otp-expired: no given clock (the trainer's default instant), step 3 moves the clock by PT6M.
  const res = await fetch(`${stand.idp}/trainer/replay/otp-expired`, { method: 'POST', redirect: 'manual' });
  const run = new URL(res.headers.get('location') ?? '', stand.idp).pathname.split('/').at(-1) ?? '';
  t.regex(run, /^run-/);
  const rpClock = async (base: string) =>
    Date.parse((await stand.controlAt(base)<{ now: string }>('GET', `/clock?run=${run}`)).now);
  const start = Date.parse('2026-11-25T09:00:00.000Z');
  for (const base of [stand.rp, stand.rp2]) {
    const now = await rpClock(base);
    t.true(now >= start && now - start < 60_000, `${base} starts at the scenario's instant`);
  }
  const main = Date.parse((await stand.controlAt(stand.rp)<{ now: string }>('GET', '/clock')).now);
  t.true(Math.abs(main - Date.now()) < 60_000, 'the main run of the relying party keeps its own time');
  const act = await fetch(`${stand.idp}/trainer/runs/${run}/act/3?scenario=otp-expired`, {
    method: 'POST',
    redirect: 'manual',
  });
  t.is(act.status, 303);
  for (const base of [stand.rp, stand.rp2])
    t.true((await rpClock(base)) - start >= 6 * 60_000, `${base} moved by PT6M`);
});

test('a step the stand refuses (pressed twice) shows the stand’s reason, not an internal error', async (t) => {
  // A relying party that takes the reset but refuses every clock move, as a feature refuses an action done already.
  const refusing = new Koa().use((ctx) => {
    if (ctx.path === '/__control/reset') ctx.body = { reset: true };
    else {
      ctx.status = 409;
      ctx.body = { error: 'control.already_done', message: 'Мероприятие уже отмечено завершённым.' };
    }
  });
  const server = refusing.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const fake = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const own = await startStand({}, ({ dir }) => [
    trainerRoutes({ rpUrl: fake, rp2Url: fake, shotsDir: join(dir, 'shots') }),
  ]);
  try {
    const res = await fetch(`${own.idp}/trainer/replay/otp-expired`, { method: 'POST', redirect: 'manual' });
    t.is(res.status, 303);
    const run = new URL(res.headers.get('location') ?? '', own.idp).pathname.split('/').at(-1);
    const act = await fetch(`${own.idp}/trainer/runs/${run}/act/3?scenario=otp-expired`, { method: 'POST' });
    t.is(act.status, 400);
    const page = await act.text();
    t.regex(page, /Стенд не выполнил действие \(ответ 409\): Мероприятие уже отмечено завершённым\./);
    t.notRegex(page, /data-error-code="oauth\.server_error"/);
  } finally {
    server.close();
    await own.close();
  }
});

test('«Выполнить» plays a control step with the run’s persona in it, and says when a step needs a value only the automatic run remembers', async (t) => {
  const scenariosDir = await mkdtemp(join(tmpdir(), 'esia-trainer-scenarios-'));
  await writeFile(
    join(scenariosDir, 'probe-persona-steps.json'),
    JSON.stringify({
      id: 'probe-persona-steps',
      title: 'Проба: шаги стенда с данными персоны',
      catalogue: ['C2'],
      given: { persona: 'petrova' },
      steps: [
        { do: 'open', app: 'rp' },
        { do: 'control', method: 'POST', path: '/accounts/$persona.persona/unlock' },
        { do: 'rpControl', app: 'rp', method: 'POST', path: '/documents/$remembered.doc/review', body: {} },
      ],
      expect: { app: 'rp', screen: 'rp-home' },
    }),
  );
  const own = await startStand({}, ({ rpUrl, rp2Url, dir }) => [
    trainerRoutes({ rpUrl, rp2Url, shotsDir: join(dir, 'shots'), scenariosDir }),
  ]);
  try {
    const res = await fetch(`${own.idp}/trainer/replay/probe-persona-steps`, { method: 'POST', redirect: 'manual' });
    const run = new URL(res.headers.get('location') ?? '', own.idp).pathname.split('/').at(-1) ?? '';
    const act = (i: number) =>
      fetch(`${own.idp}/trainer/runs/${run}/act/${i}?scenario=probe-persona-steps`, {
        method: 'POST',
        redirect: 'manual',
      });
    const runPage = parse(await (await fetch(`${own.idp}/trainer/runs/${run}?scenario=probe-persona-steps`)).text());
    t.truthy(runPage.querySelector('[data-testid="act-1"]'), 'a button for the step it can play');
    t.truthy(
      runPage.querySelector('[data-testid="act-2-by-hand"]'),
      'a note instead of a button for the one it cannot',
    );
    t.is((await act(1)).status, 303);
    const personas = await own.control<Array<{ persona: string; state: { locked: boolean } }>>(
      'GET',
      `/personas?run=${run}`,
    );
    t.false(personas.find((p) => p.persona === 'petrova')?.state.locked, '$persona.persona was petrova');
    const remembered = await act(2);
    t.is(remembered.status, 400);
    t.regex(await remembered.text(), /берёт значение со страницы \(\$remembered\.doc\)/);
  } finally {
    await own.close();
    await rm(scenariosDir, { recursive: true, force: true });
  }
});
