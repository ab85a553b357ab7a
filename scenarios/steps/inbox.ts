/*
 * Reads the run's SMS or e-mail inbox: how many messages of a kind, and what the newest one says. The
 * page stays. An e-mail a relying party sends (its notifications, over SMTP) is checked with `from`:
 * the step first waits until that relying party has delivered what it queued for the run, so the
 * scenario never sleeps.
 */
import { z } from 'zod';
import { ScenarioError } from '../runner/scenario_error.ts';
import { defineStep } from './kind.ts';

export const inbox = defineStep({
  kind: 'inbox',
  description:
    'Reads the run\'s inbox: messages to `to` (default: the persona\'s phone or e-mail), of `kind` if given (e.g. "security.sign_in", or a notification\'s kind such as "document.rejected"); `count` asserts how many, `text` what the newest one says. `from` ("rp" or "rp2"): e-mail that relying party sends over SMTP, waited for until delivered. The page stays.',
  fields: {
    channel: z.enum(['sms', 'email'], { error: 'expected "sms" or "email"' }),
    to: z.string().optional(),
    kind: z.string().optional(),
    count: z.int({ error: 'expected a whole number ≥ 0' }).min(0, { error: 'expected a whole number ≥ 0' }).optional(),
    text: z.array(z.string(), { error: 'expected an array of strings' }).optional(),
    from: z
      .enum(['rp', 'rp2'], { error: 'expected "rp" (ФМРМ) or "rp2" (Портал НМО): who sends the e-mail' })
      .optional(),
  },
  rule: (step) =>
    step.count === undefined && step.text === undefined
      ? 'an inbox step needs "count" or "text" (what to check)'
      : step.from && step.channel !== 'email'
        ? 'a relying party sends e-mail, not SMS: "from" needs "channel": "email"'
        : undefined,
  describeRu: (step) =>
    `Проверьте ${step.channel === 'email' ? 'входящие письма' : 'входящие СМС'}${step.from ? ` от ${step.from === 'rp' ? 'ФМРМ' : 'Портала НМО'}` : ''}${step.kind ? ` (${step.kind})` : ''}${step.text?.length ? `: в последнем есть «${step.text.join('», «')}»` : ''}${step.count !== undefined ? `: писем ${step.count}` : ''}`,
  async run(ctx, step, where) {
    const to = step.to ?? (step.channel === 'sms' ? ctx.persona.phone : ctx.persona.email);
    if (step.from) await ctx.rpControl(step.from)('POST', '/mail/settled');
    const { messages } = await ctx.control<{ messages: Array<{ kind?: string; subject?: string; text: string }> }>(
      'GET',
      `/inbox/${step.channel}?to=${encodeURIComponent(to)}`,
    );
    const found = messages.filter((m) => !step.kind || m.kind === step.kind);
    const what = `${step.channel} to ${to}${step.kind ? ` of kind ${step.kind}` : ''}`;
    if (step.count !== undefined && found.length !== step.count) {
      throw new ScenarioError(
        `${where}: ${found.length} messages ${what} ≠ expected ${step.count}; inbox: ${JSON.stringify(messages.map((m) => m.kind ?? m.subject ?? m.text.slice(0, 40)))}`,
      );
    }
    if (step.text?.length) {
      const newest = found[0];
      if (!newest) throw new ScenarioError(`${where}: no message ${what}`);
      const body = `${newest.subject ?? ''}\n${newest.text}`;
      const missing = step.text.filter((t) => !body.includes(t));
      if (missing.length)
        throw new ScenarioError(
          `${where}: the newest message ${what} lacks ${missing.map((t) => `«${t}»`).join(', ')}: ${JSON.stringify(body)}`,
        );
    }
  },
});
