/*
 * The test PKI on disk, <keysDir>/pki: read once per process, and generated (generate.ts) when
 * missing, made for another persona list, of an older layout, or about to expire.
 */
import { readFileSync } from 'node:fs';
import { mkdir, readFile, rmdir } from 'node:fs/promises';
import { join } from 'node:path';
import { acquireLock, DataFileError } from '../store/json_file.ts';
import { replaceFolder } from '../store/folder.ts';
import { TestPki } from './certificates.ts';
import { generate, type Manifest, manifestVersion } from './generate.ts';
import { type PersonaSubject, personasHash, readPersonaSubjects } from './persons.ts';

const day = 86_400_000;

const loaded = new Map<string, Promise<TestPki>>();

/**
 * The test PKI in <keysDir>/pki, generated when missing, outdated or about to expire. Safe when
 * several processes start at once: one generates (under <keysDir>/pki.lock, into a temporary folder
 * renamed into place), the others wait and reuse it.
 */
export function loadTestPki(
  keysDir: string,
  options: { personas?: PersonaSubject[]; origin?: string; force?: boolean } = {},
): Promise<TestPki> {
  const dir = join(keysDir, 'pki');
  const cached = options.force ? undefined : loaded.get(dir);
  if (cached) return cached;
  const pending = loadOrCreate(dir, options).catch((error: unknown) => {
    loaded.delete(dir);
    throw error;
  });
  loaded.set(dir, pending);
  return pending;
}

async function loadOrCreate(
  dir: string,
  options: { personas?: PersonaSubject[]; origin?: string; force?: boolean },
): Promise<TestPki> {
  const personas = options.personas ?? (await readPersonaSubjects());
  const hash = personasHash(personas);
  if (!options.force) {
    const existing = await readPki(dir).catch(() => undefined);
    if (existing && fresh(existing.manifest, hash)) return existing.pki;
  }
  // One generator at a time (test files run in parallel processes): the others wait, then reuse its result.
  const release = await lock(dir);
  try {
    if (!options.force) {
      const existing = await readPki(dir).catch(() => undefined);
      if (existing && fresh(existing.manifest, hash)) return existing.pki;
    }
    await replaceFolder(dir, (temp) => generate(temp, personas, options.origin ?? 'http://localhost:3000', hash));
    return (await readPki(dir)).pki;
  } finally {
    await release();
  }
}

/** <keysDir>/pki.lock, waited for while another process generates (two minutes at most: a generation takes seconds). */
async function lock(dir: string): Promise<() => Promise<void>> {
  await mkdir(join(dir, '..'), { recursive: true, mode: 0o700 });
  // Earlier versions locked with an empty folder of that name; one left by a crash would block for ever.
  await rmdir(`${dir}.lock`).catch(() => undefined);
  try {
    return await acquireLock(dir, { waitMs: 120_000 });
  } catch (error) {
    if (!(error instanceof DataFileError)) throw error;
    if (error.kind === 'locked')
      throw new Error(
        `The test PKI in ${dir} stays locked by another process; delete ${dir}.lock if none is generating it.`,
        { cause: error },
      );
    throw new Error(
      `The test PKI in ${dir} cannot be locked (${(error.cause as Error | undefined)?.message ?? error.message}); check that ${join(dir, '..')} is writable.`,
      { cause: error },
    );
  }
}

function fresh(manifest: Manifest, hash: string): boolean {
  if (manifest.version !== manifestVersion || manifest.personasHash !== hash) return false;
  const validTo = manifest.certificates.filter((c) => c.variant === 'valid').map((c) => Date.parse(c.notAfter));
  return validTo.length > 0 && Math.min(...validTo) - Date.now() > 30 * day;
}

async function readPki(dir: string): Promise<{ pki: TestPki; manifest: Manifest }> {
  const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as Manifest;
  // About 300 small files, read once per process at start-up: synchronous reads take a few ms,
  // whereas as many asynchronous ones queue four file-system calls each on libuv's thread pool.
  const certificates = manifest.certificates.map((entry) => {
    const certificateFile = join(dir, entry.certificateFile);
    const keyFile = join(dir, entry.keyFile);
    return {
      ...entry,
      certificateFile,
      keyFile,
      certificatePem: readFileSync(certificateFile, 'utf8'),
      privateKeyPem: readFileSync(keyFile, 'utf8'),
    };
  });
  return { pki: new TestPki(dir, new Date(manifest.generatedAt), manifest.origin, certificates), manifest };
}
