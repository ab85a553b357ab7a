/* Scenario steps as instructions a trainer can follow by hand, in Russian: each step kind's module says it. */
import { controlLabel, describeStep as describeWith, type Step } from '../scenarios/steps/index.ts';

export { controlLabel };

/** The step in Russian (one argument, so that `steps.map(describeStep)` stays right). */
export function describeStep(step: Step): string {
  return describeWith(step);
}
