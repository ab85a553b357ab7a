/* The console's account card and its actions (E2): unlock, temporary code, password reset, a note, the account's state. */
import type Router from '@koa/router';
import { html } from '../../lib/html.ts';
import { InputError } from '../../lib/errors.ts';
import { hashPassword } from '../adapters/password_hash.ts';
import {
  addNote,
  generateTemporarySecret,
  patchAccountState,
  setTemporaryPassword,
  unlock,
  type TemporaryKind,
} from '../domain/account_admin.ts';
import { moscowTime } from '../domain/outage.ts';
import { EsiaError } from '../errors/esia_error.ts';
import { field } from '../forms.ts';
import { mainRun } from '../runs.ts';
import { type ConsoleParts, userOf } from './console_parts.ts';
import type { SupportAction } from './operators.ts';
import { readFmrmRegister } from './search.ts';
import { accountPage } from './views.ts';

const verbs: Record<string, SupportAction> = {
  unlock: 'unlock',
  'temporary-code': 'temporary_code',
  'reset-password': 'reset_password',
  note: 'note',
  state: 'edit_state',
};

export function mountAccountRoutes(router: Router, { s, form, allow, accountOf, render }: ConsoleParts): void {
  router.get('/accounts/:key', async (ctx) => {
    const current = await allow(ctx, 'view');
    if (!current) return;
    const { session, run } = current;
    const account = accountOf(run, String(ctx.params.key));
    ctx.state.audit.account = account.oid;
    const flash = session.flash;
    session.flash = undefined;
    const register = await readFmrmRegister(s.config.fmrmRegisterFile);
    const fmrm = register.get(account.snils.replace(/\D/g, ''));
    const records = await s.journal.recentForAccount(account.oid, 60);
    const attempts = records.filter((r) => (r.run ?? mainRun) === run.id && r.action !== 'support.view').slice(0, 20);
    const now = run.clock.now();
    const certificates = [...s.pki.certificates, ...run.issuedCertificates]
      .filter((c) => c.kind === 'person' && c.persona === account.persona)
      .map((c) => {
        const revoked = s.pki.revocationOf(c.serial, run.revocations);
        const validity =
          now > Date.parse(c.notAfter) ? 'expired' : now < Date.parse(c.notBefore) ? 'not-yet-valid' : 'valid';
        return {
          serial: c.serial,
          variant: c.variant ?? '',
          subject: c.subject,
          issuer: c.issuer,
          notBefore: c.notBefore,
          notAfter: c.notAfter,
          validity,
          revoked: revoked ? { at: new Date(revoked.revokedAt).toISOString(), reason: revoked.reason } : null,
        } as const;
      });
    render(
      ctx,
      accountPage(userOf(session), {
        account,
        certificates,
        now: run.clock.now(),
        passwordMaxAgeDays: s.config.passwordMaxAgeDays,
        attempts,
        ...(fmrm ? { fmrm } : {}),
        ...(flash?.kind === 'secret' && flash.oid === account.oid
          ? { secret: { value: flash.value, kind: flash.secretKind, expiresAt: flash.expiresAt } }
          : {}),
        ...(flash?.kind === 'notice'
          ? { notice: html`<div class="alert info" data-testid="support-notice">${flash.text}</div>` }
          : {}),
      }),
    );
  });

  router.post('/accounts/:key/:verb', form, async (ctx) => {
    const action = verbs[String(ctx.params.verb)];
    if (!action) throw new EsiaError('http.not_found', { path: ctx.path });
    const current = await allow(ctx, action);
    if (!current) return;
    const { session, run } = current;
    const account = accountOf(run, String(ctx.params.key));
    ctx.state.audit.account = account.oid;
    const now = run.clock.now();
    const back = () => {
      ctx.status = 303;
      ctx.redirect(`/support/accounts/${account.oid}`);
    };
    try {
      await s.mutex.run(account.oid, async () => {
        if (action === 'unlock') {
          const wasLocked = account.lockedAt !== null;
          unlock(account);
          ctx.state.audit.details = { wasLocked };
          session.flash = {
            kind: 'notice',
            text: wasLocked
              ? 'Блокировка снята. Пользователь может войти со своим паролем.'
              : 'Запись не была заблокирована; счётчик неверных паролей обнулён.',
          };
        } else if (action === 'temporary_code' || action === 'reset_password') {
          const kind: TemporaryKind = action === 'temporary_code' ? 'code' : 'reset';
          const secret = generateTemporarySecret(kind);
          const { expiresAt } = setTemporaryPassword(
            account,
            await hashPassword(secret, s.config.scryptN),
            kind,
            now,
            s.config.passwordHistory,
          );
          if (kind === 'reset') {
            run.outbox.send(
              'email',
              account.email,
              `Пароль для входа на Госуслуги сброшен службой поддержки. Временный пароль: ${secret}. Он действует до ${moscowTime(expiresAt)}; при входе придумайте новый пароль. Если вы не обращались в поддержку — сообщите нам.`,
              secret,
            );
          }
          ctx.state.audit.details = { kind, expiresAt, ...(kind === 'reset' ? { emailedTo: account.email } : {}) };
          session.flash = { kind: 'secret', value: secret, secretKind: kind, expiresAt, oid: account.oid };
        } else if (action === 'note') {
          addNote(account, { at: new Date(now).toISOString(), by: session.login, text: field(ctx, 'text') });
          ctx.state.audit.details = { length: field(ctx, 'text').trim().length };
          session.flash = { kind: 'notice', text: 'Заметка добавлена.' };
        } else if (action === 'edit_state') {
          const patch: Record<string, unknown> = {};
          for (const key of ['status', 'trust']) if (field(ctx, key)) patch[key] = field(ctx, key);
          for (const key of ['phoneConfirmed', 'emailConfirmed'])
            if (field(ctx, key))
              patch[key] = field(ctx, key) === 'true' ? true : field(ctx, key) === 'false' ? false : field(ctx, key);
          ctx.state.audit.details = { changed: patchAccountState(account, patch) };
          session.flash = { kind: 'notice', text: 'Состояние записи сохранено.' };
        }
        run.accounts.changed();
      });
    } catch (error) {
      if (error instanceof InputError)
        throw new EsiaError('support.bad_input', { operator: session.login, action, problem: error.message });
      throw error;
    }
    back();
  });
}
