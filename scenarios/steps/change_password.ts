/* A new password on the password-change screen or the recovery screen. */
import { z } from 'zod';
import { defineStep } from './kind.ts';

export const changePassword = defineStep({
  kind: 'changePassword',
  description:
    'Types a new password (and its repeat, the same unless given) on the password-change or recovery-password screen.',
  fields: { password: z.string({ error: 'expected a string' }), repeat: z.string().optional() },
  describeRu: (step) =>
    `Введите новый пароль «${step.password}»${step.repeat && step.repeat !== step.password ? ` и повтор «${step.repeat}»` : ' дважды'}`,
  async run(ctx, step, where) {
    ctx.requireScreen(ctx.page?.screen === 'recovery-password' ? 'recovery-password' : 'password-change', where);
    await ctx.browser.click('submit', { password: step.password, repeat: step.repeat ?? step.password });
  },
});
