/* Every ESIA code of the issue has a scenario (scenarios/catalogue/esia-*.json; test/scenarios.test.ts plays them). */
import test from 'ava';
import { esiaCodes } from '../../idp/esia/errors.ts';
import { loadScenarios } from '../../scenarios/load.ts';
import { expectedErrors } from '../../scenarios/schema.ts';

const esia = (await loadScenarios()).filter((s) => s.id.startsWith('esia-'));

test('every ESIA code the issue lists has a scenario', (t) => {
  const shown = new Set(esia.flatMap(expectedErrors));
  const required = ['ESIA-007002', 'ESIA-007003', 'ESIA-007004', 'ESIA-007005', 'ESIA-007006', 'ESIA-007011', 'ESIA-007013', 'ESIA-007014', 'ESIA-007015', 'ESIA-007023', 'ESIA-007053', 'ESIA-007055'];
  t.deepEqual(required.filter((c) => !shown.has(c)), []);
  t.deepEqual([...shown].filter((c) => !(c in esiaCodes)), []);
});

