/* The code on the sign-in code screen, the recovery code screen or the contact confirmation screen, from the run's inbox or as typed. */
import { z } from 'zod';
import { ScenarioError } from '../runner/scenario_error.ts';
import { defineStep, type StepContext } from './kind.ts';

/** The newest (or the one before) code in the run's inbox for the persona's phone or e-mail. */
async function inboxCode(ctx: StepContext, channel: 'sms' | 'email', index: number): Promise<string> {
  const to = channel === 'sms' ? ctx.persona.phone : ctx.persona.email;
  const { messages } = await ctx.control<{ messages: Array<{ code?: string }> }>(
    'GET',
    `/inbox/${channel}?to=${encodeURIComponent(to)}`,
  );
  const code = channel === 'sms' ? messages[index]?.code : messages.find((m) => m.code)?.code;
  if (!code)
    throw new ScenarioError(
      channel === 'sms'
        ? `No ${index ? 'previous' : 'latest'} SMS code in the inbox of ${to}`
        : `No e-mail with a code in the inbox of ${to}`,
    );
  return code;
}

export const enterCode = defineStep({
  kind: 'enterCode',
  description:
    'Types a code on the sign-in code screen, the recovery code screen or the contact confirmation screen: "$sms" (default), "$sms.previous", "$email" (the latest e-mail code), or literal digits.',
  fields: { code: z.string().optional() },
  describeRu(step) {
    if (step.code === undefined || step.code === '$sms') return 'Введите код из последнего СМС (см. «Входящие СМС»)';
    if (step.code === '$sms.previous') return 'Введите код из предыдущего СМС';
    if (step.code === '$email') return 'Введите код из последнего письма (см. «Входящие письма»)';
    return `Введите неверный код ${step.code}`;
  },
  async run(ctx, step, where) {
    ctx.requireScreen(
      ['recovery-code', 'confirm-contact'].find((screen) => screen === ctx.page?.screen) ?? 'otp',
      where,
    );
    const code =
      step.code === undefined || step.code === '$sms'
        ? await inboxCode(ctx, 'sms', 0)
        : step.code === '$sms.previous'
          ? await inboxCode(ctx, 'sms', 1)
          : step.code === '$email'
            ? await inboxCode(ctx, 'email', 0)
            : step.code;
    await ctx.browser.click('submit', { code });
  },
});
