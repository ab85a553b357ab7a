/* The app code (TOTP) on the totp or totp-enrol screen. */
import { generateSync } from 'otplib';
import { z } from 'zod';
import { defineStep, type StepContext } from './kind.ts';

/**
 * The code the persona's app shows (control API), or while enrolling the code of the secret on the
 * page, at the run's clock moved by `stepOffset` steps of 30 s (a phone whose clock drifts).
 */
async function appCode(ctx: StepContext, enrolling: boolean, stepOffset: number): Promise<string> {
  const { now } = await ctx.control<{ now: string }>('GET', '/clock');
  const at = Math.floor(Date.parse(now) / 1000) + stepOffset * 30;
  const secret = enrolling ? await ctx.browser.attribute('totp-secret', 'data-secret') : null;
  if (secret) return generateSync({ secret, epoch: at });
  return (
    await ctx.control<{ code: string }>(
      'GET',
      `/accounts/${ctx.persona.persona}/totp${stepOffset ? `?steps=${stepOffset}` : ''}`,
    )
  ).code;
}

export const enterAppCode = defineStep({
  kind: 'enterAppCode',
  description:
    'The app code (TOTP) on the totp or totp-enrol screen: the one the app shows now, `stepOffset` steps of 30 s away, or `code` as typed.',
  fields: { code: z.string().optional(), stepOffset: z.int({ error: 'expected a whole number of steps' }).optional() },
  describeRu(step) {
    if (step.code !== undefined) return `Введите неверный код из приложения ${step.code}`;
    if (step.stepOffset)
      return `Введите код из приложения на телефоне, часы которого ${step.stepOffset < 0 ? 'отстают' : 'спешат'} на ${Math.abs(step.stepOffset) * 30} с`;
    return 'Введите код из приложения (текущий код показывает «Управление стендом»: /__control/accounts/<персона>/totp)';
  },
  async run(ctx, step, where) {
    const screen = ctx.page?.screen;
    if (screen !== 'totp' && screen !== 'totp-enrol') ctx.requireScreen('totp', where);
    const code = step.code ?? (await appCode(ctx, screen === 'totp-enrol', step.stepOffset ?? 0));
    await ctx.browser.click(screen === 'totp-enrol' ? 'totp-confirm' : 'submit', { code });
  },
});
