/* Accepts or declines the user agreement. */
import { z } from 'zod';
import { defineStep } from './kind.ts';

export const agreement = defineStep({
  kind: 'agreement',
  description: 'Accepts (true) or declines (false) the agreement screen.',
  fields: { accept: z.boolean({ error: 'expected true or false' }) },
  describeRu: (step) => (step.accept ? 'Нажмите «Принимаю»' : 'Нажмите «Не принимаю»'),
  async run(ctx, step, where) {
    ctx.requireScreen('agreement', where);
    await ctx.browser.click(step.accept ? 'accept' : 'decline');
  },
});
