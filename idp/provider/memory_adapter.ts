/*
 * oidc-provider storage for one emulator instance. The library's own memory adapter is a shared,
 * module-level LRU of 1000 entries: under load it evicts live sign-ins, and a reset could not clear
 * it. This one keeps a Map per model per instance, with expiry, a periodic purge and a cap per
 * model: a load test signing in for hours (a new session, grant and token every time) keeps at most
 * `cap` of each, the least recently written going first. Clients are never evicted. Provider state
 * lives in memory: restarting the emulator signs everyone out, as a flushed session store would.
 *
 * Times are real time (Date.now), as oidc-provider's own TTLs and token expiry are; `now` arguments
 * let tests say when.
 */
import type { Adapter, AdapterPayload } from 'oidc-provider';
import type { ProviderState } from './provider_state.ts';

interface Entry {
  payload: AdapterPayload;
  expiresAt: number;
}

export interface StorageLimits {
  /** The most entries kept per model (Session, Grant, AccessToken…); Client is not capped. */
  cap: number;
  /** How often expired entries are swept, ms. */
  purgeEveryMs?: number;
}

export class ProviderStorage implements ProviderState {
  readonly #models = new Map<string, Map<string, Entry>>();
  readonly sessionsByUid = new Map<string, string>();
  /** Device codes by user code (device flow), for findByUserCode. */
  readonly #byUserCode = new Map<string, string>();
  /** Grant id → `Model:id` of what was issued under it, for revokeByGrantId. */
  readonly grantMembers = new Map<string, Set<string>>();
  readonly cap: number;
  readonly #timer: NodeJS.Timeout;

  constructor(limits: StorageLimits = { cap: 20_000 }) {
    this.cap = limits.cap;
    this.#timer = setInterval(() => this.purge(), limits.purgeEveryMs ?? 30_000);
    this.#timer.unref();
  }

  /** Entries kept per model, e.g. { Session: 120, Grant: 120 } (tests, and what README «Known limits» describes). */
  sizes(): Record<string, number> {
    return Object.fromEntries([...this.#models].map(([model, entries]) => [model, entries.size]));
  }

  #entries(model: string): Map<string, Entry> {
    let entries = this.#models.get(model);
    if (!entries) this.#models.set(model, (entries = new Map()));
    return entries;
  }

  set(model: string, id: string, payload: AdapterPayload, expiresAt: number): void {
    const entries = this.#entries(model);
    const old = entries.get(id);
    if (old) this.#unindex(model, id, old);
    // Delete first so a rewrite moves the entry to the end: eviction takes the least recently written.
    entries.delete(id);
    entries.set(id, { payload, expiresAt });
    if (model === 'Session' && payload.uid) this.sessionsByUid.set(payload.uid, id);
    if (payload.userCode) this.#byUserCode.set(payload.userCode, id);
    if (payload.grantId) {
      const members = this.grantMembers.get(payload.grantId) ?? new Set<string>();
      members.add(`${model}:${id}`);
      this.grantMembers.set(payload.grantId, members);
    }
    if (model !== 'Client' && entries.size > this.cap) {
      const [oldestId, oldest] = entries.entries().next().value!;
      this.delete(model, oldestId, oldest);
    }
  }

  /** The live payload, or undefined (an expired one is dropped on the way). */
  get(model: string, id: string, now = Date.now()): AdapterPayload | undefined {
    const entry = this.#models.get(model)?.get(id);
    if (!entry) return undefined;
    if (entry.expiresAt <= now) {
      this.delete(model, id, entry);
      return undefined;
    }
    return entry.payload;
  }

  delete(model: string, id: string, entry = this.#models.get(model)?.get(id)): void {
    if (!entry) return;
    this.#models.get(model)?.delete(id);
    this.#unindex(model, id, entry);
  }

  #unindex(model: string, id: string, entry: Entry): void {
    const { uid, grantId, userCode } = entry.payload;
    if (model === 'Session' && uid && this.sessionsByUid.get(uid) === id) this.sessionsByUid.delete(uid);
    if (userCode && this.#byUserCode.get(userCode) === id) this.#byUserCode.delete(userCode);
    if (grantId) {
      const members = this.grantMembers.get(grantId);
      members?.delete(`${model}:${id}`);
      if (members?.size === 0) this.grantMembers.delete(grantId);
    }
  }

  sessionIdByUid(uid: string): string | undefined {
    return this.sessionsByUid.get(uid);
  }

  idByUserCode(userCode: string): string | undefined {
    return this.#byUserCode.get(userCode);
  }

  revokeByGrantId(grantId: string): void {
    for (const key of this.grantMembers.get(grantId) ?? []) {
      const colon = key.indexOf(':');
      this.delete(key.slice(0, colon), key.slice(colon + 1));
    }
    this.grantMembers.delete(grantId);
  }

  purge(now = Date.now()): void {
    for (const [model, entries] of this.#models) {
      for (const [id, entry] of entries) if (entry.expiresAt <= now) this.delete(model, id, entry);
    }
  }

  /** Forgets all provider state except clients registered at run time (they last until restart). */
  clear(): void {
    for (const model of this.#models.keys()) if (model !== 'Client') this.#models.delete(model);
    this.sessionsByUid.clear();
    this.#byUserCode.clear();
    this.grantMembers.clear();
  }

  /** Ends everything of these accounts: sessions, grants, codes and tokens (a run's reset). */
  async forgetAccounts(oids: Set<string>): Promise<void> {
    for (const [model, entries] of this.#models) {
      for (const [id, entry] of entries) {
        const payload = entry.payload as { accountId?: string; session?: { accountId?: string } };
        const owner = payload.accountId ?? payload.session?.accountId;
        if (owner && oids.has(owner)) this.delete(model, id, entry);
      }
    }
  }

  /** The live grant an account gave a client in an earlier session (consent is remembered per account, not per browser). */
  async grantIdOf(accountId: string, clientId: string, now = Date.now()): Promise<string | undefined> {
    for (const entry of this.#models.get('Grant')?.values() ?? []) {
      if (entry.expiresAt <= now) continue;
      const grant = entry.payload as { accountId?: string; clientId?: string; jti?: string };
      if (grant.accountId === accountId && grant.clientId === clientId) return grant.jti;
    }
    return undefined;
  }

  close(): void {
    clearInterval(this.#timer);
  }

  adapterFor(model: string): Adapter {
    return new MemoryAdapter(model, this);
  }
}

class MemoryAdapter implements Adapter {
  constructor(
    readonly model: string,
    readonly storage: ProviderStorage,
  ) {}

  async upsert(id: string, payload: AdapterPayload, expiresIn: number): Promise<void> {
    this.storage.set(this.model, id, payload, expiresIn ? Date.now() + expiresIn * 1000 : Number.POSITIVE_INFINITY);
  }

  async find(id: string): Promise<AdapterPayload | undefined> {
    return this.storage.get(this.model, id);
  }

  async findByUid(uid: string): Promise<AdapterPayload | undefined> {
    const id = this.storage.sessionIdByUid(uid);
    return id ? this.storage.get(this.model, id) : undefined;
  }

  async findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
    const id = this.storage.idByUserCode(userCode);
    return id ? this.storage.get(this.model, id) : undefined;
  }

  async consume(id: string): Promise<void> {
    const payload = this.storage.get(this.model, id);
    if (payload) payload.consumed = Math.floor(Date.now() / 1000);
  }

  async destroy(id: string): Promise<void> {
    this.storage.delete(this.model, id);
  }

  async revokeByGrantId(grantId: string): Promise<void> {
    this.storage.revokeByGrantId(grantId);
  }
}
