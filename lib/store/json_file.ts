/*
 * Crash-safe JSON file primitives for the emulator's data file: read without ever touching a bad
 * file, write atomically (atomic_file.ts), and a per-file lock (file_lock.ts) so two emulator
 * processes never share one file; their failures become DataFileErrors that say what to do.
 * steno (lowdb's writer) is not used: it does not fsync, and its fixed temp file name is clobbered
 * by concurrent writers.
 */
import { mkdir, readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname, resolve } from 'node:path';
import { CodedError } from '../errors.ts';
import { writeFileAtomic } from './atomic_file.ts';
import { acquireFileLock, FileLockedError, heldHere, type LockHolder } from './file_lock.ts';

export { removeStaleTempFiles } from './atomic_file.ts';

export type DataFileErrorKind = 'corrupt' | 'locked' | 'io';

/** The data file cannot be used: `corrupt` (left untouched for the user to fix), `locked` (another process has it), `io`. */
export class DataFileError extends CodedError<`data_file.${DataFileErrorKind}`> {
  override readonly name = 'DataFileError';
  constructor(
    readonly kind: DataFileErrorKind,
    readonly path: string,
    message: string,
    options: { cause?: unknown } = {},
  ) {
    super(`data_file.${kind}`, message, { details: { path }, cause: options.cause });
  }
}

function ioError(path: string, action: string, err: unknown): DataFileError {
  const detail = err instanceof Error ? err.message : String(err);
  return new DataFileError(
    'io',
    path,
    `Could not ${action} data file ${path} (${detail}). Check that the folder exists and is writable, or choose another one with ESIA_DATA_DIR.`,
    { cause: err },
  );
}

function errCode(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException | undefined)?.code;
}

/** undefined when the file does not exist; a file that does not parse is reported, never rewritten. */
export async function readJsonFile<T>(path: string): Promise<T | undefined> {
  const abs = resolve(path);
  let text: string;
  try {
    text = await readFile(abs, 'utf8');
  } catch (err) {
    if (errCode(err) === 'ENOENT') return undefined;
    throw ioError(abs, 'read', err);
  }
  try {
    return JSON.parse(text) as T;
  } catch (err) {
    const detail = err instanceof Error ? err.message : String(err);
    throw new DataFileError(
      'corrupt',
      abs,
      `Data file ${abs} is not valid JSON (${detail}). It was left untouched. Fix or delete it, or run \`npm run reset\`.`,
      { cause: err },
    );
  }
}

/**
 * Old or new complete file after a crash at any moment, never a torn one (atomic_file.ts). The data
 * is serialised synchronously, before the first await, so callers may keep mutating it while the
 * write runs.
 */
export async function writeJsonFileAtomic(path: string, data: unknown): Promise<void> {
  const abs = resolve(path);
  const text = JSON.stringify(data, null, 2) + '\n';
  try {
    await writeFileAtomic(abs, text);
  } catch (err) {
    throw ioError(abs, 'write', err);
  }
}

function lockedError(abs: string, lockPath: string, info: LockHolder): DataFileError {
  const where = `pid ${info.pid}${info.host === hostname() ? '' : ` on host ${info.host}`}, started ${info.startedAt}`;
  let message: string;
  if (heldHere(info)) {
    message = `Data file ${abs} is already open in this process (${where}). Close the first Store before opening it again.`;
  } else if (info.host !== hostname()) {
    message = `Data file ${abs} is in use by another emulator process (${where}). Stop that process, or give this one its own folder with ESIA_DATA_DIR. If that process is gone, delete ${lockPath}.`;
  } else {
    message = `Data file ${abs} is in use by another emulator process (${where}). Stop that process, or give this one its own folder with ESIA_DATA_DIR.`;
  }
  return new DataFileError('locked', abs, message);
}

/**
 * Takes `<dataFile>.lock` (file_lock.ts) or throws DataFileError('locked'): at once by default, so
 * two emulator processes never share one data file; after `waitMs` for a holder that may finish
 * (the test PKI's generation). Returns an idempotent release.
 */
export async function acquireLock(
  dataFilePath: string,
  options: { waitMs?: number } = {},
): Promise<() => Promise<void>> {
  const abs = resolve(dataFilePath);
  const lockPath = `${abs}.lock`;
  try {
    await mkdir(dirname(abs), { recursive: true });
  } catch (err) {
    throw ioError(abs, 'create the folder of', err);
  }
  try {
    return await acquireFileLock(lockPath, options);
  } catch (err) {
    if (!(err instanceof FileLockedError)) throw ioError(abs, 'lock', err);
    if (err.holder) throw lockedError(abs, lockPath, err.holder);
    throw new DataFileError(
      'locked',
      abs,
      `Data file ${abs} could not be locked: ${lockPath} keeps changing. Is another emulator starting on the same folder?`,
    );
  }
}
