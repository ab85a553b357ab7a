/* Moves the run's clock forward ("90s", "15m", or seconds): the emulator's and the relying parties'. */
import { z } from 'zod';
import { defineStep } from './kind.ts';

const label = (by: string | number) => `Перевести часы стенда вперёд на ${typeof by === 'number' ? `${by} с` : by}`;

export const advanceClock = defineStep({
  kind: 'advanceClock',
  description: 'Moves the run\'s clock forward by a duration such as "90s", "15m", "25h", or a number of seconds.',
  fields: {
    by: z.union([z.string(), z.number()], { error: 'expected a duration such as "15m" or a number of seconds' }),
  },
  describeRu: (step) => label(step.by),
  controlRu: (step) => label(step.by),
  async run(ctx, step) {
    await ctx.control('POST', '/clock', { advance: step.by });
    // One stand, one time: the relying parties' clocks move with the emulator's.
    for (const app of ctx.relyingParties) await ctx.rpControl(app)('POST', '/clock', { advance: step.by });
  },
});
