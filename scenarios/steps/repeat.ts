/* Plays its steps `times` times (five wrong passwords in a row). */
import { z } from 'zod';
import type { Expectation } from './expectation.ts';
import { defineStep, type StepKind } from './kind.ts';
// The registry lists this kind, and this kind holds steps of every kind: both names are read only
// when a scenario is checked or described, after every module has loaded.
import { describeStep, type Step, stepSchema } from './index.ts';

export interface RepeatStep {
  do: 'repeat';
  times: number;
  steps: Step[];
  expect?: Expectation | undefined;
}

// Typed by hand: a type inferred from the fields would contain itself.
export const repeat: StepKind<'repeat', RepeatStep> = defineStep({
  kind: 'repeat',
  description: 'Plays its steps `times` times.',
  fields: {
    times: z.int({ error: 'expected a whole number ≥ 1' }).min(1, { error: 'expected a whole number ≥ 1' }),
    get steps(): z.ZodArray<z.ZodType<Step>> {
      return z
        .array(stepSchema, { error: 'expected a non-empty array of steps' })
        .min(1, { error: 'expected a non-empty array of steps' });
    },
  },
  describeRu: (step, wording) =>
    `Повторите ${step.times} раз: ${step.steps.map((inner) => describeStep(inner, wording)).join('; ')}`,
  async run(ctx, step, where) {
    for (let i = 0; i < step.times; i++) {
      for (const [j, inner] of step.steps.entries())
        await ctx.step(inner, `${where} (repeat ${i + 1}) step ${j + 1} ${inner.do}`);
    }
  },
});
