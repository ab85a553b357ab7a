/*
 * /plugin — THE SIGNING-PLUGIN STAND-IN's interface (see idp/esign/token.ts for the design). What a
 * real CryptoPro/Рутокен plugin answers to a page's script, the stand-in answers over HTTP on the
 * emulator's origin, for the browser's token (cookie esia_token, in the run of cookie esia_run; see
 * idp/esign/run_state.ts for whose token that is): list the token's certificates, load
 * a test key file into it, sign data after the token's PIN check. Every answer says it is the
 * stand-in (`standIn`), and the header X-Test-Stand-Plugin marks it.
 */
import { bodyParser } from '@koa/bodyparser';
import Router from '@koa/router';
import type { Context } from 'koa';
import { EsiaError } from '../errors/esia_error.ts';
import { catalogue } from '../errors/catalogue.ts';
import { runCookie } from '../runs.ts';
import type { VirtualToken } from './token.ts';
import type { Services } from '../services.ts';
import { InputError } from '../../lib/errors.ts';

const standIn =
  'Имитация плагина электронной подписи тестового стенда (не КриптоПро): ключи на виртуальном токене эмулятора';

/** Splits a PEM bundle (as `npm run keys` writes them: certificate + PKCS#8 key) into its parts. */
export function splitBundle(pem: string): { certificatePem: string; keyPem: string } {
  const certificatePem = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(pem)?.[0];
  const keyPem = /-----BEGIN (?:EC |RSA )?PRIVATE KEY-----[\s\S]+?-----END (?:EC |RSA )?PRIVATE KEY-----/.exec(
    pem,
  )?.[0];
  if (!certificatePem || !keyPem)
    throw new Error(
      `the file needs a CERTIFICATE and a PRIVATE KEY block; found ${certificatePem ? 'no key' : 'no certificate'}`,
    );
  return { certificatePem, keyPem };
}

export function pluginRoutes(s: Services): Router {
  const router = new Router({ prefix: '/plugin' });
  // A body that does not parse, or is too large, is answered as the plugin answers any refusal (JSON, in Russian: the page shows it), not with the sign-in error page.
  router.use(
    bodyParser({
      enableTypes: ['json'],
      jsonLimit: '64kb',
      onError: (error: Error & { status?: number }, ctx) => {
        ctx.state.pluginBodyUnreadable = error.status === 413 ? 413 : 400;
      },
    }),
  );
  router.use(async function marked(ctx, next) {
    ctx.state.audit.action = `plugin ${ctx.method} ${ctx.path.replace('/plugin', '')}`;
    ctx.set('X-Test-Stand-Plugin', 'virtual-token');
    ctx.set('Cache-Control', 'no-store');
    if (ctx.state.pluginBodyUnreadable === 413)
      return fail(ctx, 413, 'Файл не загружен: он больше 64 КБ, а файл ключа занимает несколько килобайт.');
    if (ctx.state.pluginBodyUnreadable) return fail(ctx, 400, 'Плагин не разобрал запрос: нужен JSON-объект.');
    await next();
  });
  /** This browser's token in its run (cookie esia_run), made on first use (cookie esia_token). */
  const tokenOf = (ctx: Context): VirtualToken => {
    const run = s.runs.get(ctx.cookies.get(runCookie, { signed: false })) ?? s.runs.main;
    ctx.state.run = run;
    return s.esign.browserToken(run, ctx.cookies);
  };
  const fail = (ctx: Context, status: number, message: string, extra: Record<string, unknown> = {}) => {
    ctx.status = status;
    ctx.body = { standIn, message, ...extra };
  };
  const bodyOf = (ctx: Context): Record<string, unknown> => {
    const b = ctx.request.body;
    return b && typeof b === 'object' && !Array.isArray(b) ? (b as Record<string, unknown>) : {};
  };

  router.get('/', (ctx) => {
    ctx.body = {
      standIn,
      token: tokenOf(ctx).describe(),
      api: [
        'GET /plugin/api/certificates',
        'POST /plugin/api/import {pem}',
        'POST /plugin/api/sign {certificate, pin, data}',
        'POST /plugin/api/unblock {puk, pin?}',
      ],
    };
  });

  router.get('/api/certificates', (ctx) => {
    ctx.body = { standIn, ...tokenOf(ctx).describe() };
  });

  router.post('/api/import', (ctx) => {
    const pem = bodyOf(ctx).pem;
    if (typeof pem !== 'string' || !pem)
      return fail(ctx, 400, 'Нужен файл ключа: PEM с сертификатом и закрытым ключом (PKCS#8).');
    try {
      const { certificatePem, keyPem } = splitBundle(pem);
      const entry = tokenOf(ctx).add(certificatePem, keyPem, 'file');
      ctx.status = 201;
      ctx.body = { standIn, id: `${entry.id}`, label: entry.label };
    } catch (error) {
      // The page shows `message` to the person; `detail` is for developers.
      const why =
        error instanceof InputError && error.field === 'key'
          ? 'закрытый ключ в нём не от этого сертификата'
          : 'в нём нужны сертификат (BEGIN CERTIFICATE) и закрытый ключ PKCS#8 (BEGIN PRIVATE KEY)';
      fail(ctx, 400, `Файл не загружен: ${why}.`, { detail: (error as Error).message });
    }
  });

  router.post('/api/sign', (ctx) => {
    const b = bodyOf(ctx);
    const [id, pin, data] = [b.certificate, b.pin, b.data];
    if (typeof id !== 'string' || typeof pin !== 'string' || typeof data !== 'string' || !data) {
      return fail(ctx, 400, 'Нужны certificate (id на токене), pin и data (что подписать).');
    }
    const token = tokenOf(ctx);
    if (!token.entries.some((e) => e.id === id)) return fail(ctx, 404, `На токене нет сертификата «${id}».`);
    try {
      const { entry, signature } = token.sign(id, pin, Buffer.from(data, 'utf8'));
      ctx.body = { standIn, certificate: entry.certificatePem, signature: signature.toString('base64') };
    } catch (error) {
      if (!(error instanceof EsiaError)) throw error;
      fail(ctx, error.status, catalogue[error.code].title, { error: error.code, attemptsLeft: token.attemptsLeft });
    }
  });

  router.post('/api/unblock', (ctx) => {
    const b = bodyOf(ctx);
    const token = tokenOf(ctx);
    if (typeof b.puk !== 'string' || !token.unblock(b.puk, typeof b.pin === 'string' && b.pin ? b.pin : undefined))
      return fail(ctx, 403, 'Неверный PUK-код.');
    ctx.body = { standIn, ...token.describe() };
  });
  return router;
}
