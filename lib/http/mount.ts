/*
 * Mounts a Koa router so that it runs only for paths under the prefixes of its own routes. A router
 * otherwise matches every request against all its routes, and a sign-in's requests pass several
 * of them. The prefixes come from the routes themselves (the first path segment of each), so a
 * route added later can never be cut off by a list of prefixes kept by hand.
 */
import type Router from '@koa/router';
import type { Middleware } from 'koa';

/** The literal start of a route's path up to its first segment: '/aas/' for /aas/oauth2/ac, '/support' for /support. */
export function prefixOf(path: string | RegExp): string {
  if (typeof path !== 'string') return '/';
  // the text before the first parameter, wildcard or optional group
  const literal = path.split(/[:*{(]/, 1)[0] ?? '';
  const second = literal.indexOf('/', 1);
  return second === -1 ? literal : literal.slice(0, second + 1);
}

/** A router's declared routes (its router.use() middleware runs only when one of them matches). */
export function routesOf(router: Router): Array<{ path: string | RegExp; methods: string[] }> {
  return router.stack
    .filter((layer) => layer.methods.length > 0)
    .map((layer) => ({ path: layer.path, methods: layer.methods }));
}

/** The shortest set of prefixes that covers every route of the router. */
export function prefixesOf(router: Router): string[] {
  const all = [...new Set(routesOf(router).map((r) => prefixOf(r.path)))].sort();
  return all.filter((prefix, i) => !all.slice(0, i).some((shorter) => prefix.startsWith(shorter)));
}

export class MountedRouter {
  #prefixes: string[] = [];
  #counted = -1;

  constructor(
    /** For messages and tests: which table this is. */
    readonly name: string,
    readonly router: Router,
    /** Answers a known path asked with another method (router.allowedMethods(), with these options: e.g. a 405 error instead of 501). */
    readonly options: { allowedMethods?: Parameters<Router['allowedMethods']>[0] } = {},
  ) {}

  /** Worked out again whenever the router has gained a route since (routes added after mounting count too). */
  get prefixes(): string[] {
    if (this.#counted !== this.router.stack.length) {
      this.#prefixes = prefixesOf(this.router);
      this.#counted = this.router.stack.length;
    }
    return this.#prefixes;
  }

  /** Whether a request for `path` runs this router at all. */
  reaches(path: string): boolean {
    return this.prefixes.some((prefix) => path.startsWith(prefix));
  }

  middleware(): Middleware {
    const routes = this.router.routes() as unknown as Middleware;
    const methods = this.options.allowedMethods
      ? (this.router.allowedMethods(this.options.allowedMethods) as unknown as Middleware)
      : undefined;
    return (ctx, next) => {
      if (!this.reaches(ctx.path)) return next();
      return methods ? routes(ctx, () => methods(ctx, next)) : routes(ctx, next);
    };
  }
}
