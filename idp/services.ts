/* Everything a request handler of the emulator may use, built once in app.ts and passed down. */
import type Provider from 'oidc-provider';
import type { AuditRecord, Journal } from './adapters/audit_journal.ts';
import type { FormGuard } from '../lib/http/form_guard.ts';
import type { TestPki } from '../lib/pki/test_pki.ts';
import type { IdpConfig } from './config/index.ts';
import type { Keyspace } from '../lib/store/keyspace.ts';
import type { Records, RecordsFactory } from './adapters/records.ts';
import type { Account } from './domain/account.ts';
import type { KeyedMutex } from './domain/keyed_mutex.ts';
import type { EsiaFace } from './esia/face_handle.ts';
import type { EsignServices } from './esign/index.ts';
import type { JourneyStore } from './interactions/journeys.ts';
import type { ProviderState } from './provider/provider_state.ts';
import type { TlsEndpoint } from './pki/tls.ts';
import type { Run, Runs } from './runs.ts';
import type { RunSharing } from './shared/index.ts';

export interface Services {
  config: IdpConfig;
  /** The Redis shared by every emulator process (ESIA_STORE=redis://…); absent on lowdb, where state is this process's. */
  shared?: Keyspace;
  /** Runs shared with the other processes over Redis: sync, locks, registry (idp/shared/); absent on lowdb. */
  runSharing?: RunSharing;
  provider: Provider;
  /** Short-lived records by id, in memory or on Redis (adapters/records.ts). */
  records: RecordsFactory;
  /** WebAuthn challenges answered, in every process (the replay check across processes on Redis). */
  webauthnSpent: Records<true>;
  /** The main run and the isolated ones; each has its personas, clock, inboxes and faults. */
  runs: Runs;
  journal: Journal;
  journeys: JourneyStore;
  /** oidc-provider's state: sessions, grants, codes, tokens (bounded: memory_adapter.ts). */
  storage: ProviderState;
  mutex: KeyedMutex;
  /**
   * Makes a synchronous change of a run's state and writes it: on Redis by compare-and-set, made
   * again on the newest state if another process changed the same parts meanwhile (idp/shared/run_sync.ts);
   * in one process, just made. The sign-in steps count and record through it without the run's lock.
   */
  transact<T>(run: Run, change: () => T): Promise<T>;
  /** The personas as the fixtures file defines them, passwords hashed (cached), oids of the main run. */
  baseline(): Promise<Account[]>;
  /** Restores a run to the baseline and ends the sessions of its accounts. */
  reset(run: Run): Promise<void>;
  /** The ESIA wire-protocol face (systems, tokens, diagnostics); set once it is built. */
  esia?: EsiaFace;
  /** The test PKI (lib/pki/test_pki.ts): CAs, persona and server certificates; revocations live in each run. */
  pki: TestPki;
  /** Electronic signature, step-up and organisation policies (A4, A5, A8, A9). */
  esign: EsignServices;
  /** The HTTPS listener's certificate switch (TLS faults); absent when the emulator speaks plain HTTP. */
  tls?: TlsEndpoint;
  /** The token of every form the emulator's pages post back to it, and the check of each such POST (forms.ts). */
  formGuard: FormGuard;
  /** Origins the relying parties' redirect URIs name: where a sign-in form's redirects end (CSP form-action). */
  formTargets(): string[];
  /** Appends an audit record stamped with the run's clock. */
  audit(record: Omit<AuditRecord, 'ts'>, run: Run): void;
}
