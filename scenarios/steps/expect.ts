/* Only checks the page (its `expect` is required). */
import { expectation } from './expectation.ts';
import { defineStep } from './kind.ts';

export const expect = defineStep({
  kind: 'expect',
  description: 'Checks the page without doing anything; `expect` is required.',
  fields: { expect: expectation },
  describeRu: (step, wording) => `Убедитесь: ${wording.outcome(step.expect)}`,
  async run() {},
});
