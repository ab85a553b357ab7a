/* Closes the browser and opens it again: session cookies are gone, persistent ones stay (A7). */
import { defineStep } from './kind.ts';

export const closeBrowser = defineStep({
  kind: 'closeBrowser',
  description: 'Closes the browser and opens it again: session cookies are gone, persistent ones stay.',
  fields: {},
  describeRu: () => 'Закройте браузер целиком и откройте его снова',
  async run(ctx) {
    await ctx.browser.restart();
  },
});
