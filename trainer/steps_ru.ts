/* Scenario steps as instructions a trainer can follow by hand, in Russian: each step kind's module says it. */
import { controlLabel, describeStep as describeWith, type Step } from '../scenarios/steps/index.ts';
import { outcomeText } from './screens_ru.ts';

export { controlLabel };

/** The step in Russian, screens and errors named in words (one argument, so that `steps.map(describeStep)` stays right). */
export function describeStep(step: Step): string {
  return describeWith(step, { outcome: outcomeText });
}
