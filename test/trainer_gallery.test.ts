/* The gallery's entries for both portals: which system shows an error of the relying parties' shared catalogue, and screens named per portal. */
import test from 'ava';
import { galleryEntries } from '../trainer/gallery.ts';
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
