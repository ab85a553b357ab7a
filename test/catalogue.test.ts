/*
 * The error catalogues and the scenarios stay in step: every user-visible failure has a scenario
 * that shows it, every code a scenario expects exists, and every catalogue ID the core asks for is
 * covered.
 */
import test from 'ava';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { esiaCodes } from '../idp/esia/errors.ts';
import { catalogue } from '../idp/errors/catalogue.ts';
import { rpErrors } from '../relying-party/errors.ts';
import { loadScenarios } from '../scenarios/load.ts';
import { expectedErrors } from '../scenarios/schema.ts';

const scenarios = await loadScenarios();
const expected = new Set(scenarios.flatMap(expectedErrors));
// ESIA-0070xx codes of the ESIA face (idp/esia/errors.ts); test/esia/scenarios_esia.test.ts checks their coverage.
const allCodes = [...Object.keys(catalogue), ...Object.keys(rpErrors), ...Object.keys(esiaCodes)];

test('every error code of the emulator has a scenario that shows it', (t) => {
  const missing = Object.keys(catalogue).filter((code) => !expected.has(code));
  t.deepEqual(missing, [], `codes without a scenario: ${missing.join(', ')}`);
});

test('every error code of the relying party has a scenario, except failures of the RP itself', (t) => {
  // An RP's own crash cannot be arranged through the emulator: test/relying-party.test.ts covers it.
  // rp.idp_unavailable is arranged by the emulator's outage mode (scenario outage-seen-from-rp).
  const notScenarios = new Set(['rp.internal_error']);
  const missing = Object.keys(rpErrors).filter((code) => !expected.has(code) && !notScenarios.has(code));
  t.deepEqual(missing, []);
});

test('no scenario expects a code that does not exist', (t) => {
  const unknown = [...expected].filter((code) => !allCodes.includes(code));
  t.deepEqual(unknown, []);
});

test('the core catalogue IDs all have a scenario', (t) => {
  const covered = new Set(scenarios.flatMap((s) => s.catalogue));
  const required = ['A1', 'A6', 'A7', 'B1', 'B2', 'B3', 'B4', 'B5', 'B6', 'B7', 'B8', 'C1', 'C2', 'C3', 'C4', 'C5', 'C7', 'G1', 'G2', 'G8'];
  t.deepEqual(required.filter((id) => !covered.has(id)), []);
});

test('scenarios name only IDs that exist in the source catalogue', (t) => {
  const path = join(import.meta.dirname, '..', '..', 'shared', 'catalogue.md');
  if (!existsSync(path)) {
    t.pass('shared/catalogue.md is not beside this checkout');
    return;
  }
  const ids = new Set([...readFileSync(path, 'utf8').matchAll(/^\| ([A-G]\d+) \|/gm)].map((m) => m[1]));
  const unknown = scenarios.flatMap((s) => s.catalogue.filter((id) => !ids.has(id)).map((id) => `${s.id}: ${id}`));
  t.deepEqual(unknown, []);
});

test('every catalogue entry says what happened, what to do and what support should say', (t) => {
  for (const [code, entry] of Object.entries({ ...catalogue, ...rpErrors })) {
    for (const field of ['title', 'message', 'remedy', 'support'] as const) {
      t.true(typeof entry[field] === 'string' && entry[field].length > 5, `${code}.${field}`);
    }
    t.true(entry.ids.length > 0, `${code}.ids`);
  }
});
