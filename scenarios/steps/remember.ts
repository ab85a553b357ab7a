/* Keeps an attribute of an element on the page (a temporary code shown once) as `$remembered.<as>`. */
import { z } from 'zod';
import { ScenarioError } from '../runner/scenario_error.ts';
import { defineStep } from './kind.ts';

const needs = 'a remember step needs "testid", "attribute" (e.g. "data-secret") and "as" (a name for $remembered.<as>)';

export const remember = defineStep({
  kind: 'remember',
  description: 'Keeps an attribute of an element on the page (a temporary code shown once) for later steps as `$remembered.<as>`.',
  fields: { testid: z.string({ error: needs }), attribute: z.string({ error: needs }), as: z.string({ error: needs }).regex(/^\w+$/, { error: needs }) },
  describeRu: () => 'Запомните показанный временный код — он понадобится при входе',
  async run(ctx, step, where) {
    const value = await ctx.browser.attribute(step.testid, step.attribute);
    if (value === null) throw new ScenarioError(`${where}: no [data-testid="${step.testid}"] with ${step.attribute} on ${ctx.page?.url ?? 'no page'}`);
    ctx.remembered.set(step.as, value);
  },
});
