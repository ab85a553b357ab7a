/*
 * Crash-safe JSON file primitives for the emulator's data file: read without ever touching a bad
 * file, write atomically (unique temp file + fsync + rename + folder fsync), and a per-file lock so
 * two emulator processes never share one file (the test PKI's generation takes the same lock, and
 * waits for it). steno (lowdb's writer) is not used because it has no
 * fsync and a fixed temp name that concurrent writers clobber (stack-facts §8).
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, stat, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';

export type DataFileErrorKind = 'corrupt' | 'locked' | 'io';

export class DataFileError extends Error {
  override readonly name = 'DataFileError';
  constructor(
    readonly kind: DataFileErrorKind,
    readonly path: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
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

// pid + per-process counter + random suffix: no two writers (processes, or containers that reuse
// pids on a shared volume) ever write into the same temp file.
let tempCounter = 0;
const tempPrefix = (abs: string): string => `.${basename(abs)}.`;
const tempSuffix = '.tmp';

function tempPathFor(abs: string): string {
  tempCounter += 1;
  const unique = `${process.pid}.${tempCounter}.${randomBytes(4).toString('hex')}`;
  return join(dirname(abs), `${tempPrefix(abs)}${unique}${tempSuffix}`);
}

/**
 * Old or new complete file after a crash at any moment, never a torn one. The data is serialised
 * synchronously, before the first await, so callers may keep mutating it while the write runs.
 */
export async function writeJsonFileAtomic(path: string, data: unknown): Promise<void> {
  const abs = resolve(path);
  const text = JSON.stringify(data, null, 2) + '\n';
  const dir = dirname(abs);
  const temp = tempPathFor(abs);
  try {
    await mkdir(dir, { recursive: true });
    const handle = await open(temp, 'wx');
    try {
      await handle.writeFile(text, 'utf8');
      await handle.sync(); // content is durable before the rename makes it visible
    } finally {
      await handle.close();
    }
    await rename(temp, abs);
  } catch (err) {
    await unlink(temp).catch(() => {});
    throw ioError(abs, 'write', err);
  }
  await syncFolder(dir);
}

// Makes the rename itself durable. Some platforms (Windows) cannot fsync a folder; the file is
// already complete there, so skipping is safe.
async function syncFolder(dir: string): Promise<void> {
  let handle;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch {
    // best effort, see above
  } finally {
    await handle?.close().catch(() => {});
  }
}

/** Deletes temp files left by writers that were killed mid-write. Call only while holding the lock. */
export async function removeStaleTempFiles(path: string): Promise<void> {
  const abs = resolve(path);
  const prefix = tempPrefix(abs);
  let names: string[];
  try {
    names = await readdir(dirname(abs));
  } catch {
    return;
  }
  const stale = names.filter((n) => n.startsWith(prefix) && n.endsWith(tempSuffix));
  await Promise.all(stale.map((n) => unlink(join(dirname(abs), n)).catch(() => {})));
}

interface LockInfo {
  pid: number;
  startedAt: string;
  host: string;
}

// Locks held by this process. A lock naming our own pid that is not in here was left by an earlier
// process that had the same pid (containers restart as pid 1), so it is stale.
const heldLocks = new Set<string>();

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return errCode(err) === 'EPERM'; // exists, but belongs to another user
  }
}

function parseLock(text: string): LockInfo | undefined {
  try {
    const info = JSON.parse(text) as Partial<LockInfo>;
    if (typeof info.pid === 'number' && typeof info.startedAt === 'string' && typeof info.host === 'string') {
      return info as LockInfo;
    }
  } catch {
    // torn or empty: handled by the caller
  }
  return undefined;
}

