/*
 * Generates the emulator's local secrets on first run: the RS256 key that signs id_tokens and the
 * keys that sign cookies. They are written to a folder that git ignores (keys/local by default),
 * readable by the owner only, and reused on later starts so tokens stay verifiable across restarts.
 * `npm run keys` (keys/cli.ts) creates them ahead of time, or with --force rotates them.
 */
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, type JWK } from 'jose';

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

async function writeSecret(path: string, data: unknown): Promise<void> {
  const temp = `${path}.${process.pid}.tmp`;
  await writeFile(temp, `${JSON.stringify(data, null, 2)}\n`, { mode: 0o600 });
  await chmod(temp, 0o600);
  await rename(temp, path);
}

export async function loadOrCreateKeys(dir: string, force = false): Promise<LocalKeys> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const signingPath = join(dir, 'idp-signing.jwks.json');
  const cookiePath = join(dir, 'cookie-keys.json');
  let jwks = force ? undefined : await readJson<{ keys: JWK[] }>(signingPath);
  if (!jwks) {
    const { privateKey } = await generateKeyPair('RS256', { modulusLength: 2048, extractable: true });
    const jwk = await exportJWK(privateKey);
    jwks = { keys: [{ ...jwk, alg: 'RS256', use: 'sig', kid: `esia-emulator-${Date.now().toString(36)}` }] };
    await writeSecret(signingPath, jwks);
  }
  let cookieKeys = force ? undefined : await readJson<string[]>(cookiePath);
  if (!cookieKeys) {
    cookieKeys = [randomBytes(32).toString('base64url')];
    await writeSecret(cookiePath, cookieKeys);
  }
  return { jwks, cookieKeys };
}
