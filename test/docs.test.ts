import test from 'ava';
import { readmeIsCurrent, schemaIsCurrent } from '../scenarios/docs.ts';

test('the README lists every scenario, step kind and persona as they are (run `npm run docs` to refresh)', async (t) => {
  t.true((await readmeIsCurrent()).current);
});

test('scenarios/schema.json is the schema the step modules define (run `npm run docs` to refresh)', async (t) => {
  t.true((await schemaIsCurrent()).current);
});
