/* Support console: signs in at /support as an operator. */
import { z } from 'zod';
import { defineStep } from './kind.ts';

/** The documented test password of every operator in config/operators.json. */
export const operatorPassword = 'Operator-1234';

export const operatorSignIn = defineStep({
  kind: 'operatorSignIn',
  description: `Support console: signs in at /support as an operator of config/operators.json (password ${operatorPassword} unless given).`,
  fields: {
    login: z.string({ error: 'expected an operator login from config/operators.json, e.g. "operator"' }),
    password: z.string().optional(),
  },
  describeRu: (step) =>
    `Откройте консоль поддержки (/support) и войдите как оператор «${step.login}» (пароль ${step.password ?? operatorPassword})`,
  async run(ctx, step, where) {
    ctx.requireScreen('support-login', where);
    await ctx.browser.click('support-submit', { login: step.login, password: step.password ?? operatorPassword });
  },
});
