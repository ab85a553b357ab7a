/* feature «webauthn»: «Войти по биометрии» on the login page. */
import { z } from 'zod';
import { defineStep } from './kind.ts';

export const biometricSignIn = defineStep({
  kind: 'biometricSignIn',
  description: '«Войти по биометрии» on the login page, with a login typed or (default) none.',
  fields: { identifier: z.string().optional() },
  describeRu: (step) =>
    `Нажмите «Войти по биометрии»${step.identifier ? `, указав логин ${step.identifier}` : ' (логин не вводите)'}`,
  async run(ctx, step, where) {
    ctx.requireScreen('login', where);
    await ctx.browser.click('biometric', { identifier: step.identifier ?? '' });
  },
});
