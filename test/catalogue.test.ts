/*
 * The error catalogues, the case catalogue and the scenarios stay in step: every user-visible failure
 * has a scenario that shows it, every code a scenario expects exists, and every case ID has a
 * scenario — the lists come from the catalogues themselves, so a new entry is covered or fails here.
 */
import test from 'ava';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { esiaCodes, restCodes } from '../idp/esia/errors.ts';
import { catalogue } from '../idp/errors/catalogue.ts';
import { rpErrors } from '../relying-party/errors.ts';
import { cases } from '../scenarios/cases.ts';
import { loadScenarios } from '../scenarios/load.ts';
import { expectedErrors } from '../scenarios/schema.ts';

const scenarios = await loadScenarios();
const expected = new Set(scenarios.flatMap(expectedErrors));
// ESIA-0070xx codes of the ESIA face (idp/esia/errors.ts); test/esia/scenarios_esia.test.ts checks their coverage.
const allCodes = [...Object.keys(catalogue), ...Object.keys(rpErrors), ...Object.keys(esiaCodes)];

test('every error code of the emulator has a scenario that shows it, except a failing disk or Redis', (t) => {
  // Scenarios run on in-memory accounts, and a full disk or a lost Redis cannot be arranged through the
  // control API: test/idp/full_disk.test.ts shows store.write_failed on a really full filesystem, and
  // test/redis_outage.test.ts store.unavailable with a redis-server stopped under the emulator.
  const notScenarios = new Set(['store.write_failed', 'store.unavailable']);
  const missing = Object.keys(catalogue).filter((code) => !expected.has(code) && !notScenarios.has(code));
  t.deepEqual(missing, [], `codes without a scenario: ${missing.join(', ')}`);
});

test('every error code of the relying party has a scenario, except failures of the RP itself', (t) => {
  // An RP's own crash cannot be arranged through the emulator: test/relying-party.test.ts covers it.
  // rp.idp_unavailable is arranged by the emulator's outage mode (scenario outage-seen-from-rp).
  // The reviewer console's loopback rule cannot be broken by the runner, which is on loopback itself:
  // test/rp_reviewer_console.test.ts reaches it through another address of the machine.
  const notScenarios = new Set(['rp.internal_error', 'rp.reviewer_forbidden']);
  const missing = Object.keys(rpErrors).filter((code) => !expected.has(code) && !notScenarios.has(code));
  t.deepEqual(missing, []);
});

test('no scenario expects a code that does not exist', (t) => {
  const unknown = [...expected].filter((code) => !allCodes.includes(code));
  t.deepEqual(unknown, []);
});

/** Cases no scenario shows yet: none. A case added to the catalogue without a scenario goes here, named. */
const casesWithoutScenario: string[] = [];

test('every case of the catalogue has a scenario, except the listed gaps — and no listed gap is covered', (t) => {
  const covered = new Set(scenarios.flatMap((s) => s.catalogue));
  t.deepEqual(
    Object.keys(cases).filter((id) => !covered.has(id)),
    casesWithoutScenario,
  );
});

test('scenarios, personas and error entries name only case IDs of the catalogue', (t) => {
  const known = new Set(Object.keys(cases));
  const { personas } = JSON.parse(readFileSync(join(import.meta.dirname, '..', 'config', 'personas.json'), 'utf8')) as {
    personas: Array<{ persona: string; catalogue: string[] }>;
  };
  const unknown = [
    ...scenarios.flatMap((s) => s.catalogue.map((id) => [`scenario ${s.id}`, id])),
    ...personas.flatMap((p) => p.catalogue.map((id) => [`persona ${p.persona}`, id])),
    ...Object.entries({ ...catalogue, ...rpErrors, ...esiaCodes, ...restCodes }).flatMap(([code, entry]) =>
      entry.ids.map((id) => [`error ${code}`, id]),
    ),
  ]
    .filter(([, id]) => !known.has(id!))
    .map(([where, id]) => `${where}: ${id}`);
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

test('a scenario that expects an ESIA code names a case ID that code carries', (t) => {
  const esia = esiaCodes as Record<string, { ids: readonly string[] }>;
  const unnamed = scenarios.flatMap((s) =>
    expectedErrors(s)
      .filter((code) => esia[code]?.ids.length && !esia[code]!.ids.some((id) => s.catalogue.includes(id)))
      .map((code) => `${s.id}: ${code} is ${esia[code]!.ids.join(', ')}`),
  );
  t.deepEqual(unnamed, []);
});

test('E1 is named only by scenarios about the reference code: they read it from the screen, or say so in their title', (t) => {
  const aboutReference = (s: (typeof scenarios)[number]) =>
    /код[а-яё]* обращения/i.test(`${s.title} ${s.summary ?? ''}`) || JSON.stringify(s.steps).includes('"ref-code"');
  t.deepEqual(
    scenarios.filter((s) => s.catalogue.includes('E1') && !aboutReference(s)).map((s) => s.id),
    [],
  );
});
