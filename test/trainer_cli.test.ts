/* `npm run gallery`'s arguments: lib/cli.ts (node:util parseArgs, strict); a mistyped flag stops before anything runs. */
import test from 'ava';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

const root = join(import.meta.dirname, '..');
const gallery = (...args: string[]) =>
  promisify(execFile)(process.execPath, ['--import', 'tsx', 'trainer/report.ts', ...args], {
    cwd: root,
    timeout: 30_000,
  }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: { code?: number; stdout: string; stderr: string }) => ({
      code: error.code,
      stdout: error.stdout,
      stderr: error.stderr,
    }),
  );

test('--help lists the options and exits 0', async (t) => {
  const { code, stdout } = await gallery('--help');
  t.is(code, 0);
  for (const option of ['--out', '--only', '--lanes', '--quality', '--live-url'])
    t.true(stdout.includes(option), option);
});

test('an unknown flag is refused with exit code 2 and says which', async (t) => {
  const { code, stderr } = await gallery('--onyl', 'wrong-password');
  t.is(code, 2);
  t.regex(stderr, /Unknown option --onyl \(did you mean --only\?\)\. Valid options: --out, --only/);
  t.notRegex(stderr, /\bat \w/, 'no stack trace');
});

for (const [args, message] of [
  [['--lanes', 'many'], /--lanes many: expected a whole number from 1 to 8/],
  [['--quality', '0'], /--quality 0: expected a whole number from 1 to 100/],
  [['--live-url', 'localhost:3000/trainer'], /--live-url localhost:3000\/trainer: expected the emulator's origin/],
  [['--out'], /--out/],
  [['stray'], /Unexpected argument stray/],
] as const) {
  test(`a malformed argument is refused with exit code 2: ${args.join(' ')}`, async (t) => {
    const { code, stderr } = await gallery(...args);
    t.is(code, 2);
    t.regex(stderr, message);
  });
}
