/* Opens an application of the stand at a path. */
import { z } from 'zod';
import { app, defineStep } from './kind.ts';

const appsRu: Record<string, string> = { idp: 'Госуслуги (эмулятор)', rp: 'ФМРМ', rp2: 'Портал НМО' };

export const open = defineStep({
  kind: 'open',
  description: 'Opens an application of the stand (idp, rp, rp2, sys) at a path (default /).',
  fields: { app, path: z.string().optional() },
  describeRu: (step) =>
    `Откройте ${appsRu[step.app] ?? step.app}${step.path && step.path !== '/' ? ` (${step.path})` : ''}`,
  async run(ctx, step) {
    await ctx.browser.goto(ctx.base(step.app) + (step.path ?? '/'));
  },
});
