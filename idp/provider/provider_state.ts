/*
 * Where oidc-provider's models (sessions, interactions, codes, tokens, grants, registered clients)
 * live: this process's memory (memory_adapter.ts, ESIA_STORE=lowdb) or Redis (redis_adapter.ts,
 * ESIA_STORE=redis://…), chosen once in app.ts. Both keep oidc-provider's adapter semantics.
 */
import type { Adapter } from 'oidc-provider';

export interface ProviderState {
  /** oidc-provider's adapter for one model (`Session`, `Grant`, `AccessToken`, `Client`…). */
  adapterFor(model: string): Adapter;
  /** The live grant an account gave a client in an earlier session (consent is remembered per account, not per browser). */
  grantIdOf(accountId: string, clientId: string): Promise<string | undefined>;
  /** Ends everything of these accounts: sessions, grants, codes and tokens (a run's reset). */
  forgetAccounts(oids: Set<string>): Promise<void>;
  close(): void;
}