function lockedError(abs: string, lockPath: string, info: LockInfo): DataFileError {
  const where = `pid ${info.pid}${info.host === hostname() ? '' : ` on host ${info.host}`}, started ${info.startedAt}`;
  let message: string;
  if (info.pid === process.pid && info.host === hostname()) {
    message = `Data file ${abs} is already open in this process (${where}). Close the first Store before opening it again.`;
  } else if (info.host !== hostname()) {
    message = `Data file ${abs} is in use by another emulator process (${where}). Stop that process, or give this one its own folder with ESIA_DATA_DIR. If that process is gone, delete ${lockPath}.`;
  } else {
    message = `Data file ${abs} is in use by another emulator process (${where}). Stop that process, or give this one its own folder with ESIA_DATA_DIR.`;
  }
  return new DataFileError('locked', abs, message);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const LOCK_TIMEOUT_MS = 10_000;
const TAKEOVER_MUTEX_STALE_MS = 5_000;
const WAIT_POLL_MS = 100;

export interface LockOptions {
  /** How long to wait for a live holder (another process, or this one) to release, instead of failing at once. */
  waitMs?: number;
}

/**
 * Takes `<dataFile>.lock` (O_EXCL) or throws DataFileError('locked'). A lock whose process is gone
 * (crash, SIGKILL) is taken over. Returns an idempotent release that removes the lock only if it is
 * still ours.
 */
export async function acquireLock(dataFilePath: string, options: LockOptions = {}): Promise<() => Promise<void>> {
  const abs = resolve(dataFilePath);
  const lockPath = `${abs}.lock`;
  const waitUntil = Date.now() + (options.waitMs ?? 0);
  while (heldLocks.has(lockPath)) {
    if (Date.now() < waitUntil) {
      await sleep(WAIT_POLL_MS);
      continue;
    }
    const text = await readFile(lockPath, 'utf8').catch(() => '');
    throw lockedError(abs, lockPath, parseLock(text) ?? { pid: process.pid, startedAt: 'just now', host: hostname() });
  }
  heldLocks.add(lockPath); // reserved synchronously, so two open()s in this process cannot both win
  try {
    return await createLock(abs, lockPath, waitUntil);
  } catch (err) {
    heldLocks.delete(lockPath);
    throw err;
  }
}

async function createLock(abs: string, lockPath: string, waitUntil: number): Promise<() => Promise<void>> {
  const mine = JSON.stringify({ pid: process.pid, startedAt: new Date().toISOString(), host: hostname() } satisfies LockInfo);
  try {
    await mkdir(dirname(abs), { recursive: true });
  } catch (err) {
    throw ioError(abs, 'create the folder of', err);
  }

  let unreadable = 0;
  const deadline = Math.max(Date.now() + LOCK_TIMEOUT_MS, waitUntil);
  while (Date.now() < deadline) {
    let handle;
    try {
      handle = await open(lockPath, 'wx');
    } catch (err) {
      if (errCode(err) !== 'EEXIST') throw ioError(abs, 'lock', err);
    }
    if (handle) {
      try {
        await handle.writeFile(mine, 'utf8');
        await handle.close();
      } catch (err) {
        await handle.close().catch(() => {});
        await unlink(lockPath).catch(() => {}); // an empty lock would block the next start for a while
        throw ioError(abs, 'lock', err);
      }
      return releaser(lockPath, mine);
    }

    const text = await readFile(lockPath, 'utf8').catch((err: unknown) => {
      if (errCode(err) === 'ENOENT') return undefined; // released meanwhile: try again
      throw ioError(abs, 'read the lock of', err);
    });
    if (text === undefined) continue;
    const info = parseLock(text);
    if (!info) {
      // Empty or torn: its owner is between create and write, or was killed right there. Give a
      // live owner time to finish; after that it can only be a crash leftover.
      if (++unreadable < 10) {
        await sleep(50);
        continue;
      }
    } else {
      // a pid cannot be checked on another machine: its lock counts as live
      const live = info.host !== hostname() || (info.pid !== process.pid && isAlive(info.pid));
      if (live && Date.now() < waitUntil) {
        await sleep(WAIT_POLL_MS);
        continue;
      }
      if (live) throw lockedError(abs, lockPath, info);
    }
    await takeOverStale(abs, lockPath, text);
  }
  throw new DataFileError('locked', abs, `Data file ${abs} could not be locked: ${lockPath} keeps changing. Is another emulator starting on the same folder?`);
}

// Only one process at a time may judge and remove a stale lock (`<lock>.takeover`, held for a few
// ms). Without it, two processes taking over at once can each remove the other's fresh lock and
// both run (seen with 6 racing starters). A fresh lock can only appear once the stale one is gone,
// so re-reading it under the mutex and removing it only if unchanged is exact.
async function takeOverStale(abs: string, lockPath: string, staleText: string): Promise<void> {
  const mutex = `${lockPath}.takeover`;
  try {
    await (await open(mutex, 'wx')).close();
  } catch (err) {
    if (errCode(err) !== 'EEXIST') throw ioError(abs, 'take over the stale lock of', err);
    // Someone else is taking over; a mutex this old was left by a process killed right there.
    const age = await stat(mutex).then((st) => Date.now() - st.mtimeMs, () => 0);
    if (age > TAKEOVER_MUTEX_STALE_MS) await unlink(mutex).catch(() => {});
    else await sleep(20);
    return; // the caller starts over
  }
  try {
    const current = await readFile(lockPath, 'utf8').catch(() => undefined);
    if (current === staleText) await unlink(lockPath);
  } catch (err) {
    throw ioError(abs, 'take over the stale lock of', err);
  } finally {
    await unlink(mutex).catch(() => {});
  }
}

function releaser(lockPath: string, mine: string): () => Promise<void> {
  let released = false;
  return async () => {
    if (released) return;
    released = true;
    heldLocks.delete(lockPath);
    const text = await readFile(lockPath, 'utf8').catch(() => undefined);
    if (text === mine) await unlink(lockPath).catch(() => {});
  };
}
