/* Fills the named fields of the element's form and presses it (console search, notes). */
import { z } from 'zod';
import { defineStep, textFields } from './kind.ts';
import { buttonRu, fieldNames, valueText } from './ru.ts';

const needs = 'a fill step needs "testid" (the button of the form) and "fields" ({"name": "value"})';

export const fill = defineStep({
  kind: 'fill',
  description:
    "Fills the named fields of the element's form and presses it (console search, notes); `$remembered.<name>` works in values.",
  fields: { testid: z.string({ error: needs }), fields: textFields },
  describeRu: (step) =>
    `Заполните ${Object.entries(step.fields)
      .map(([k, v]) => `«${fieldNames[k] ?? k}»: ${valueText(v)}`)
      .join(', ')} и нажмите «${buttonRu(step.testid)}»`,
  async run(ctx, step) {
    await ctx.browser.click(step.testid, step.fields);
  },
});
