/*
 * Step 1: login and password (A1, A6, C1, C2, B1–B3, C4). A wrong password is a generic refusal
 * that does not reveal whether the login exists — an unknown login gets the same countdown and the
 * same lock; typing hints appear only when a variant of what was typed is the real password. Attempts on one account are serialised so lockout holds under
 * concurrency (F4).
 */
import type { Account } from '../domain/account.ts';
import { parseIdentifier, type Identifier } from '../domain/identifiers.ts';
import { hintTexts, typingVariants } from '../domain/keyboard_layout.ts';
import {
  attemptsLeft,
  attemptsLeftWarning,
  isLocked,
  registerFailure,
  registerSuccess,
  type Lockable,
} from '../domain/lockout.ts';
import { EsiaError } from '../errors/esia_error.ts';
import { notify } from '../adapters/notifications.ts';
import { verifyPassword } from '../adapters/password_hash.ts';
import { continueWhenConfirmed } from './confirm_contact.ts';
import { organisationRefusal, passwordRefusal } from './refusals.ts';
import { renderStage } from './stages.ts';
import { field, inlineFailure, redirectToStage, type Step } from './step.ts';

async function typingHints(typed: string, hash: string): Promise<string[]> {
  for (const variant of typingVariants(typed)) {
    if (await verifyPassword(variant.password, hash)) return [hintTexts[variant.hint]];
  }
  return [];
}

type Outcome = { ok: true } | { ok: false; lines: string[] };

/**
 * One wrong password counted on an account or on an unknown login: the lock at the limit, before it
 * the countdown once few attempts remain. Both kinds go through here, so their pages cannot differ.
 */
function countFailure(step: Step, state: Lockable): { locked: EsiaError | null; lines: string[] } {
  const { s, run } = step;
  const limit = s.config.lockoutLimit;
  if (registerFailure(state, run.clock.now(), limit)) {
    return {
      locked: new EsiaError('account.locked', {
        expected: `fewer than ${limit} wrong passwords`,
        actual: state.failedAttempts,
      }),
      lines: [],
    };
  }
  const left = attemptsLeft(state, limit);
  return { locked: null, lines: left <= s.config.lockoutWarnRemaining ? [attemptsLeftWarning(left)] : [] };
}

function refuseIfLocked(state: Lockable): void {
  if (isLocked(state)) throw new EsiaError('account.locked', { lockedAt: state.lockedAt });
}

async function checkPassword(step: Step, account: Account, password: string): Promise<Outcome> {
  const { run, s } = step;
  return s.mutex.run(account.oid, async () => {
    refuseIfLocked(account);
    const right = await verifyPassword(password, account.passwordHash);
    // The right password with nothing counted before changes nothing: nothing to write.
    if (right && account.failedAttempts === 0) return { ok: true };
    // Counted on the account as it is now: another emulator process may have counted meanwhile.
    const failure = await s.transact(run, () => {
      refuseIfLocked(account);
      if (right) {
        // Nothing to write (and so nothing to wait for) unless wrong passwords were counted.
        const counted = account.failedAttempts !== 0;
        registerSuccess(account);
        if (counted) run.accounts.changed();
        return null;
      }
      const counted = countFailure(step, account);
      run.accounts.changed();
      if (counted.locked) {
        notify(run.outbox, account, 'security.account_locked', { at: account.lockedAt! });
        throw counted.locked;
      }
      return counted;
    });
    if (!failure) return { ok: true };
    return { ok: false, lines: [...(await typingHints(password, account.passwordHash)), ...failure.lines] };
  });
}

/** A login no account has: the same cost, the same countdown and the same lock as a wrong password. */
async function refuseUnknownLogin(
  step: Step,
  readings: Identifier[],
  password: string,
  dummyHash: string,
): Promise<string[]> {
  const key = readings.map((r) => `${r.kind}:${r.value}`).join('|');
  const { run, s } = step;
  return s.mutex.run(`unknown:${run.id}:${key}`, async () => {
    refuseIfLocked(run.unknownLogins.of(key));
    // Same cost as a real check, so timing does not tell whether the login exists.
    await verifyPassword(password, dummyHash);
    const failure = await s.transact(run, () => {
      const state = run.unknownLogins.of(key);
      refuseIfLocked(state);
      return countFailure(step, state);
    });
    if (failure.locked) throw failure.locked;
    return failure.lines;
  });
}

export async function passwordStep(step: Step, dummyHash: string): Promise<void> {
  const { ctx, journey, run } = step;
  ctx.state.audit.action = 'login.password';
  // Step-up and client rules refuse the password before any account is looked at (A8, A9).
  const refusal = passwordRefusal(step);
  if (refusal) return renderStage(step, inlineFailure(step, refusal));
  if (journey.stage !== 'password') return redirectToStage(step);
  const identifier = field(ctx, 'identifier');
  const password = field(ctx, 'password');
  journey.remember = field(ctx, 'remember') === 'yes';
  const again = { identifier };
  if (!identifier.trim() || !password) return renderStage(step, inlineFailure(step, 'login.fields_missing'), again);

  let readings: Identifier[];
  try {
    readings = parseIdentifier(identifier);
  } catch (error) {
    if (error instanceof EsiaError) return renderStage(step, inlineFailure(step, error), again);
    throw error;
  }
  ctx.state.audit.details = { identifierKind: readings.map((r) => r.kind).join('|') };
  const account = run.accounts.find(readings);
  if (!account) {
    return renderStage(
      step,
      inlineFailure(step, 'login.invalid_credentials', await refuseUnknownLogin(step, readings, password, dummyHash)),
      again,
    );
  }
  ctx.state.audit.account = account.oid;
  const outcome = await checkPassword(step, account, password);
  if (!outcome.ok) {
    return renderStage(step, inlineFailure(step, 'login.invalid_credentials', outcome.lines), again);
  }
  // The organisation's rule only after the right password, so it does not tell who belongs where (A9).
  const policy = organisationRefusal(step, account);
  if (policy) return renderStage(step, inlineFailure(step, policy), again);
  journey.amr = ['pwd'];
  // feature «webauthn»: SMS by default; the app code or a security key when chosen on the login page
  return continueWhenConfirmed(step, account, { factor: field(ctx, 'factor') });
}
