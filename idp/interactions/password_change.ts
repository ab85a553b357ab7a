/* Forced password change (B4, C3): every rule of B7 named when unmet; the current and recent passwords refused. */
import { notify } from '../adapters/notifications.ts';
import { hashPassword, verifyPassword } from '../adapters/password_hash.ts';
import { unmetRules } from '../domain/password_policy.ts';
import type { Account } from '../domain/account.ts';
import { hasTemporaryPassword } from '../domain/account_admin.ts';
import { EsiaError } from '../errors/esia_error.ts';
import type { Failure } from '../views/failure.ts';
import { advance, renderStage } from './stages.ts';
import { field, inlineFailure, journeyAccount, redirectToStage, type Step } from './step.ts';

/** A new password refused, as its form shows it; `unmet` names the unmet rules of B7. */
export interface NewPasswordRefusal {
  failure: Failure;
  unmet?: string[];
}

/** The `password` and `repeat` fields checked: every rule of B7, the repeat, the recent passwords (C3). */
export async function refuseNewPassword(step: Step, account: Account): Promise<NewPasswordRefusal | undefined> {
  const { ctx } = step;
  const password = field(ctx, 'password');
  const unmet = unmetRules(password);
  if (unmet.length) {
    const ids = unmet.map((r) => r.id);
    return {
      failure: inlineFailure(
        step,
        new EsiaError('password.too_weak', { unmet: ids }),
        unmet.map((r) => r.fix),
      ),
      unmet: ids,
    };
  }
  if (password !== field(ctx, 'repeat')) return { failure: inlineFailure(step, 'password.mismatch') };
  for (const hash of recentHashes(step, account)) {
    if (await verifyPassword(password, hash)) return { failure: inlineFailure(step, 'password.reused') };
  }
  return undefined;
}

function recentHashes(step: Step, account: Account): string[] {
  return [account.passwordHash, ...account.previousPasswordHashes].slice(0, step.s.config.passwordHistory);
}

/**
 * Saves the `password` field (checked by refuseNewPassword) as the user's own: the forced change is
 * done and a temporary password from support (D2) no longer applies; the user is told by e-mail (`how`).
 */
export async function saveNewPassword(step: Step, account: Account, how: string): Promise<void> {
  const { s, run } = step;
  account.previousPasswordHashes = recentHashes(step, account);
  account.passwordHash = await hashPassword(field(step.ctx, 'password'), s.config.scryptN);
  account.passwordChangedAt = new Date(run.clock.now()).toISOString();
  account.passwordMustChange = false;
  account.temporaryPasswordExpiresAt = null;
  run.accounts.changed();
  notify(run.outbox, account, 'security.password_changed', { at: account.passwordChangedAt, how });
}

export async function passwordChangeStep(step: Step): Promise<void> {
  const { ctx, journey } = step;
  ctx.state.audit.action = 'password.change';
  if (journey.stage !== 'password_change') return redirectToStage(step);
  const account = journeyAccount(step);
  const refused = await refuseNewPassword(step, account);
  if (refused) return renderStage(step, refused.failure, refused.unmet ? { unmetRules: refused.unmet } : undefined);
  await saveNewPassword(
    step,
    account,
    hasTemporaryPassword(account) ? 'замена временного кода от службы поддержки' : 'плановая смена по истечении срока',
  );
  return advance(step, account);
}
