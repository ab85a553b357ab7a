/*
 * feature «webauthn»: /account, the settings page of an account signed in to the emulator itself.
 * Signing in goes through the ordinary screens (an internal client, `esia-account`), so the page
 * reads oidc-provider's own session. Here the user adds and removes biometrics (A3), security keys
 * (A5) and the app code (A2, QR code and manual secret, confirmed by a first code).
 */
import Router from '@koa/router';
import type { Context } from 'koa';
import type { Account } from '../domain/account.ts';
import { checkTotp, enrolmentUri, newTotpSecret } from '../domain/totp.ts';
import { EsiaError } from '../errors/esia_error.ts';
import { field, formOnly } from '../forms.ts';
import { formFailure } from '../errors/boundary.ts';
import type { Services } from '../services.ts';
import { signedIn, signInPath } from './session.ts';
import { accountPage, registerFields } from '../views/account.ts';
import type { Failure } from '../views/failure.ts';
import { totpEnrolPage } from '../views/totp.ts';
import { ceremonyPage } from '../views/webauthn.ts';
import { type Ceremony, finishRegistration, parseAnswer, siteOf, startRegistration } from '../webauthn/ceremony.ts';
import { html } from '../../lib/html.ts';
import { plainJson } from '../adapters/records.ts';

interface Pending {
  ceremony?: Ceremony;
  totpSecret?: string;
}

