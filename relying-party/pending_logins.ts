/*
 * The sign-ins a browser has in flight, each under its own `state`, and the states it finished.
 * A person may start «Войти через Госуслуги» in two tabs and finish them in any order; a reload of
 * a callback that already succeeded is not an attack. Both lists are bounded per browser and expire,
 * so a script that keeps starting sign-ins cannot grow them.
 */
import type { PendingLogin } from './oidc_client.ts';
import { ExpiringMap } from './sessions.ts';

/** Sign-ins one browser may have open at once; starting one more forgets the oldest. */
export const MAX_PENDING_PER_BROWSER = 5;
/** Finished states remembered per browser, so a reload of their callback goes to the cabinet. */
export const MAX_COMPLETED_PER_BROWSER = 5;

interface Timed<V> {
  value: V;
  expiresAt: number;
}

interface BrowserLogins {
  pending: Map<string, Timed<PendingLogin>>;
  completed: Map<string, Timed<true>>;
}

export class PendingLogins {
  readonly #browsers: ExpiringMap<BrowserLogins>;

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {
    this.#browsers = new ExpiringMap(ttlMs, now);
  }

  /** Keeps a new sign-in of the browser `browserId` (the cookie's value); returns the id to put back in the cookie. */
  add(browserId: string | undefined, login: PendingLogin): string {
    const browser = this.#live(browserId) ?? { pending: new Map(), completed: new Map() };
    remember(
      browser.pending,
      login.state,
      { value: login, expiresAt: this.now() + this.ttlMs },
      MAX_PENDING_PER_BROWSER,
    );
    return this.#browsers.put(browserId, browser);
  }

  /** The sign-in started under `state`, removed: a callback is single use. */
  take(browserId: string | undefined, state: string | undefined): PendingLogin | undefined {
    const browser = this.#live(browserId);
    const entry = state === undefined ? undefined : browser?.pending.get(state);
    if (!entry) return undefined;
    browser!.pending.delete(state!);
    return entry.value;
  }

  /** Records that the sign-in under `state` ended in the cabinet. */
  complete(browserId: string | undefined, state: string): void {
    const browser = this.#live(browserId);
    if (browser)
      remember(
        browser.completed,
        state,
        { value: true, expiresAt: this.now() + this.ttlMs },
        MAX_COMPLETED_PER_BROWSER,
      );
  }

  completed(browserId: string | undefined, state: string | undefined): boolean {
    return state !== undefined && this.#live(browserId)?.completed.has(state) === true;
  }

  /** The browser's lists with their expired entries dropped. */
  #live(browserId: string | undefined): BrowserLogins | undefined {
    const browser = this.#browsers.get(browserId);
    if (!browser) return undefined;
    const now = this.now();
    for (const list of [browser.pending, browser.completed]) {
      for (const [state, entry] of list) if (entry.expiresAt <= now) list.delete(state);
    }
    return browser;
  }
}

/** Map keeps insertion order, so the first key is the oldest. */
function remember<V>(list: Map<string, Timed<V>>, state: string, entry: Timed<V>, max: number): void {
  list.delete(state);
  list.set(state, entry);
  while (list.size > max) list.delete(list.keys().next().value!);
}
