/*
 * The one error type of the codebase: an Error with a catalogue code, the HTTP status it answers
 * with, and structured evidence for developers and the audit journal. Each face (the emulator's
 * screens, its control API, the ESIA protocol, the relying party) subclasses it only to name its own
 * catalogue; the error boundary of each app turns it into a response. Here in lib/ so the relying
 * party uses it without reaching the emulator.
 */
export class CodedError<C extends string = string> extends Error {
  override name = 'CodedError';
  readonly status: number;
  /** Evidence, e.g. { expected: 'attempts < 5', actual: 5 }: logged and journaled, never shown as a stack. */
  readonly details: Record<string, unknown>;

  constructor(
    readonly code: C,
    message: string,
    options: { status?: number; details?: Record<string, unknown>; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.status = options.status ?? 500;
    this.details = options.details ?? {};
  }
}

/** What is wrong at one place of a file: the field's path in it, what was expected, and what was there. */
export interface FieldProblem {
  /** Path of the field in the file, e.g. `clients[2].redirect_uris`; empty for the file as a whole. */
  field: string;
  /** What was expected, e.g. `a list of URLs such as ["http://localhost:8080/callback"]`. */
  expected: string;
  /** What was there, when it helps: `got "abc"`, `got a list`, `it is missing`. Leave out when the expectation says it all. */
  actual?: unknown;
}

const missing = Symbol('missing');

/** A field's absence, for FieldProblem.actual (undefined alone means "not worth saying"). */
export const absent: unknown = missing;

function describeValue(value: unknown): string {
  if (value === missing) return 'it is missing';
  if (value === null) return 'got null';
  if (Array.isArray(value)) return 'got a list';
  if (typeof value === 'object') return 'got an object';
  const text = JSON.stringify(value) ?? String(value);
  return text.length <= 60 ? `got ${text}` : `got a ${typeof value}`;
}

/** "config/clients.json: clients[2].redirect_uris: expected a list of URLs …, got a string". */
export function describeProblem(file: string, problem: FieldProblem): string {
  const where = problem.field ? `${file}: ${problem.field}` : file;
  return `${where}: expected ${problem.expected}${problem.actual === undefined ? '' : `, ${describeValue(problem.actual)}`}`;
}

/**
 * A configuration file (or the settings, or a registration sent to the control API) that cannot be
 * used: which file, which field, what was expected. Start-up prints its message without a stack.
 */
export class ConfigFileError extends CodedError<'config.invalid'> {
  override name = 'ConfigFileError';
  readonly file: string;
  readonly field: string;
  readonly expected: string;
  readonly actual: unknown;

  constructor(file: string, problem: FieldProblem, options: { cause?: unknown } = {}) {
    super('config.invalid', describeProblem(file, problem), {
      status: 400,
      details: { file, ...problem, actual: problem.actual === missing ? 'missing' : problem.actual },
      cause: options.cause,
    });
    this.file = file;
    this.field = problem.field;
    this.expected = problem.expected;
    this.actual = problem.actual;
  }
}

/** A file that is not JSON (or cannot be read at all), as a ConfigFileError naming it. */
export function unreadable(file: string, error: unknown): ConfigFileError {
  const why = error instanceof Error ? error.message : String(error);
  return new ConfigFileError(file, { field: '', expected: `a readable JSON file (${why})` }, { cause: error });
}

/**
 * A value an operation does not take (a control call's field, a console form, an uploaded key file),
 * in precise English for developers; each door (control API, support console) turns it into its own answer.
 */
export class InputError extends CodedError<'input.invalid'> {
  override name = 'InputError';
  constructor(
    message: string,
    /** The field that is wrong, when a door words its answer by it (e.g. `key`: the key is not the certificate's). */
    readonly field?: string,
  ) {
    super('input.invalid', message, { status: 400, details: field ? { field } : {} });
  }
}
