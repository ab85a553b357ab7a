/*
 * The scenario format: a broken file is refused with the file, the step and the field named; the
 * step kinds are modules of one registry; scenarios/schema.json (what editors read) agrees with the
 * runtime check on every catalogue file and on typos.
 */
import test from 'ava';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { loadScenarios } from '../scenarios/load.ts';
import { validateScenario } from '../scenarios/schema.ts';
import { describeStep, type Step, stepKinds } from '../scenarios/steps/index.ts';

const scenarios = await loadScenarios();
const valid = scenarios.find((s) => s.id === 'wrong-password')!;
const file = 'scenarios/catalogue/wrong-password.json';

/** The message validateScenario gives for wrong-password.json spoilt by `spoil`. */
function refusal(spoil: (s: Record<string, any>) => void): string {
  const copy = structuredClone(valid) as Record<string, any>;
  spoil(copy);
  try {
    validateScenario(copy, 'wrong-password');
  } catch (error) {
    return (error as Error).message;
  }
  return 'accepted';
}

const cases: Array<[string, (s: Record<string, any>) => void, string]> = [
  [
    'an unknown step kind',
    (s) => (s.steps[1] = { do: 'clik', testid: 'x' }),
    `${file} steps[1].do: "clik" is not a step; steps: open, click,`,
  ],
  ['a step without "do"', (s) => (s.steps[1] = { testid: 'x' }), `${file} steps[1].do: missing "do"; steps: open,`],
  [
    'a missing required field',
    (s) => (s.steps[1] = { do: 'click' }),
    `${file} steps[1].testid: expected the data-testid of a link or button`,
  ],
  [
    'a value out of its list',
    (s) => (s.steps[0] = { do: 'open', app: 'rp3' }),
    `${file} steps[0].app: expected one of idp, rp, rp2, sys`,
  ],
  [
    'a misspelt field of a step',
    (s) => (s.steps[0].appp = 'rp'),
    `${file} steps[0]: unknown field "appp"; allowed: do, app, path, expect`,
  ],
  [
    'a misspelt field of an expectation',
    (s) => (s.expect.scren = 'x'),
    `${file} expect: unknown field "scren"; allowed: app, screen, error, text, status`,
  ],
  [
    'a wrong type deep in a step',
    (s) => (s.steps[0].expect = { text: 'x' }),
    `${file} steps[0].expect.text: expected an array of strings`,
  ],
  [
    'a rule across fields',
    (s) => (s.steps[1] = { do: 'inbox', channel: 'sms' }),
    `${file} steps[1]: an inbox step needs "count" or "text" (what to check)`,
  ],
  [
    'a rule across fields: a relying party sending SMS',
    (s) => (s.steps[1] = { do: 'inbox', channel: 'sms', from: 'rp', count: 1 }),
    `${file} steps[1]: a relying party sends e-mail, not SMS: "from" needs "channel": "email"`,
  ],
  [
    'a step inside a repeat',
    (s) => (s.steps[1] = { do: 'repeat', times: 2, steps: [{ do: 'agreement' }] }),
    `${file} steps[1].steps[0].accept: expected true or false`,
  ],
  [
    'an id that is not the file name',
    (s) => (s.id = 'other'),
    `${file} id: must equal the file name "wrong-password", got "other"`,
  ],
  [
    'a catalogue ID of no form',
    (s) => (s.catalogue = ['C2', 'Z9']),
    `${file} catalogue[1]: expected catalogue IDs such as ["C2", "F4"]`,
  ],
  [
    'a clock that is no instant',
    (s) => (s.given.clock = 'tomorrow'),
    `${file} given.clock: expected an ISO instant such as "2026-11-25T09:00:00Z", or "pki"`,
  ],
  [
    'a clock that is only a date',
    (s) => (s.given.clock = '2026-11-25'),
    `${file} given.clock: expected an ISO instant`,
  ],
  [
    'an unknown fault',
    (s) => (s.given.faults = [{ kind: 'sms.lost' }]),
    `${file} given.faults[0].kind: expected one of sms.fail, sms.delay, server.error`,
  ],
  ['no persona', (s) => delete s.given.persona, `${file} given.persona: expected a persona key, e.g. "ivanov"`],
  ['no steps', (s) => (s.steps = []), `${file} steps: expected a non-empty array of steps`],
  ['a misspelt top-level field', (s) => (s.stpes = []), `${file}: unknown field "stpes"; allowed: $schema, id, title,`],
];

for (const [what, spoil, expected] of cases) {
  test(`a scenario file with ${what} is refused, naming the file, the step and the field`, (t) => {
    t.true(refusal(spoil).startsWith(expected), refusal(spoil));
  });
}

test('every problem of a file is reported, one line each', (t) => {
  const message = refusal((s) => {
    s.steps[0].app = 'x';
    s.title = '';
  });
  t.deepEqual(message.split('\n').sort(), [
    `${file} steps[0].app: expected one of idp, rp, rp2, sys`,
    `${file} title: expected a Russian title`,
  ]);
});

test('a file may name its schema for the editor ("$schema")', (t) => {
  t.is(
    refusal((s) => (s.$schema = '../schema.json')),
    'accepted',
  );
});

test('every step kind is a module of the registry, used by a scenario and described in Russian', (t) => {
  const used = new Map<string, Step>();
  const visit = (steps: Step[]) => {
    for (const step of steps) {
      if (!used.has(step.do)) used.set(step.do, step);
      if (step.do === 'repeat') visit(step.steps);
    }
  };
  for (const s of scenarios) visit(s.steps);
  for (const kind of stepKinds) {
    const example = used.get(kind.kind);
    if (!example) {
      t.fail(`no scenario uses the step kind ${kind.kind}`);
      continue;
    }
    t.regex(describeStep(example), /[А-Яа-яЁё]/, `${kind.kind}: no Russian description`);
  }
  t.is(new Set(stepKinds.map((k) => k.kind)).size, stepKinds.length, 'a kind is listed twice');
});

test('scenarios/schema.json accepts every catalogue file and refuses what the loader refuses', (t) => {
  const published = z.fromJSONSchema(
    JSON.parse(readFileSync(join(import.meta.dirname, '..', 'scenarios', 'schema.json'), 'utf8')),
  );
  for (const s of scenarios) t.true(published.safeParse(s).success, s.id);
  // The id must equal the file name, and rules across fields are checks JSON Schema has no words for.
  for (const [what, spoil] of cases.filter(
    ([what]) => !what.includes('id that is not') && !what.includes('rule across'),
  )) {
    const copy = structuredClone(valid) as Record<string, any>;
    spoil(copy);
    t.false(published.safeParse(copy).success, `schema.json accepts a file with ${what}`);
  }
});
