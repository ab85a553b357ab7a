/*
 * The one file lock of this project: `<path>` created with O_EXCL, holding the owner's pid, start
 * time and host. A lock whose process is gone (crash, SIGKILL) is taken over. Two uses:
 *   - ownership for a process's life (the data store: a second emulator on one data file is refused
 *     at once, waitMs 0);
 *   - a critical section between processes (withFileLock: generating keys, merging a cache), where a
 *     live holder is waited for, up to waitMs.
 */
import { mkdir, open, readFile, stat, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname, resolve } from 'node:path';

export interface LockHolder {
  pid: number;
  startedAt: string;
  host: string;
}

/** The lock is someone else's (holder), or kept changing until the deadline (no holder). */
export class FileLockedError extends Error {
  override readonly name = 'FileLockedError';
  constructor(
    readonly lockPath: string,
    readonly holder: LockHolder | undefined,
  ) {
    super(
      holder
        ? `${lockPath} is held by pid ${holder.pid} on ${holder.host} since ${holder.startedAt}`
        : `${lockPath} kept changing: another process keeps taking it`,
    );
  }
}

/** The holder is this very process (an earlier acquire not released yet). */
export const heldHere = (holder: LockHolder | undefined): boolean =>
  holder?.pid === process.pid && holder.host === hostname();

// Locks held by this process. A lock naming our own pid that is not in here was left by an earlier
// process that had the same pid (containers restart as pid 1), so it is stale.
const heldLocks = new Set<string>();

function errCode(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException | undefined)?.code;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return errCode(err) === 'EPERM'; // exists, but belongs to another user
  }
}

function parseLock(text: string): LockHolder | undefined {
  try {
    const info = JSON.parse(text) as Partial<LockHolder>;
    if (typeof info.pid === 'number' && typeof info.startedAt === 'string' && typeof info.host === 'string')
      return info as LockHolder;
  } catch {
    // torn or empty: handled by the caller
  }
  return undefined;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** How long a lock that keeps changing hands is retried before giving up. */
const CHURN_TIMEOUT_MS = 10_000;
const TAKEOVER_MUTEX_STALE_MS = 5_000;

/**
 * Takes the lock at `lockPath`, or throws FileLockedError when a live process holds it (after
 * waiting up to `waitMs` for it to be released). Other failures (no permission…) are thrown as they
 * are. Returns an idempotent release that removes the lock only if it is still ours.
 */
export async function acquireFileLock(
  lockPath: string,
  options: { waitMs?: number } = {},
): Promise<() => Promise<void>> {
  const abs = resolve(lockPath);
  const waitMs = options.waitMs ?? 0;
  const deadline = Date.now() + Math.max(waitMs, CHURN_TIMEOUT_MS);
  const waitUntil = Date.now() + waitMs;
  for (;;) {
    if (!heldLocks.has(abs)) {
      heldLocks.add(abs); // reserved synchronously, so two acquires in this process cannot both win
      try {
        return await createLock(abs, waitUntil, deadline);
      } catch (err) {
        heldLocks.delete(abs);
        throw err;
      }
    }
    if (Date.now() >= waitUntil) {
      const text = await readFile(abs, 'utf8').catch(() => '');
      throw new FileLockedError(abs, parseLock(text) ?? { pid: process.pid, startedAt: 'just now', host: hostname() });
    }
    await sleep(25);
  }
}

/** Runs `critical` while holding the lock at `lockPath`, waiting up to `waitMs` for another holder. */
export async function withFileLock<T>(
  lockPath: string,
  critical: () => Promise<T>,
  options: { waitMs: number },
): Promise<T> {
  const release = await acquireFileLock(lockPath, options);
  try {
    return await critical();
  } finally {
    await release();
  }
}

async function createLock(abs: string, waitUntil: number, deadline: number): Promise<() => Promise<void>> {
  const mine = JSON.stringify({
    pid: process.pid,
    startedAt: new Date().toISOString(),
    host: hostname(),
  } satisfies LockHolder);
  await mkdir(dirname(abs), { recursive: true });
  let unreadable = 0;
  while (Date.now() < deadline) {
    let handle;
    try {
      handle = await open(abs, 'wx');
    } catch (err) {
      if (errCode(err) !== 'EEXIST') throw err;
    }
    if (handle) {
      try {
        await handle.writeFile(mine, 'utf8');
        await handle.close();
      } catch (err) {
        await handle.close().catch(() => {});
        await unlink(abs).catch(() => {}); // an empty lock would block the next start for a while
        throw err;
      }
      return releaser(abs, mine);
    }

    const text = await readFile(abs, 'utf8').catch((err: unknown) => {
      if (errCode(err) === 'ENOENT') return undefined; // released meanwhile: try again
      throw err;
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
    } else if (info.host !== hostname() || (info.pid !== process.pid && isAlive(info.pid))) {
      // A live holder (or one on another machine, whose pid cannot be checked): wait, or refuse.
      if (Date.now() >= waitUntil) throw new FileLockedError(abs, info);
      await sleep(25);
      continue;
    }
    await takeOverStale(abs, text);
  }
  throw new FileLockedError(abs, undefined);
}

// Only one process at a time may judge and remove a stale lock (`<lock>.takeover`, held for a few
// ms). Without it, two processes taking over at once can each remove the other's fresh lock and
// both run (seen with 6 racing starters). A fresh lock can only appear once the stale one is gone,
// so re-reading it under the mutex and removing it only if unchanged is exact.
async function takeOverStale(lockPath: string, staleText: string): Promise<void> {
  const mutex = `${lockPath}.takeover`;
  try {
    await (await open(mutex, 'wx')).close();
  } catch (err) {
    if (errCode(err) !== 'EEXIST') throw err;
    // Someone else is taking over; a mutex this old was left by a process killed right there.
    const age = await stat(mutex).then(
      (st) => Date.now() - st.mtimeMs,
      () => 0,
    );
    if (age > TAKEOVER_MUTEX_STALE_MS) await unlink(mutex).catch(() => {});
    else await sleep(20);
    return; // the caller starts over
  }
  try {
    const current = await readFile(lockPath, 'utf8').catch(() => undefined);
    if (current === staleText) await unlink(lockPath);
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
