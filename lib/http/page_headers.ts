/*
 * The security headers of both apps (the emulator's frame, the relying party's boundary): a strict
 * Content-Security-Policy with no inline script or style, no framing, no referrer to other origins, no sniffing, and
 * no caching of pages. Set before the route runs, so oidc-provider can add the hash of its own
 * auto-submit script (response_mode=form_post) to script-src, as it does when it finds a policy.
 */
import type { Context } from 'koa';

export interface PagePolicy {
  /**
   * Origins other than the page's own that a form may reach. Chromium checks form-action on every
   * redirect of a submission too, so a sign-in form needs the origins its redirects end at (the
   * relying parties' redirect URIs), and oidc-provider's form_post page posts straight to them.
   */
  formTargets?: Iterable<string>;
}

export function contentSecurityPolicy(policy: PagePolicy = {}): string {
  const formAction = ["'self'", ...new Set(policy.formTargets ?? [])].join(' ');
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    `form-action ${formAction}`,
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "object-src 'none'",
  ].join('; ');
}

/** Before the route: the headers every response carries (harmless on JSON, scripts and styles). */
export function secureResponse(ctx: Context, policy: PagePolicy = {}): void {
  ctx.set('Content-Security-Policy', contentSecurityPolicy(policy));
  ctx.set('X-Frame-Options', 'DENY');
  ctx.set('X-Content-Type-Options', 'nosniff');
  // Sign-in URLs carry the interaction id and the authorization code: no other origin sees them.
  // Not no-referrer: under it a browser sends `Origin: null` with every form POST, its own origin's
  // too (Fetch, "append a request Origin header"), and the form guard could no longer tell them apart.
  ctx.set('Referrer-Policy', 'same-origin');
}

/** After the route: a page is never kept by the browser or a proxy (static files set their own caching). */
export function noStoreForPages(ctx: Context): void {
  if (ctx.response.is('html')) ctx.set('Cache-Control', 'no-store');
}

/** The origins of a list of URLs, skipping anything that is not one. */
export function originsOf(urls: Iterable<unknown>): string[] {
  const out = new Set<string>();
  for (const url of urls) {
    if (typeof url !== 'string') continue;
    const parsed = URL.parse(url);
    if (parsed && (parsed.protocol === 'http:' || parsed.protocol === 'https:')) out.add(parsed.origin);
  }
  return [...out];
}
