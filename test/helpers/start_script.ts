/*
 * `npm start` as a test runs it: the real start script (start.ts through tsx) as a child process with
 * its own data folder and the shared test keys, until it printed its banner; stopped (SIGTERM, then
 * SIGKILL if it hangs) and its folder removed when the test ends.
 */
import type { ExecutionContext } from 'ava';
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface StartedScript {
  child: ChildProcessWithoutNullStreams;
  /** Everything it printed so far, stdout and stderr. */
  output(): string;
}

export async function startScript(
  t: ExecutionContext,
  args: string[],
  env: Record<string, string>,
  timeoutMs = 120_000,
  /** What runs: start.ts through tsx (default), or what `npm start` runs, the bundle (['build/start.js']). */
  entry: string[] = ['--import', 'tsx', 'start.ts'],
): Promise<StartedScript> {
  const dataDir = await mkdtemp(join(tmpdir(), 'esia-start-'));
  const child = spawn(process.execPath, [...entry, ...args], {
    env: {
      ...process.env,
      ESIA_DATA_DIR: dataDir,
      ESIA_KEYS_DIR: join(tmpdir(), 'esia-emulator-test-keys'),
      ESIA_MTLS_PORT: 'off',
      // npm start's SMTP default (2525) would be one port for every test at once.
      ESIA_SMTP_PORT: '0',
      ESIA_LOG: 'off',
      ...env,
    },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  t.teardown(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((ok) => child.once('exit', ok));
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      child.kill('SIGTERM');
      await exited;
      clearTimeout(timer);
    }
    await rm(dataDir, { recursive: true, force: true });
  });
  let output = '';
  await new Promise<void>((ok, fail) => {
    const timer = setTimeout(
      () => fail(new Error(`npm start did not start in ${timeoutMs} ms:\n${output}`)),
      timeoutMs,
    );
    const read = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Stop with Ctrl+C.')) {
        clearTimeout(timer);
        ok();
      }
    };
    child.stdout.on('data', read);
    child.stderr.on('data', read);
    child.once('exit', (code) => fail(new Error(`npm start exited with ${code}:\n${output}`)));
  });
  return { child, output: () => output };
}
