/*
 * Lockout after repeated wrong passwords (C2, F4), one rule for accounts, unknown logins and support
 * operators. An account stays locked until support unlocks it, even for the right password; an
 * operator's lock lasts a set time. Callers serialise attempts per account or operator
 * (keyed_mutex.ts), so concurrent attempts are counted exactly as sequential ones, and the count is
 * kept while locked. A login no account has is counted the same way, so its refusals (the countdown,
 * then the lock) cannot tell that it does not exist.
 */
import { pluralForm } from '../../lib/russian_plural.ts';

/** Wrong passwords in a row and when they locked: an account, an unknown login, or a support operator. */
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

/** Wrong passwords still allowed before the lock. */
export function attemptsLeft(subject: Lockable, limit: number): number {
  return Math.max(0, limit - subject.failedAttempts);
}

/** The warning under a wrong-password refusal when `left` attempts remain. */
export function attemptsLeftWarning(left: number): string {
  const remain = `${pluralForm(left, ['Осталась', 'Осталось', 'Осталось'])} ${left} ${pluralForm(left, ['попытка', 'попытки', 'попыток'])}`;
  const more = left === 1 ? 'раз' : `${left} ${pluralForm(left, ['раз', 'раза', 'раз'])}`;
  return `${remain}. Если ошибиться ещё ${more}, вход заблокируется и снять блокировку сможет только служба поддержки. Не уверены в пароле — восстановите его.`;
}

/** Wrong-password counts of logins that no account has, per identifier; bounded, the oldest forgotten. */
export class UnknownLogins {
  readonly #states = new Map<string, Lockable>();

  constructor(private readonly max = 10_000) {}

  of(identifierKey: string): Lockable {
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

  entries(): Array<[string, Lockable]> {
    return [...this.#states];
  }

  /** Replaces every count with these (another process's), oldest first. */
  restore(entries: Array<[string, Lockable]>): void {
    this.#states.clear();
    for (const [key, state] of entries) this.#states.set(key, state);
  }
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
