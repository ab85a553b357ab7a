/*
 * oidc-provider storage for one emulator instance. The library's own memory adapter is a shared,
 * module-level LRU of 1000 entries: under load it evicts live sign-ins, and a reset could not clear
 * it. This one is a Map per instance with expiry and a periodic purge. Provider state (sessions,
 * codes, tokens) lives in memory: restarting the emulator signs everyone out, as a flushed session
 * store would.
 */
import type { Adapter, AdapterPayload } from 'oidc-provider';

interface Entry {
  payload: AdapterPayload;
  expiresAt: number;
}

export class ProviderStorage {
  readonly entries = new Map<string, Entry>();
  readonly sessionsByUid = new Map<string, string>();
  readonly grantMembers = new Map<string, Set<string>>();
  readonly #timer: NodeJS.Timeout;

  constructor(purgeEveryMs = 30_000) {
    this.#timer = setInterval(() => this.purge(), purgeEveryMs);
    this.#timer.unref();
  }

  purge(now = Date.now()): void {
    for (const [key, entry] of this.entries) if (entry.expiresAt <= now) this.entries.delete(key);
    for (const [uid, key] of this.sessionsByUid) if (!this.entries.has(key)) this.sessionsByUid.delete(uid);
    for (const [grantId, keys] of this.grantMembers) {
      for (const key of keys) if (!this.entries.has(key)) keys.delete(key);
      if (keys.size === 0) this.grantMembers.delete(grantId);
    }
  }

  /** Forgets all provider state except clients registered at run time (they last until restart). */
  clear(): void {
    for (const key of this.entries.keys()) if (!key.startsWith('Client:')) this.entries.delete(key);
    this.sessionsByUid.clear();
    this.grantMembers.clear();
  }

  /** Ends everything of these accounts: sessions, grants, codes and tokens (a run's reset). */
  forgetAccounts(oids: Set<string>): void {
    for (const [key, entry] of this.entries) {
      const payload = entry.payload as { accountId?: string; session?: { accountId?: string } };
      const owner = payload.accountId ?? payload.session?.accountId;
      if (owner && oids.has(owner)) this.entries.delete(key);
    }
    this.purge();
  }

  /** The live grant an account gave a client in an earlier session (consent is remembered per account, not per browser). */
  grantIdOf(accountId: string, clientId: string, now = Date.now()): string | undefined {
    for (const [key, entry] of this.entries) {
      if (!key.startsWith('Grant:') || entry.expiresAt <= now) continue;
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

  #key(id: string): string {
    return `${this.model}:${id}`;
  }

  async upsert(id: string, payload: AdapterPayload, expiresIn: number): Promise<void> {
    const key = this.#key(id);
    const expiresAt = expiresIn ? Date.now() + expiresIn * 1000 : Number.POSITIVE_INFINITY;
    this.storage.entries.set(key, { payload, expiresAt });
    if (this.model === 'Session' && payload.uid) this.storage.sessionsByUid.set(payload.uid, key);
    if (payload.grantId) {
      const members = this.storage.grantMembers.get(payload.grantId) ?? new Set<string>();
      members.add(key);
      this.storage.grantMembers.set(payload.grantId, members);
    }
  }

  async find(id: string): Promise<AdapterPayload | undefined> {
    return this.#live(this.#key(id));
  }

  #live(key: string): AdapterPayload | undefined {
    const entry = this.storage.entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= Date.now()) {
      this.storage.entries.delete(key);
      return undefined;
    }
    return entry.payload;
  }

  async findByUid(uid: string): Promise<AdapterPayload | undefined> {
    const key = this.storage.sessionsByUid.get(uid);
    return key ? this.#live(key) : undefined;
  }

  async findByUserCode(): Promise<AdapterPayload | undefined> {
    return undefined;
  }

  async consume(id: string): Promise<void> {
    const payload = this.#live(this.#key(id));
    if (payload) payload.consumed = Math.floor(Date.now() / 1000);
  }

  async destroy(id: string): Promise<void> {
    this.storage.entries.delete(this.#key(id));
  }

  async revokeByGrantId(grantId: string): Promise<void> {
    for (const key of this.storage.grantMembers.get(grantId) ?? []) this.storage.entries.delete(key);
    this.storage.grantMembers.delete(grantId);
  }
}
