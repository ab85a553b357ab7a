/*
 * The scrypt hashes of the personas' fixture passwords, kept between processes in
 * <keysDir>/fixture-hashes.json: every start on a new data folder (the first run, after
 * `npm run reset`, each test or bench start) would otherwise hash the same test passwords again
 * (about 4 ms of CPU per persona). Entries are keyed by a SHA-256 of persona, password and scrypt
 * cost (fixtureHashKey), so an edited password or another ESIA_SCRYPT_N gets a new hash, and the
 * file holds no clear password. A missing or unreadable file is an empty cache.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { writeFileAtomic } from '../../lib/store/atomic_file.ts';
import { withFileLock } from '../../lib/store/file_lock.ts';

export function fixtureHashKey(persona: string, password: string, scryptN: number): string {
  return createHash('sha256').update(`${persona}\u0000${password}\u0000${scryptN}`).digest('base64url');
}

export async function readFixtureHashes(file: string): Promise<Map<string, string>> {
  try {
    const entries = JSON.parse(await readFile(file, 'utf8')) as unknown;
    if (typeof entries !== 'object' || entries === null || Array.isArray(entries)) return new Map();
    return new Map(
      Object.entries(entries).filter(
        (e): e is [string, string] => typeof e[1] === 'string' && e[1].startsWith('scrypt$'),
      ),
    );
  } catch {
    return new Map();
  }
}

/** Writes of this process, one after the other: each merges into what the file holds by then. */
let writing: Promise<void> = Promise.resolve();

/**
 * Adds `hashes` to the file, keeping the entries other processes wrote meanwhile (test files run in
 * parallel processes), atomically and under the file's lock. Best effort: the cache only saves time.
 */
export function writeFixtureHashes(file: string, hashes: Map<string, string>): Promise<void> {
  writing = writing.then(async () => {
    try {
      await mkdir(dirname(file), { recursive: true, mode: 0o700 });
      // Read, merge and write under the lock: two processes merging at once would drop each other's entries.
      await withFileLock(
        `${file}.lock`,
        async () => {
          const merged = new Map([...(await readFixtureHashes(file)), ...hashes]);
          await writeFileAtomic(file, `${JSON.stringify(Object.fromEntries(merged), null, 1)}\n`, { mode: 0o600 });
        },
        { waitMs: 10_000 },
      );
    } catch (error) {
      console.error(
        `[esia-emulator] Could not keep the personas' password hashes in ${file} (they will be computed again next start): ${(error as Error).message}`,
      );
    }
  });
  return writing;
}
