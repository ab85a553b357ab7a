/*
 * Generates the emulator's local secrets on first run: the RS256 key that signs id_tokens and the
 * keys that sign cookies. They are written to a folder that git ignores (keys/local by default),
 * readable by the owner only, and reused on later starts so tokens stay verifiable across restarts.
 * `npm run keys` (keys/cli.ts) creates them ahead of time, or with --force rotates them.
 * Processes starting at once on a new folder (tests, two first starts) generate under one lock
 * and look again once they hold it, so all of them end with the same keys.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import { writeFileAtomic } from '../lib/store/atomic_file.ts';
import { withFileLock } from '../lib/store/file_lock.ts';

export interface LocalKeys {
  /** Private JWKS for oidc-provider. */
  jwks: { keys: JWK[] };
  cookieKeys: string[];
}

async function readJson<T>(path: string): Promise<T | undefined> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as T;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new Error(`Key file ${path} cannot be read (${(error as Error).message}). Delete it to generate a new one.`);
  }
}

const writeSecret = (path: string, data: unknown) =>
  writeFileAtomic(path, `${JSON.stringify(data, null, 2)}\n`, { mode: 0o600 });

/** Long enough for another process to generate an RSA key on a busy machine. */
const generationWaitMs = 60_000;

export async function loadOrCreateKeys(dir: string, force = false): Promise<LocalKeys> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const signingPath = join(dir, 'idp-signing.jwks.json');
  const cookiePath = join(dir, 'cookie-keys.json');
  const existing = async () => {
    const [jwks, cookieKeys] = await Promise.all([
      readJson<{ keys: JWK[] }>(signingPath),
      readJson<string[]>(cookiePath),
    ]);
    return { jwks, cookieKeys };
  };
  const found = force ? undefined : await existing();
  if (found?.jwks && found.cookieKeys) return { jwks: found.jwks, cookieKeys: found.cookieKeys };
  return withFileLock(
    join(dir, 'keys.lock'),
    async () => {
      // Another process may have made them while this one waited for the lock.
      let { jwks, cookieKeys } = force ? { jwks: undefined, cookieKeys: undefined } : await existing();
      if (!jwks) {
        const { privateKey } = await generateKeyPair('RS256', { modulusLength: 2048, extractable: true });
        const jwk = await exportJWK(privateKey);
        jwks = { keys: [{ ...jwk, alg: 'RS256', use: 'sig', kid: `esia-emulator-${Date.now().toString(36)}` }] };
        await writeSecret(signingPath, jwks);
      }
      if (!cookieKeys) {
        cookieKeys = [randomBytes(32).toString('base64url')];
        await writeSecret(cookiePath, cookieKeys);
      }
      return { jwks, cookieKeys };
    },
    { waitMs: generationWaitMs },
  );
}
