/* Forced password change (B4, C3): every rule of B7 named when unmet; the current and recent passwords refused. */
import { notify } from '../adapters/notifications.ts';
import { hashPassword, verifyPassword } from '../adapters/password_hash.ts';
import { unmetRules } from '../domain/password_policy.ts';
import { EsiaError } from '../errors/esia_error.ts';
import { advance, field, inlineFailure, redirectToStage, renderStage, type Step } from './step.ts';

export async function passwordChangeStep(step: Step): Promise<void> {
  const { ctx, s, journey, run } = step;
  ctx.state.audit.action = 'password.change';
  if (journey.stage !== 'password_change') return redirectToStage(step);
  const account = journey.oid ? run.accounts.byOid(journey.oid) : undefined;
  if (!account) throw new EsiaError('interaction.expired', { reason: 'sign-in has no account yet' });
  const password = field(ctx, 'password');
  const repeat = field(ctx, 'repeat');

  const unmet = unmetRules(password);
  if (unmet.length) {
    const ids = unmet.map((r) => r.id);
    const failure = inlineFailure(step, new EsiaError('password.too_weak', { unmet: ids }), unmet.map((r) => `Нужно: ${r.text}`));
    return renderStage(step, failure, { unmetRules: ids });
  }
  if (password !== repeat) return renderStage(step, inlineFailure(step, 'password.mismatch'));
  const recent = [account.passwordHash, ...account.previousPasswordHashes].slice(0, s.config.passwordHistory);
  for (const hash of recent) {
    if (await verifyPassword(password, hash)) return renderStage(step, inlineFailure(step, 'password.reused'));
  }
  account.previousPasswordHashes = recent;
  account.passwordHash = await hashPassword(password, s.config.scryptN);
  account.passwordChangedAt = new Date(run.clock.now()).toISOString();
  account.passwordMustChange = false;
  account.temporaryPasswordExpiresAt = null;
  run.accounts.changed();
  notify(run.outbox, account, 'security.password_changed', { at: account.passwordChangedAt, how: 'плановая смена по истечении срока' });
  return advance(step, account);
}
