import test from 'ava';
import { readmeIsCurrent } from '../scenarios/docs.ts';

test('the README lists every scenario and persona as they are (run `npm run docs` to refresh)', async (t) => {
  t.true((await readmeIsCurrent()).current);
});
