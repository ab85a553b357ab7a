/* A scenario failed for a reason its author can read (no stack trace): the run reports the message. */
export class ScenarioError extends Error {
  override name = 'ScenarioError';
}
