/*
 * The audit journal's key: 32 random bytes in the keys folder (never in the data folder, never in
 * git). Every record's hash is an HMAC with it, and so is the head file, so whoever rewrites the
 * journal cannot recompute a chain that verifies, nor cut its end and sign a new head.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export function auditKeyPath(keysDir: string): string {
  return join(keysDir, 'audit.key');
}

/** Reads the key; `create` makes it first when missing (exclusively, so two first starts end with one key). */
export function loadAuditKey(keysDir: string, create = false): Buffer {
  const path = auditKeyPath(keysDir);
  const read = () => Buffer.from(readFileSync(path, 'utf8').trim(), 'hex');
  try {
    return read();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || !create) throw error;
  }
  mkdirSync(keysDir, { recursive: true });
  try {
    writeFileSync(path, `${randomBytes(32).toString('hex')}\n`, { flag: 'wx', mode: 0o600 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  return read();
}
