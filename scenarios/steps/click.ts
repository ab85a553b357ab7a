/* Follows a link or presses a button; `fields` are typed into the button's form first. */
import { z } from 'zod';
import { defineStep, textFields } from './kind.ts';
import { buttonRu } from './ru.ts';

export const click = defineStep({
  kind: 'click',
  description:
    'Follows a link or presses a button by data-testid; `fields` are typed into its form first (e.g. {"identifier": "$persona.email"}).',
  fields: {
    testid: z.string({ error: 'expected the data-testid of a link or button' }),
    fields: textFields.optional(),
  },
  describeRu(step) {
    if (step.fields?.identifier !== undefined)
      return `Введите ${step.fields.identifier || '(оставьте пустым)'} и нажмите «Получить код»`;
    return `Нажмите «${buttonRu(step.testid)}»`;
  },
  async run(ctx, step) {
    await ctx.browser.click(step.testid, step.fields);
  },
});
