/*
 * Arguments of the command-line tools (npm run scenarios, bench, keys, audit:verify, npm start…):
 * each tool declares its options with a line of help, and gets them parsed by node:util parseArgs in
 * strict mode. An unknown or malformed option stops the tool with exit code 2 and a message naming
 * it and listing the valid ones, so a typo (--onyl) never runs the tool with the option ignored;
 * --help prints the usage and exits 0.
 */
import { parseArgs } from 'node:util';

export interface CliOption {
  type: 'string' | 'boolean';
  /** What the value looks like in the help, e.g. ID[,ID] or FILE (string options). */
  value?: string;
  help: string;
}

export interface CliSpec<O extends Record<string, CliOption>> {
  /** How it is run, e.g. `npm run scenarios --`. */
  command: string;
  /** One or two sentences: what the tool does. */
  summary: string;
  options: O;
  /** The positional arguments, for the usage line (e.g. `[FILE|FOLDER]`); none are accepted when absent. */
  positionals?: { usage: string; max: number };
}

export type CliValues<O extends Record<string, CliOption>> = {
  [K in keyof O]?: O[K]['type'] extends 'boolean' ? boolean : string;
};

export class CliUsageError extends Error {
  override name = 'CliUsageError';
}

export function usage<O extends Record<string, CliOption>>(spec: CliSpec<O>): string {
  const rows = Object.entries({
    ...spec.options,
    help: { type: 'boolean', help: 'print this help and exit (also -h)' } as CliOption,
  }).map(([name, o]) => [`--${name}${o.value ? ` ${o.value}` : ''}`, o.help]);
  const width = Math.max(...rows.map(([left]) => left!.length)) + 2;
  return [
    `Usage: ${spec.command}${Object.keys(spec.options).length ? ' [options]' : ''}${spec.positionals ? ` ${spec.positionals.usage}` : ''}`,
    '',
    spec.summary,
    '',
    'Options:',
    ...rows.map(([left, help]) => `  ${left!.padEnd(width)}${help}`),
  ].join('\n');
}

/** Parses `argv`; throws CliUsageError with the message to print on a wrong option or argument. */
export function parseCliArgs<O extends Record<string, CliOption>>(
  spec: CliSpec<O>,
  argv: string[],
): { values: CliValues<O> & { help?: boolean }; positionals: string[] } {
  const valid = Object.keys(spec.options)
    .map((name) => `--${name}`)
    .concat('--help');
  const options = Object.fromEntries([
    ...Object.entries(spec.options).map(([name, o]) => [name, { type: o.type }]),
    ['help', { type: 'boolean', short: 'h' }],
  ]);
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: argv, options, strict: true, allowPositionals: Boolean(spec.positionals) });
  } catch (error) {
    const { code, message } = error as NodeJS.ErrnoException;
    const unknown = code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' ? /'([^']+)'/.exec(message)?.[1] : undefined;
    if (unknown)
      throw new CliUsageError(
        `Unknown option ${unknown}${closest(unknown, valid)}. Valid options: ${valid.join(', ')}.`,
      );
    if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL')
      throw new CliUsageError(
        `Unexpected argument ${/'([^']+)'/.exec(message)?.[1] ?? ''}: this command takes options only (${valid.join(', ')}).`,
      );
    // A string option without its value, or a value given to a boolean option: node names the option.
    throw new CliUsageError(message);
  }
  if (spec.positionals && parsed.positionals.length > spec.positionals.max) {
    throw new CliUsageError(
      `Too many arguments (${parsed.positionals.join(' ')}): expected ${spec.positionals.usage}.`,
    );
  }
  return { values: parsed.values as CliValues<O>, positionals: parsed.positionals };
}

/**
 * For a tool's entry point: the parsed options, or — on --help — the usage printed and the process
 * ended with 0, or — on a wrong option — the message and the usage line printed and exit code 2.
 */
export function parseCli<O extends Record<string, CliOption>>(
  spec: CliSpec<O>,
  argv = process.argv.slice(2),
): { values: CliValues<O>; positionals: string[] } {
  try {
    const parsed = parseCliArgs(spec, argv);
    if (parsed.values.help) {
      console.log(usage(spec));
      process.exit(0);
    }
    return parsed;
  } catch (error) {
    if (!(error instanceof CliUsageError)) throw error;
    console.error(`${error.message}\n${usage(spec).split('\n')[0]}   (--help for details)`);
    process.exit(2);
  }
}

/** ` (did you mean --only?)` for a near miss, else nothing. */
function closest(given: string, valid: string[]): string {
  const distance = (a: string, b: string): number => {
    const row = Array.from({ length: b.length + 1 }, (_, i) => i);
    for (let i = 1; i <= a.length; i++) {
      let diagonal = row[0]!;
      row[0] = i;
      for (let j = 1; j <= b.length; j++) {
        const above = row[j]!;
        row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
        diagonal = above;
      }
    }
    return row[b.length]!;
  };
  const best = valid.map((v) => [v, distance(given, v)] as const).sort((x, y) => x[1] - y[1])[0];
  return best && best[1] <= 2 ? ` (did you mean ${best[0]}?)` : '';
}
