/*
 * Cross-site request forgery on the apps' own forms. SameSite=Lax does not separate ports: a page on
 * localhost:4000 is the same site as the emulator on localhost:3000, and its forms carry our cookies.
 * So every form a page posts back to its own app carries a token, an HMAC with the app's key of a
 * value bound to this browser (a cookie the guard makes, or the session's id), which a page
 * elsewhere can neither read nor compute; and a POST whose Origin names another origin is refused.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Context } from 'koa';

/** The hidden field every guarded form carries. */
export const tokenField = 'csrf_token';

export interface GuardOptions {
  /** The app's secret (the emulator's cookie keys, the RP's per-process key). */
  key: string | Buffer;
  /** What the token is bound to in this browser; `create` asks for a value when there is none yet (a page is being drawn). */
  binding(ctx: Context, create: boolean): string | undefined;
  /** Origins the app answers on besides the request's own (an HTTPS twin, the mutual TLS listener). */
  ownOrigins?: (ctx: Context) => Iterable<string>;
}

/** Why a form was refused, for the audit record and the developer block. */
export interface FormRefusal {
  reason: 'foreign_origin' | 'token_missing' | 'token_wrong';
  detail: string;
}

// A POST form whose action is a path of this app ("/…", not "//host/…"): the only forms that get the token.
const ownForm = /<form\b(?=[^>]*\bmethod="post")(?=[^>]*\baction="\/(?!\/))[^>]*>/gi;

/**
 * A file form (multipart) also carries the token in its action's query: the app checks it before
 * the route streams the body, which it could not do for a field inside a body it has not read.
 */
const fileForm = /\benctype="multipart\/form-data"/i;
const withTokenInAction = (tag: string, token: string) =>
  tag.replace(
    /\baction="([^"]*)"/i,
    (_m, action: string) => `action="${action}${action.includes('?') ? '&amp;' : '?'}${tokenField}=${token}"`,
  );

export class FormGuard {
  constructor(private readonly options: GuardOptions) {}

  tokenFor(binding: string): string {
    return createHmac('sha256', this.options.key).update(`form:${binding}`).digest('base64url');
  }

  /** Adds the token to every POST form of `markup` that posts back to this app; forms to other origins never see it. */
  stamp(ctx: Context, markup: string): string {
    if (!/<form\b/i.test(markup)) return markup;
    const binding = this.options.binding(ctx, true);
    if (!binding) return markup;
    const token = this.tokenFor(binding);
    const field = `<input type="hidden" name="${tokenField}" value="${token}">`;
    return markup.replace(ownForm, (tag) => (fileForm.test(tag) ? withTokenInAction(tag, token) : tag) + field);
  }

  /** Checks a POST whose form is already read into ctx.request.body: undefined when it may proceed. */
  refusal(ctx: Context): FormRefusal | undefined {
    // Browsers send Origin with every cross-origin POST; an old client that sends none still needs the token.
    const origin = foreignOrigin(ctx, this.options.ownOrigins?.(ctx));
    if (origin)
      return {
        reason: 'foreign_origin',
        detail: `Origin ${origin.slice(0, 200)} is not this app's origin (${ownOrigin(ctx)})`,
      };
    const body = (ctx.request.body ?? {}) as Record<string, unknown>;
    const sent = body[tokenField];
    if (typeof sent !== 'string' || !sent)
      return {
        reason: 'token_missing',
        detail: `the form has no ${tokenField} field (a form drawn by this app carries it)`,
      };
    const binding = this.options.binding(ctx, false);
    if (!binding || !same(sent, this.tokenFor(binding)))
      return {
        reason: 'token_wrong',
        detail: `${tokenField} does not belong to this browser's ${binding ? 'session' : 'cookies (none sent)'}`,
      };
    return undefined;
  }
}

/** The Origin of a POST from another origin (`null` included), or undefined when it is this app's own or absent. */
export function foreignOrigin(ctx: Context, also: Iterable<string> = []): string | undefined {
  const origin = ctx.get('origin');
  if (!origin || origin === ownOrigin(ctx)) return undefined;
  for (const o of also) if (o === origin) return undefined;
  return origin;
}

/** The origin this request was sent to. Not ctx.origin: Koa 3 answers that with the request's Origin header. */
function ownOrigin(ctx: Context): string {
  return `${ctx.protocol}://${ctx.host}`;
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** A browser cookie made on first need: random, readable only by the server. */
export function browserCookie(name: string) {
  return (ctx: Context, create: boolean): string | undefined => {
    const value = ctx.cookies.get(name, { signed: false });
    if (value || !create) return value;
    const made = randomBytes(24).toString('base64url');
    ctx.cookies.set(name, made, { httpOnly: true, sameSite: 'lax', path: '/', secure: ctx.secure, overwrite: true });
    return made;
  };
}
