/* «Получить новый код» on the sign-in code screen. */
import { defineStep } from './kind.ts';

export const resendCode = defineStep({
  kind: 'resendCode',
  description: 'Asks for a new SMS code on the sign-in code screen.',
  fields: {},
  describeRu: () => 'Нажмите «Получить новый код»',
  async run(ctx, _step, where) {
    ctx.requireScreen('otp', where);
    await ctx.browser.click('resend');
  },
});
