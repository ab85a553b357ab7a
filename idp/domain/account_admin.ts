/*
 * What support and the control API do to an account (C2, D2, E2): unlock, edit its state, replace
 * the password by a temporary one that must be changed at the next sign-in, put a note on it. One
 * implementation for both doors (idp/control/router.ts and idp/support/). Pure: the caller hashes
 * passwords, stamps time from the run's clock and saves.
 */
import { randomInt } from 'node:crypto';
import { EsiaError } from '../errors/esia_error.ts';
import type { Account } from './account.ts';
import { unmetRules } from './password_policy.ts';
import { InputError } from '../../lib/errors.ts';

export { unlock } from './lockout.ts';

export const editableFields = ['status', 'trust', 'phoneConfirmed', 'emailConfirmed', 'passwordMustChange'] as const;
export type StatePatch = Partial<Pick<Account, (typeof editableFields)[number]>>;

const allowed = {
  status: ['active', 'inactive', 'restricted'],
  trust: ['simplified', 'standard', 'confirmed'],
} as const;

/** Checks every field first, then applies them all (nothing is half-applied). */
export function patchAccountState(account: Account, patch: Record<string, unknown>): StatePatch {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(patch)) {
    if (key === 'status' || key === 'trust') {
      if (!(allowed[key] as readonly unknown[]).includes(value))
        throw new InputError(`${key} must be one of ${allowed[key].join(', ')}; got ${JSON.stringify(value)}.`);
    } else if (key === 'phoneConfirmed' || key === 'emailConfirmed' || key === 'passwordMustChange') {
      if (typeof value !== 'boolean')
        throw new InputError(`${key} must be true or false; got ${JSON.stringify(value)}.`);
    } else {
      throw new InputError(`Unknown field "${key}". Allowed: ${editableFields.join(', ')}.`);
    }
    out[key] = value;
  }
  Object.assign(account, out);
  return out as StatePatch;
}

/** Kinds of temporary password support hands out (D2): see README «Консоль поддержки и журнал аудита». */
export const temporaryKinds = {
  /** «Сбросить пароль»: a password that meets every rule, e-mailed to the confirmed address. */
  reset: { lifetimeMs: 24 * 60 * 60 * 1000 },
  /** «Временный код»: 8 digits the operator dictates on the phone after checking identity. */
  code: { lifetimeMs: 60 * 60 * 1000 },
} as const;
export type TemporaryKind = keyof typeof temporaryKinds;

const lower = 'abcdefghijkmnpqrstuvwxyz';
const upper = 'ABCDEFGHJKLMNPQRSTUVWXYZ';
const digits = '23456789';
const specials = '!#%-_';

function pick(alphabet: string): string {
  return alphabet[randomInt(alphabet.length)] as string;
}

/** A fresh secret of this kind: 10 characters meeting B7 for a reset, 8 digits for a code. */
export function generateTemporarySecret(kind: TemporaryKind): string {
  if (kind === 'code') return Array.from({ length: 8 }, () => String(randomInt(10))).join('');
  const all = lower + upper + digits + specials;
  const chars = [pick(lower), pick(upper), pick(digits), pick(specials), ...Array.from({ length: 6 }, () => pick(all))];
  for (let i = chars.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [chars[i], chars[j]] = [chars[j] as string, chars[i] as string];
  }
  const secret = chars.join('');
  return unmetRules(secret).length ? generateTemporarySecret(kind) : secret;
}

/**
 * The old password stops working at once; the temporary one lets the user through the password step
 * until it expires, then the forced change (B4) asks for a new one. Lockout is lifted too.
 */
export function setTemporaryPassword(
  account: Account,
  hash: string,
  kind: TemporaryKind,
  now: number,
  historyKept: number,
): { expiresAt: string } {
  account.previousPasswordHashes = [account.passwordHash, ...account.previousPasswordHashes].slice(0, historyKept);
  account.passwordHash = hash;
  account.passwordMustChange = true;
  account.passwordChangedAt = new Date(now).toISOString();
  const expiresAt = new Date(now + temporaryKinds[kind].lifetimeMs).toISOString();
  account.temporaryPasswordExpiresAt = expiresAt;
  account.failedAttempts = 0;
  account.lockedAt = null;
  return { expiresAt };
}

/** The password is a temporary one from support (D2), not the user's own: the forced change replaces it. */
export function hasTemporaryPassword(account: Account): boolean {
  return Boolean(account.temporaryPasswordExpiresAt);
}

/** After the right password: a temporary one past its lifetime no longer opens the account (D2). */
export function assertTemporaryPasswordValid(account: Account, now: number): void {
  const expiresAt = account.temporaryPasswordExpiresAt;
  if (expiresAt && now > Date.parse(expiresAt)) throw new EsiaError('password.temporary_expired', { expiresAt });
}

export interface AccountNote {
  at: string;
  /** Operator login. */
  by: string;
  text: string;
}

export function addNote(account: Account, note: AccountNote): void {
  const text = note.text.trim();
  if (!text) throw new InputError('A note needs some text.');
  if (text.length > 2000) throw new InputError(`A note is at most 2000 characters; got ${text.length}.`);
  account.notes = [...(account.notes ?? []), { ...note, text }];
}
