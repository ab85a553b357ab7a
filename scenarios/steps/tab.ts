/* Switches between browser tabs: two tabs of one person editing the same data (G4's conflict). */
import { z } from 'zod';
import { defineStep } from './kind.ts';

export const tab = defineStep({
  kind: 'tab',
  description:
    'Switches to the browser tab of this name, opening an empty one the first time ("first" is the tab the scenario starts in); tabs share cookies, each keeps its page.',
  fields: { name: z.string({ error: 'a tab step needs "name", e.g. "second" (the starting tab is "first")' }) },
  describeRu: (step) =>
    step.name === 'first'
      ? 'Вернитесь на первую вкладку браузера (страница в ней осталась, какой была)'
      : `Перейдите на вкладку «${step.name}» (в первый раз откройте новую вкладку того же браузера)`,
  async run(ctx, step) {
    await ctx.browser.switchTab(step.name);
  },
});
