/*
 * Every command-line tool refuses an option it does not know (exit 2, naming it and the valid ones)
 * before doing any work, and prints its usage on --help (exit 0). lib/cli.ts parses for all of them.
 * One tool at a time: each loads much of the emulator, and the machine may be shared.
 */
import test from 'ava';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CliUsageError, parseCliArgs, usage, type CliSpec } from '../lib/cli.ts';

const root = join(import.meta.dirname, '..');
const run = promisify(execFile);

/** Entry point → how its help starts. */
const tools: Record<string, string> = {
  'scenarios/cli.ts': 'Usage: npm run scenarios --',
  'scenarios/docs.ts': 'Usage: npm run docs',
  'bench/bench.ts': 'Usage: npm run bench --',
  'bench/esia.ts': 'Usage: npm run bench:esia --',
  'bench/redis.ts': 'Usage: npm run bench:redis --',
  'bench/reference.ts': 'Usage: node --import tsx bench/reference.ts',
  'keys/cli.ts': 'Usage: npm run keys --',
  'idp/audit/cli.ts': 'Usage: npm run audit:verify --',
  'start.ts': 'Usage: npm start --',
  'trainer/report.ts': 'Usage: npm run gallery --',
  'bench/fuzz.ts': 'Usage: npm run bench:fuzz --',
};

async function spawnTool(
  entry: string,
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  return run(process.execPath, ['--import', 'tsx', entry, ...args], {
    cwd: root,
    env: { ...process.env, ...env },
    timeout: 120_000,
  }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: { code: number; stdout: string; stderr: string }) => ({
      code: error.code,
      stdout: error.stdout,
      stderr: error.stderr,
    }),
  );
}

for (const [entry, helpStart] of Object.entries(tools)) {
  test.serial(
    `${entry}: an unknown option stops it with exit code 2 before it does anything; --help prints the usage`,
    async (t) => {
      // Each spawn loads the tool's modules through tsx: many seconds on a loaded 2-core machine.
      t.timeout(300_000);
      // A keys folder that must stay absent: neither call may get as far as generating keys or starting.
      const scratch = await mkdtemp(join(tmpdir(), 'esia-cli-'));
      const env = {
        ESIA_KEYS_DIR: join(scratch, 'keys'),
        ESIA_DATA_DIR: join(scratch, 'data'),
        ESIA_PORT: '0',
        ESIA_SMTP_PORT: '0',
        ESIA_RP: 'off',
      };
      try {
        const [typo, help] = await Promise.all([
          spawnTool(entry, ['--onyl', 'C2'], env),
          spawnTool(entry, ['--help'], env),
        ]);
        t.is(typo.code, 2, typo.stderr);
        t.regex(typo.stderr, /Unknown option --onyl\b.*Valid options: .*--help/);
        t.false(/\n\s+at /.test(typo.stderr), 'no stack trace');
        t.is(help.code, 0, help.stderr);
        t.true(help.stdout.startsWith(helpStart), help.stdout);
        t.regex(help.stdout, /--help\s+print this help/);
        t.false(existsSync(join(scratch, 'keys')) || existsSync(join(scratch, 'data')), 'nothing generated');
      } finally {
        await rm(scratch, { recursive: true, force: true });
      }
    },
  );
}

const spec: CliSpec<{
  only: { type: 'string'; value: string; help: string };
  quick: { type: 'boolean'; help: string };
}> = {
  command: 'tool',
  summary: 'A tool.',
  options: { only: { type: 'string', value: 'ID', help: 'these' }, quick: { type: 'boolean', help: 'fast' } },
  positionals: { usage: '[FILE]', max: 1 },
};

test('parseCliArgs: values by name, --name=value too, a near miss suggested, a missing value and extra arguments refused', (t) => {
  t.deepEqual(parseCliArgs(spec, ['--only', 'C2', '--quick', 'file']).values, { only: 'C2', quick: true });
  t.deepEqual(parseCliArgs(spec, ['--only=C2']).values, { only: 'C2' });
  t.is(parseCliArgs(spec, ['a.jsonl']).positionals[0], 'a.jsonl');
  t.is(
    t.throws(() => parseCliArgs(spec, ['--onyl', 'C2']), { instanceOf: CliUsageError })?.message,
    'Unknown option --onyl (did you mean --only?). Valid options: --only, --quick, --help.',
  );
  t.is(
    t.throws(() => parseCliArgs(spec, ['--zzzzzz']))?.message,
    'Unknown option --zzzzzz. Valid options: --only, --quick, --help.',
  );
  t.regex(t.throws(() => parseCliArgs(spec, ['--only']))?.message ?? '', /--only <value>' argument missing/);
  t.is(t.throws(() => parseCliArgs(spec, ['a', 'b']))?.message, 'Too many arguments (a b): expected [FILE].');
  t.regex(
    t.throws(() => parseCliArgs({ ...spec, positionals: undefined }, ['a']))?.message ?? '',
    /^Unexpected argument a: this command takes options only/,
  );
  t.true(parseCliArgs(spec, ['-h']).values.help);
});

test('usage lists every option with its value and help, aligned', (t) => {
  t.is(
    usage(spec),
    [
      'Usage: tool [options] [FILE]',
      '',
      'A tool.',
      '',
      'Options:',
      '  --only ID  these',
      '  --quick    fast',
      '  --help     print this help and exit (also -h)',
    ].join('\n'),
  );
});
