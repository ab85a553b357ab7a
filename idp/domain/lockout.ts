/*
 * Lockout after repeated wrong passwords (C2, F4). The account stays locked until support unlocks
 * it, even for the right password. Callers serialise attempts per account (see keyed_mutex.ts), so
 * concurrent attempts are counted exactly as sequential ones. A login no account has is counted the
 * same way, so its refusals (the countdown, then the lock) cannot tell that it does not exist.
 */
import { pluralForm } from '../../lib/russian_plural.ts';
import type { Account } from './account.ts';

/** What lockout counts: an account's attempts, or an unknown login's. */
export type LockoutState = Pick<Account, 'failedAttempts' | 'lockedAt'>;

export function isLocked(account: LockoutState): boolean {
  return account.lockedAt !== null;
}

/** Wrong passwords still allowed before the lock. */
export function attemptsLeft(account: LockoutState, limit: number): number {
  return Math.max(0, limit - account.failedAttempts);
}

/** The warning under a wrong-password refusal when `left` attempts remain. */
export function attemptsLeftWarning(left: number): string {
  const remain = `${pluralForm(left, ['Осталась', 'Осталось', 'Осталось'])} ${left} ${pluralForm(left, ['попытка', 'попытки', 'попыток'])}`;
  const more = left === 1 ? 'раз' : `${left} ${pluralForm(left, ['раз', 'раза', 'раз'])}`;
  return `${remain}. Если ошибиться ещё ${more}, вход заблокируется и снять блокировку сможет только служба поддержки. Не уверены в пароле — восстановите его.`;
}

/** Wrong-password counts of logins that no account has, per identifier; bounded, the oldest forgotten. */
export class UnknownLogins {
  readonly #states = new Map<string, LockoutState>();

  constructor(private readonly max = 10_000) {}

  of(identifierKey: string): LockoutState {
    let state = this.#states.get(identifierKey);
    if (!state) {
      state = { failedAttempts: 0, lockedAt: null };
      this.#states.set(identifierKey, state);
      while (this.#states.size > this.max) this.#states.delete(this.#states.keys().next().value!);
    }
    return state;
  }

  clear(): void {
    this.#states.clear();
  }
}

/** Counts one wrong password; returns true when this attempt locked the account. */
export function registerFailure(account: LockoutState, now: number, limit: number): boolean {
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
