/*
 * How every route of the emulator that takes a form reads it: formOnly() refuses anything but
 * application/x-www-form-urlencoded with a catalogue error, reads the body (lib/http/form.ts) and
 * refuses a forged one (another origin, no token or another browser's: lib/http/form_guard.ts);
 * field() gives one field as a string, refusing a repeated one, which a browser never sends.
 */
import type { Context, Next } from 'koa';
import { readForm } from '../lib/http/form.ts';
import type { ErrorCode } from './errors/catalogue.ts';
import { EsiaError } from './errors/esia_error.ts';
import type { Services } from './services.ts';

/** `forged`: the catalogue page of a forged form in this part of the emulator (sign-in, console, settings). */
export function formOnly(s: Pick<Services, 'config' | 'formGuard'>, forged: ErrorCode) {
  return async function formOnly(ctx: Context, next: Next) {
    if (!ctx.is('application/x-www-form-urlencoded')) {
      throw new EsiaError('request.unsupported_type', {
        expected: 'application/x-www-form-urlencoded',
        actual: ctx.get('content-type') || 'none',
      });
    }
    await readForm(ctx, s.config.maxBodyBytes);
    const refused = s.formGuard.refusal(ctx);
    if (refused)
      throw new EsiaError(forged, {
        ...refused,
        expected: 'a form drawn by the emulator in this browser, posted from its own origin',
      });
    await next();
  };
}

/** One form field as a string ('' when absent). */
export function field(ctx: Context, name: string): string {
  const value = (ctx.request.body as Record<string, unknown> | undefined)?.[name];
  if (Array.isArray(value))
    throw new EsiaError('oauth.invalid_request', {
      field: name,
      expected: 'one value',
      actual: `${value.length} values`,
    });
  return typeof value === 'string' ? value : '';
}
