/*
 * Step 1: login and password (A1, A6, C1, C2, B1–B3, C4). A wrong password is a generic refusal
 * that does not reveal whether the login exists; typing hints appear only when a variant of what
 * was typed is the real password. Attempts on one account are serialised so lockout holds under
 * concurrency (F4).
 */
import { assertMaySignIn, type Account } from '../domain/account.ts';
import { assertTemporaryPasswordValid } from '../domain/account_admin.ts';
import { parseIdentifier, type Identifier } from '../domain/identifiers.ts';
import { hintTexts, typingVariants } from '../domain/keyboard_layout.ts';
import { isLocked, registerFailure, registerSuccess } from '../domain/lockout.ts';
import { EsiaError } from '../errors/esia_error.ts';
import { notify } from '../adapters/notifications.ts';
import { verifyPassword } from '../adapters/password_hash.ts';
import { organisationRefusal, passwordRefusal } from './refusals.ts';
import { startSecondFactor } from './second_factor.ts';
import { renderStage } from './stages.ts';
import { field, inlineFailure, redirectToStage, type Step } from './step.ts';

async function typingHints(typed: string, hash: string): Promise<string[]> {
  for (const variant of typingVariants(typed)) {
    if (await verifyPassword(variant.password, hash)) return [hintTexts[variant.hint]];
  }
  return [];
}

type Outcome = { ok: true } | { ok: false; hints: string[] };

async function checkPassword(step: Step, account: Account, password: string): Promise<Outcome> {
  const { s, run } = step;
  return s.mutex.run(account.oid, async () => {
    if (isLocked(account)) throw new EsiaError('account.locked', { lockedAt: account.lockedAt });
    if (await verifyPassword(password, account.passwordHash)) {
      registerSuccess(account);
      run.accounts.changed();
      return { ok: true };
    }
    const lockedNow = registerFailure(account, run.clock.now(), s.config.lockoutLimit);
    run.accounts.changed();
    if (lockedNow) notify(run.outbox, account, 'security.account_locked', { at: account.lockedAt ?? new Date(run.clock.now()).toISOString() });
    if (lockedNow) throw new EsiaError('account.locked', { expected: `fewer than ${s.config.lockoutLimit} wrong passwords`, actual: account.failedAttempts });
    return { ok: false, hints: await typingHints(password, account.passwordHash) };
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
    // Same cost as a real check, so timing does not tell whether the login exists.
    await verifyPassword(password, dummyHash);
    return renderStage(step, inlineFailure(step, 'login.invalid_credentials'), again);
  }
  ctx.state.audit.account = account.oid;
  const outcome = await checkPassword(step, account, password);
  if (!outcome.ok) {
    return renderStage(step, inlineFailure(step, 'login.invalid_credentials', outcome.hints), again);
  }
  // The organisation's rule only after the right password, so it does not tell who belongs where (A9).
  const policy = organisationRefusal(step, account);
  if (policy) return renderStage(step, inlineFailure(step, policy), again);
  assertMaySignIn(account);
  assertTemporaryPasswordValid(account, run.clock.now());
  journey.oid = account.oid;
  journey.amr = ['pwd'];
  // feature «webauthn»: SMS by default; the app code or a security key when chosen on the login page
  return startSecondFactor(step, account, field(ctx, 'factor'));
}
