/*
 * Lockout after repeated wrong passwords (C2, F4). The account stays locked until support unlocks
 * it, even for the right password. Callers serialise attempts per account (see keyed_mutex.ts), so
 * concurrent attempts are counted exactly as sequential ones.
 */
import type { Account } from './account.ts';

export function isLocked(account: Account): boolean {
  return account.lockedAt !== null;
}

/** Counts one wrong password; returns true when this attempt locked the account. */
export function registerFailure(account: Account, now: number, limit: number): boolean {
  account.failedAttempts += 1;
  if (account.failedAttempts >= limit && account.lockedAt === null) {
    account.lockedAt = new Date(now).toISOString();
    return true;
  }
  return false;
}

export function registerSuccess(account: Account): void {
  account.failedAttempts = 0;
}

export function unlock(account: Account): void {
  account.failedAttempts = 0;
  account.lockedAt = null;
}
