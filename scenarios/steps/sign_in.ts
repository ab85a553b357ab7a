/* Types the login and password on the login page and presses «Войти». */
import { z } from 'zod';
import { defineStep } from './kind.ts';
import { valueText } from './ru.ts';

const factors = ['sms', 'totp', 'key'] as const;
const factorsRu: Record<string, string> = {
  sms: 'кодом из СМС',
  totp: 'кодом из приложения',
  key: 'ключом безопасности',
};

function passwordRu(password: string | undefined): string {
  if (password === undefined) return '(пароль персоны)';
  if (password === '') return '(оставьте пустым)';
  return password.startsWith('$') ? valueText(password) : `«${password}»`;
}

export const signIn = defineStep({
  kind: 'signIn',
  description:
    "Signs in on the login page: the persona's phone and password unless given; factor is the second factor chosen (default SMS).",
  fields: {
    identifier: z.string().optional(),
    password: z.string().optional(),
    remember: z.boolean().optional(),
    factor: z.enum(factors, { error: 'expected sms, totp or key' }).optional(),
  },
  describeRu: (step) =>
    `Введите логин ${step.identifier ?? '(телефон персоны)'} и пароль ${passwordRu(step.password)}${step.remember ? ', отметьте «Запомнить меня»' : ''}${step.factor && step.factor !== 'sms' ? `, выберите «подтвердить ${factorsRu[step.factor]}»` : ''} и нажмите «Войти»`,
  async run(ctx, step, where) {
    ctx.requireScreen('login', where);
    await ctx.browser.click('submit', {
      identifier: step.identifier ?? ctx.persona.phone,
      password: step.password ?? ctx.persona.password,
      remember: step.remember === true,
      ...(step.factor ? { factor: step.factor } : {}),
    });
  },
});
