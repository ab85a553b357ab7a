/*
 * The stand of one support console test file (test/support/console_*.test.ts), an operator signed in
 * to its console, and its audit journal as written so far. Each ava test file runs in its own process,
 * so `stand` is that file's; it is set before the file's first test runs.
 */
import test from 'ava';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type Stand, startStand } from '../../scenarios/runner/stand.ts';
import { operatorSession as signIn, type ConsoleClient } from '../helpers/support_console.ts';

export let stand: Stand;

/** Starts the file's stand before its tests and closes it after them. */
export function useConsoleStand(): void {
  test.before(async () => {
    stand = await startStand();
  });
  test.after.always(() => stand?.close());
}

export const petrova = '1000002026';

/** `extraCookie` (e.g. esia_run=<id>) travels with every request, so the console acts on that run. */
export function operatorSession(login: string, extraCookie = ''): Promise<ConsoleClient> {
  return signIn(stand.idp, login, extraCookie);
}

export async function journal(): Promise<Array<Record<string, unknown>>> {
  await stand.emulator!.idp.services.journal.flush();
  const text = await readFile(join(stand.emulator!.idp.services.config.dataDir, 'audit.jsonl'), 'utf8');
  return text
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}
