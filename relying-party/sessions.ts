/*
 * Short-lived server-side state behind opaque cookie ids: pending logins (state, nonce, PKCE
 * verifier) and signed-in sessions. In memory on purpose: a restart logs everyone out of the RP,
 * as a real stateless-deployed RP would after its session store is flushed.
 */
import { randomBytes } from 'node:crypto';
import type { EsiaClaims } from './oidc_client.ts';

/** A signed-in person in the cabinet. */
export interface RpSession {
  /** The run the person signed in to (workspaces.ts): the cabinet shows that run's data. */
  run: string;
  snils: string;
  idToken: string;
  claims: EsiaClaims;
  signedInAt: number;
}

/** How the person signed in to Госуслуги, as the id_token said (amr), e.g. ['pwd', 'sms', 'mfa']. */
export function amrOf(session: RpSession): string[] {
  return Array.isArray(session.claims.amr) ? session.claims.amr.map(String) : [];
}

/** Entries one map keeps at most: past it the least recently stored goes (that browser signs in again). */
export const MAX_ENTRIES = 20_000;

export class ExpiringMap<V> {
  readonly #entries = new Map<string, { value: V; expiresAt: number }>();
  #lastSweep = 0;

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
    private readonly maxEntries = MAX_ENTRIES,
  ) {}

  /** Stores the value under a new unguessable id (256 bits), which goes into a cookie. */
  add(value: V): string {
    this.#sweep();
    const id = randomBytes(32).toString('base64url');
    this.#store(id, value);
    return id;
  }

  /** Stores the value under an id this map issued (and restarts its lifetime), or under a new id when it did not. */
  put(id: string | undefined, value: V): string {
    if (!id || this.get(id) === undefined) return this.add(value);
    this.#store(id, value);
    return id;
  }

  // Deleted first so a rewrite moves the entry to the end: the first entry is the least recently stored.
  #store(id: string, value: V): void {
    this.#entries.delete(id);
    this.#entries.set(id, { value, expiresAt: this.now() + this.ttlMs });
    while (this.#entries.size > this.maxEntries) this.#entries.delete(this.#entries.keys().next().value!);
  }

  get(id: string | undefined): V | undefined {
    if (!id) return undefined;
    const entry = this.#entries.get(id);
    if (!entry) return undefined;
    if (entry.expiresAt <= this.now()) {
      this.#entries.delete(id);
      return undefined;
    }
    return entry.value;
  }

  /** get() and delete in one: single-use entries (a callback must not be replayed). */
  take(id: string | undefined): V | undefined {
    const value = this.get(id);
    if (id) this.#entries.delete(id);
    return value;
  }

  delete(id: string | undefined): void {
    if (id) this.#entries.delete(id);
  }

  get size(): number {
    return this.#entries.size;
  }

  // Abandoned logins never come back to be deleted; drop expired ones at most once a minute.
  #sweep(): void {
    const now = this.now();
    if (now - this.#lastSweep < 60_000) return;
    this.#lastSweep = now;
    for (const [id, entry] of this.#entries) if (entry.expiresAt <= now) this.#entries.delete(id);
  }
}