export function accountRoutes(s: Services): Router {
  const router = new Router({ prefix: '/account' });
  const form = formOnly(s, 'request.form_forged');
  /** Ceremonies and app-code secrets being enrolled, per oidc-provider session (memory or Redis). */
  const pending = s.records('account:pending', plainJson<Pending>(), 10_000);
  // What a request changed of its session's enrolment is kept once it is done (require() loaded it).
  router.use(async (ctx, next) => {
    await next();
    const mine = ctx.state.accountPending as { sid: string; mine: Pending } | undefined;
    if (mine) await pending.put(mine.sid, mine.mine, { ttlMs: 60 * 60_000 });
  });
  const site = () => siteOf(s.config, s.provider.issuer, s.webauthnSpent);

  async function require(ctx: Context) {
    const who = await signedIn(s, ctx);
    if (!who)
      throw new EsiaError('interaction.expired', { reason: 'not signed in to the emulator: open /account to sign in' });
    const mine = (await pending.get(who.sid)) ?? {};
    ctx.state.accountPending = { sid: who.sid, mine };
    return { ...who, mine };
  }

  // A refusal shown inside the settings form (the lines, if any, are the caller's).
  const failureOf = (ctx: Context, error: EsiaError): Failure => formFailure(ctx, error, []);
  const show = (ctx: Context, page: { value: string }) => {
    ctx.type = 'html';
    ctx.body = page.value;
  };

  router.get('/', async (ctx) => {
    ctx.state.audit.action = 'account.show';
    const who = await signedIn(s, ctx);
    if (!who) return ctx.redirect(signInPath(s.provider.issuer, 'account'));
    const notice =
      typeof ctx.query.done === 'string'
        ? { added: 'Устройство подключено.', removed: 'Удалено.', totp: 'Код из приложения подключён.' }[ctx.query.done]
        : undefined;
    show(ctx, accountPage({ account: who.account, notice }));
  });

  // The sign-in ends here; the page reads the session it left, so the code itself is not needed.
  router.get('/callback', (ctx) => {
    ctx.state.audit.action = 'account.callback';
    ctx.redirect(ctx.query.error ? '/' : '/account');
  });

  const registerPage = (ctx: Context, ceremony: Ceremony, kind: 'platform' | 'roaming', failure?: Failure) =>
    show(
      ctx,
      ceremonyPage({
        screen: 'webauthn-register',
        title: kind === 'platform' ? 'Подключить вход по биометрии' : 'Добавить ключ безопасности',
        lead:
          kind === 'platform'
            ? 'Нажмите «Продолжить» и подтвердите отпечатком пальца, лицом или PIN-кодом: устройство запомнит ключ для входа.'
            : 'Вставьте ключ безопасности, нажмите «Продолжить» и коснитесь ключа.',
        mode: 'register',
        attachment: kind,
        options: ceremony.options,
        action: '/account/webauthn/finish',
        fields: registerFields(kind),
        failure,
        after: html`<p><a href="/account" data-testid="back">Вернуться к настройкам</a></p>`,
      }),
    );

  router.post('/webauthn/new', form, async (ctx) => {
    ctx.state.audit.action = 'account.webauthn.new';
    const { account, run, mine } = await require(ctx);
    const kind = field(ctx, 'kind') === 'roaming' ? 'roaming' : 'platform';
    mine.ceremony = await startRegistration(site(), run.clock.now(), account, kind);
    registerPage(ctx, mine.ceremony, kind);
  });

  router.post('/webauthn/finish', form, async (ctx) => {
    ctx.state.audit.action = 'account.webauthn.register';
    const { account, run, mine } = await require(ctx);
    const kind = mine.ceremony?.purpose === 'register-roaming' ? 'roaming' : 'platform';
    try {
      const answer = parseAnswer<Parameters<typeof finishRegistration>[2]>(field(ctx, 'response'), field(ctx, 'error'));
      const biometric = field(ctx, 'biometric') === 'face' ? 'face' : 'fpt';
      const name =
        field(ctx, 'name').trim().slice(0, 60) || (kind === 'platform' ? 'Моё устройство' : 'Ключ безопасности');
      const credential = await finishRegistration(site(), mine.ceremony, answer, run, run.clock.now(), {
        name,
        biometric,
      });
      account.credentials = [...(account.credentials ?? []), credential];
      run.accounts.changed();
      mine.ceremony = undefined;
      ctx.state.audit.details = { registered: credential.kind };
    } catch (error) {
      if (!(error instanceof EsiaError)) throw error;
      const failure = failureOf(ctx, error);
      mine.ceremony = await startRegistration(site(), run.clock.now(), account, kind);
      return registerPage(ctx, mine.ceremony, kind, failure);
    }
    ctx.redirect('/account?done=added');
  });

  router.post('/webauthn/:id/delete', form, async (ctx) => {
    ctx.state.audit.action = 'account.webauthn.delete';
    const { account, run } = await require(ctx);
    account.credentials = (account.credentials ?? []).filter((c) => c.id !== ctx.params.id);
    run.accounts.changed();
    ctx.redirect('/account?done=removed');
  });

  const enrolPage = async (ctx: Context, account: Account, secret: string, failure?: Failure) => {
    const uri = enrolmentUri(secret, account.phone, s.config.totp);
    // Imported when first needed: it pulls in a PNG encoder and is the second-largest cold-start import.
    const { default: QRCode } = await import('qrcode');
    const qrSvg = await QRCode.toString(uri, { type: 'svg', margin: 1, width: 200 });
    show(
      ctx,
      totpEnrolPage({
        action: '/account/totp/confirm',
        qrSvg,
        secret,
        uri,
        failure,
        after: html`<p><a href="/account" data-testid="back">Вернуться к настройкам</a></p>`,
      }),
    );
  };

  router.post('/totp/new', form, async (ctx) => {
    ctx.state.audit.action = 'account.totp.new';
    const { account, mine } = await require(ctx);
    mine.totpSecret = newTotpSecret();
    await enrolPage(ctx, account, mine.totpSecret);
  });

  router.post('/totp/confirm', form, async (ctx) => {
    ctx.state.audit.action = 'account.totp.confirm';
    const { account, run, mine } = await require(ctx);
    const secret = mine.totpSecret;
    if (!secret) return ctx.redirect('/account');
    try {
      const lastStep = checkTotp({ secret, lastStep: null }, field(ctx, 'code'), run.clock.now(), s.config.totp);
      account.totp = { secret, enrolledAt: new Date(run.clock.now()).toISOString(), lastStep };
      run.accounts.changed();
      mine.totpSecret = undefined;
    } catch (error) {
      if (!(error instanceof EsiaError)) throw error;
      return enrolPage(ctx, account, secret, failureOf(ctx, error));
    }
    ctx.redirect('/account?done=totp');
  });

  router.post('/totp/delete', form, async (ctx) => {
    ctx.state.audit.action = 'account.totp.delete';
    const { account, run } = await require(ctx);
    account.totp = null;
    run.accounts.changed();
    ctx.redirect('/account?done=removed');
  });

  return router;
}
