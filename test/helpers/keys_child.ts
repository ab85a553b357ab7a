/*
 * Child process for test/keys.test.ts, run as `node --import tsx keys_child.ts <keysDir> <goFile>`:
 * loads the key generator, prints `ready`, waits until <goFile> exists (so several children call it
 * within a few milliseconds of each other), then prints the signing key's kid and the cookie key.
 */
import { existsSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { loadOrCreateKeys } from '../../keys/generate.ts';

const [dir, go] = process.argv.slice(2) as [string, string];
process.stdout.write('ready\n');
while (!existsSync(go)) await sleep(2);
const keys = await loadOrCreateKeys(dir);
process.stdout.write(
  `${JSON.stringify({ kid: keys.jwks.keys[0]?.kid, n: keys.jwks.keys[0]?.n, cookie: keys.cookieKeys[0] })}\n`,
);
