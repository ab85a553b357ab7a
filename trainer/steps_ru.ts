/* Scenario steps as instructions a trainer can follow by hand, in Russian: each step kind's module says it. */
export { controlLabel, describeStep } from '../scenarios/steps/index.ts';
