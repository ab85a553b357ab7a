/* The gallery's entries for both portals: which system shows an error of the relying parties' shared catalogue, screens named per portal, and the screens without an error with their pictures. */
import test from 'ava';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { galleryEntries, galleryScreens } from '../trainer/gallery.ts';
import { shotForScreen } from '../trainer/shots.ts';
import { outcomeText, screenName } from '../trainer/screens_ru.ts';
import { loadScenarios } from '../scenarios/load.ts';
import { validateScenario } from '../scenarios/schema.ts';

const scenarios = await loadScenarios();

/** A scenario that ends on a relying party's error page of `app`; its step sees the page before without naming the app. */
const endingOn = (id: string, app: 'rp' | 'rp2', error: string) =>
  validateScenario(
    {
      id,
      title: 'Проба',
      catalogue: ['G7'],
      given: { persona: 'ivanov' },
      steps: [{ do: 'open', app, expect: { screen: 'rp-error', error } }],
      expect: { app, screen: 'rp-error', error },
    },
    id,
  );

test('an error of the shared catalogue that only Портал НМО shows is badged «Портал НМО»; one ФМРМ shows stays ФМРМ', (t) => {
  const byCode = new Map(galleryEntries(scenarios).map((e) => [e.code, e]));
  t.is(byCode.get('rp.trust_level_too_low')?.app, 'rp');
  t.is(byCode.get('account.locked')?.app, 'idp');
  const notFound = galleryEntries([endingOn('probe-nmo', 'rp2', 'rp.not_found')]).find(
    (e) => e.code === 'rp.not_found',
  );
  t.is(notFound?.app, 'rp2');
  t.deepEqual(
    notFound?.scenarios.map((s) => s.id),
    ['probe-nmo'],
  );
  const both = galleryEntries([endingOn('a', 'rp2', 'rp.not_found'), endingOn('b', 'rp', 'rp.not_found')]);
  t.is(both.find((e) => e.code === 'rp.not_found')?.app, 'rp', 'seen in both: ФМРМ');
});

test('the portals’ shared screens are named after the portal the scenario is on', (t) => {
  t.is(screenName('cabinet'), 'Личный кабинет ФМРМ');
  t.is(screenName('cabinet', 'rp2'), 'Личный кабинет Портала НМО');
  t.is(screenName('my-services', 'idp'), 'Мои услуги на Госуслугах');
  t.is(
    outcomeText(scenarios.find((s) => s.id === 'my-services-sso')!.expect),
    'экран «Личный кабинет Портала НМО», без ошибки',
  );
});

test('the screens without an error are every app and screen a scenario expects with no error on it, the scenario ending there first', (t) => {
  const screens = galleryScreens(scenarios);
  const keys = screens.map((e) => e.key);
  t.true(keys.includes('idp:my-services'));
  t.true(keys.includes('rp:cabinet'));
  t.true(keys.includes('rp2:cabinet'));
  t.false(keys.includes('rp:rp-error'), 'an error page is an error card, not a screen card');
  t.is(screens.find((e) => e.key === 'rp2:cabinet')?.scenarios.filter((s) => s.id === 'my-services-sso').length, 1);
  const services = screens.find((e) => e.key === 'idp:my-services');
  t.true(services?.scenarios.every((s) => JSON.stringify(s).includes('my-services')));
  const ending = screens.find((e) => e.key === 'rp2:cabinet')?.scenarios[0];
  t.is(ending?.expect.app, 'rp2');
  t.is(ending?.expect.screen, 'cabinet');
});

test('a screen card’s picture is a page of that app and screen with no error after it', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'esia-screen-shots-'));
  const scenario = endingOn('probe-shots', 'rp', 'rp.not_found');
  await mkdir(join(dir, scenario.id));
  for (const f of [
    '02-rp2-cabinet.jpg',
    '03-rp-cabinet-rp.not_found.jpg',
    '04-rp-cabinet.jpg',
    '05-rp-cabinet-extra.jpg',
  ])
    await writeFile(join(dir, scenario.id, f), '');
  const entry = { key: 'rp:cabinet', app: 'rp' as const, screen: 'cabinet', scenarios: [scenario] };
  t.is(await shotForScreen(dir, entry), `${scenario.id}/04-rp-cabinet.jpg`);
  t.is(await shotForScreen(dir, { ...entry, key: 'rp:rp-error', screen: 'rp-error' }), undefined);
});

test('a screen an `open` step expects without naming the app is on the app that step opens', (t) => {
  const scenario = validateScenario(
    {
      id: 'probe-open',
      title: 'Проба',
      catalogue: ['G7'],
      given: { persona: 'ivanov' },
      steps: [
        { do: 'open', app: 'rp2', path: '/events', expect: { screen: 'nmo-events' } },
        { do: 'click', testid: 'x', expect: { screen: 'nowhere-known' } },
      ],
      expect: { app: 'rp2', screen: 'nmo-event' },
    },
    'probe-open',
  );
  t.deepEqual(
    galleryScreens([scenario]).map((e) => e.key),
    ['rp2:nmo-event', 'rp2:nmo-events'],
    'a click’s expectation without an app is no card: where the click leads is not known',
  );
});
