/*
 * Generates the emulator's local secrets on first run: the RS256 key that signs id_tokens and the
 * keys that sign cookies. They are written to a folder that git ignores (keys/local by default),
 * readable by the owner only, and reused on later starts so tokens stay verifiable across restarts.
 * Run `npm run keys` to create them ahead of time, or with --force to rotate them. It also makes
 * the test PKI (lib/pki/test_pki.ts) in <dir>/pki, which the emulator otherwise makes on first start.
 */
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import { loadTestPki } from '../lib/pki/test_pki.ts';

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

if (import.meta.url === `file://${process.argv[1]}`) {
  const dir = resolve(process.env.ESIA_KEYS_DIR ?? 'keys/local');
  const force = process.argv.includes('--force');
  await loadOrCreateKeys(dir, force);
  const pki = await loadTestPki(dir, { force });
  console.log(`Keys are in ${dir} (not tracked by git).`);
  console.log(`Test PKI (${pki.certificates.length} certificates, generated ${pki.generatedAt.toISOString()}) is in ${pki.dir}; trust ${pki.root.certificateFile} to use HTTPS.`);
}
