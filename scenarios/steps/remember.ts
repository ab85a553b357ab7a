/* Keeps an attribute of an element on the page (a temporary code shown once, a reference code) as `$remembered.<as>`. */
import { z } from 'zod';
import { ScenarioError } from '../runner/scenario_error.ts';
import { defineStep } from './kind.ts';

/** How a person may type a code back: `lowercase-without-dash` (h3j8l58y), `space-for-dash` (H3J8 L58Y). */
export const retypings = ['lowercase-without-dash', 'space-for-dash'] as const;
export type Retyping = (typeof retypings)[number];
const retypedRu: Record<Retyping, string> = {
  'lowercase-without-dash': 'строчными буквами и без дефиса',
  'space-for-dash': 'с пробелом вместо дефиса',
};
const retyped = (value: string, how: Retyping | undefined) =>
  how === 'lowercase-without-dash'
    ? value.toLowerCase().replace(/-/g, '')
    : how === 'space-for-dash'
      ? value.replace(/-/g, ' ')
      : value;

const needs = 'a remember step needs "testid", "attribute" (e.g. "data-secret") and "as" (a name for $remembered.<as>)';

export const remember = defineStep({
  kind: 'remember',
  description:
    'Keeps an attribute of an element on the page (a temporary code shown once) for later steps as `$remembered.<as>`; `retype`: kept as a person types it back (a reference code read out over the phone).',
  fields: {
    testid: z.string({ error: needs }),
    attribute: z.string({ error: needs }),
    as: z.string({ error: needs }).regex(/^\w+$/, { error: needs }),
    retype: z.enum(retypings, { error: `expected one of ${retypings.join(', ')}` }).optional(),
  },
  describeRu(step) {
    if (step.testid === 'document-title') return 'Запомните, какой документ открыт: к нему вернутся позже';
    if (step.testid === 'upload-form') return 'Запомните адрес формы загрузки: по нему уйдёт технический запрос';
    if (step.testid !== 'ref-code') return 'Запомните показанный временный код — он понадобится при входе';
    return `Запишите код обращения с экрана ошибки${step.retype ? ` — оператор наберёт его так, как услышит: ${retypedRu[step.retype]}` : ''}`;
  },
  async run(ctx, step, where) {
    const value = await ctx.browser.attribute(step.testid, step.attribute);
    if (value === null)
      throw new ScenarioError(
        `${where}: no [data-testid="${step.testid}"] with ${step.attribute} on ${ctx.page?.url ?? 'no page'}`,
      );
    ctx.remembered.set(step.as, retyped(value, step.retype));
  },
});
