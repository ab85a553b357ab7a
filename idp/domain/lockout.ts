/*
 * Lockout after repeated wrong passwords (C2, F4), one rule for accounts and support operators. An
 * account stays locked until support unlocks it, even for the right password; an operator's lock
 * lasts a set time. Callers serialise attempts per account or operator (keyed_mutex.ts), so
 * concurrent attempts are counted exactly as sequential ones, and the count is kept while locked.
 */

/** Wrong passwords in a row and when they locked: an account, or an operator of the support console. */
export interface Lockable {
  failedAttempts: number;
  lockedAt: string | null;
}

/** Locked now; a lock with a duration (operators) has run out `durationMs` after it was set. */
export function isLocked(subject: Lockable, now?: number, durationMs?: number): boolean {
  if (subject.lockedAt === null) return false;
  return durationMs === undefined || now === undefined || now < lockedUntil(subject, durationMs);
}

export function lockedUntil(subject: Lockable, durationMs: number): number {
  return subject.lockedAt === null ? 0 : Date.parse(subject.lockedAt) + durationMs;
}

/** Lifts a timed lock that has run out, with its count, so the next wrong password starts again from one. */
export function expireLock(subject: Lockable, now: number, durationMs: number): void {
  if (subject.lockedAt !== null && !isLocked(subject, now, durationMs)) unlock(subject);
}

/** Counts one wrong password; returns true when this attempt locked. */
export function registerFailure(subject: Lockable, now: number, limit: number): boolean {
  subject.failedAttempts += 1;
  if (subject.failedAttempts >= limit && subject.lockedAt === null) {
    subject.lockedAt = new Date(now).toISOString();
    return true;
  }
  return false;
}

export function registerSuccess(subject: Lockable): void {
  subject.failedAttempts = 0;
}

export function unlock(subject: Lockable): void {
  subject.failedAttempts = 0;
  subject.lockedAt = null;
}
