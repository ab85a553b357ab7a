/* Everything a request handler of the emulator may use, built once in app.ts and passed down. */
import type Provider from 'oidc-provider';
import type { AccountRepository } from './adapters/account_repository.ts';
import type { AuditJournal, AuditRecord } from './adapters/audit_journal.ts';
import type { Faults } from './adapters/faults.ts';
import type { Outbox } from './adapters/outbox.ts';
import type { IdpConfig } from './config/index.ts';
import type { ControlledClock } from './domain/clock.ts';
import type { KeyedMutex } from './domain/keyed_mutex.ts';
import type { Journeys } from './interactions/journeys.ts';

export interface Services {
  config: IdpConfig;
  clock: ControlledClock;
  provider: Provider;
  accounts: AccountRepository;
  outbox: Outbox;
  faults: Faults;
  journal: AuditJournal;
  journeys: Journeys;
  mutex: KeyedMutex;
  /** Next sign-ins per client that go through as a persona without the screens (control API). */
  shortcuts: Map<string, string[]>;
  /** Appends an audit record stamped with the emulator clock. */
  audit(record: Omit<AuditRecord, 'ts'>): void;
}
