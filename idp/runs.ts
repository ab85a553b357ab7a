/*
 * Isolated runs: two suites against one emulator never see each other's state. A run owns
 * its own copy of the personas, its clock, inboxes, armed faults and login shortcuts. The main run
 * is the persistent one in the data file; other runs live in memory, are made by
 * POST /__control/runs, and are chosen per browser by the `esia_run` cookie and per control call by
 * `?run=` or the X-Esia-Run header. Cloned personas keep every login (phone, e-mail, СНИЛС, ИНН), so
 * relying parties recognise them, and get their own oid, so tokens name the right copy.
 */
import { randomBytes } from 'node:crypto';
import { normaliseSerial, Revocations, type IssuedCertificate } from '../lib/pki/test_pki.ts';
import { AccountRepository, type DataFile } from './adapters/account_repository.ts';
import { Faults } from './adapters/faults.ts';
import { Outbox } from './adapters/outbox.ts';
import type { Account } from './domain/account.ts';
import { ControlledClock } from './domain/clock.ts';
import { type Lockable, UnknownLogins } from './domain/lockout.ts';
import type { Outage } from './domain/outage.ts';
import { EsignRunState } from './esign/run_state.ts';

export const mainRun = 'main';
export const runCookie = 'esia_run';

export class Run {
  readonly clock = new ControlledClock();
  readonly faults = new Faults();
  readonly outbox = new Outbox(this.clock, this.faults);
  /** Next sign-ins per client that go through as a persona without the screens. */
  readonly shortcuts = new Map<string, string[]>();
  /** Announced maintenance or outage (E3, idp/domain/outage.ts); null when the service works. */
  outage: Outage | null = null;
  /** Wrong passwords typed for logins no account has, so their refusals count down and lock like an account's (C1, C2). */
  readonly unknownLogins = new UnknownLogins();
  /** Support console: wrong operator passwords and lockouts in this run, by operator login (E2). */
  readonly operatorLockouts = new Map<string, Lockable>();
  /** Certificates revoked live in this run; the main run's are what the CRL and OCSP publish. */
  readonly revocations = new Revocations();
  /** Certificates the test intermediate issued at run time in this run (support console re-issue, E2); newest last. */
  readonly issuedCertificates: IssuedCertificate[] = [];
  /** Electronic signature: the virtual token (plugin stand-in), issued challenges, client policies. */
  readonly esign = new EsignRunState();
  lastUsedAt = Date.now();

  constructor(
    readonly id: string,
    /** Added to every fixture oid so each run's copies have oids of their own (0 for main). */
    readonly oidOffset: bigint,
    readonly accounts: AccountRepository,
  ) {}

  /** Clones fixture accounts for this run, with its oids. */
  adopt(accounts: Account[]): Account[] {
    return accounts.map((a) => ({ ...a, oid: (BigInt(a.oid) + this.oidOffset).toString() }));
  }

  /** A certificate issued at run time in this run, by serial (colons and case ignored). */
  issuedCertificate(serial: string): IssuedCertificate | undefined {
    const key = normaliseSerial(serial);
    return this.issuedCertificates.find((c) => c.serial === key);
  }

  /** Back to the fixture baseline: personas, inbox, faults, shortcuts, outage, clock. */
  reset(fixtureAccounts: Account[]): void {
    this.accounts.replaceAll(this.adopt(fixtureAccounts));
    this.outbox.clear();
    this.faults.clear();
    this.shortcuts.clear();
    this.outage = null;
    this.operatorLockouts.clear();
    this.unknownLogins.clear();
    this.revocations.clear();
    this.issuedCertificates.length = 0;
    this.esign.clear();
    this.clock.reset();
  }
}

/** In-memory backing for a run's accounts: the same shape as the data file, never written. */
export class MemoryBacking {
  constructor(public data: DataFile) {}
  changed(): void {}
  replace(data: DataFile): void {
    this.data = data;
  }
}

export const idleLimitMs = 2 * 60 * 60 * 1000;
export const maxRuns = 200;

/**
 * Where runs are registered when several processes share them (idp/shared/run_registry.ts): a run
 * made by one is found by the others. Absent on lowdb, where this process alone has runs.
 */
export interface RunRegistry {
  /** The new run's number, unique across processes (its oids are offset by number × 10^10). */
  nextNumber(): Promise<bigint>;
  /** Makes the run known to every process (after expiring idle ones and checking the cap). */
  register(run: Run): Promise<void>;
  /** False when no process knows this run. */
  unregister(id: string): Promise<boolean>;
}

export class Runs {
  readonly #runs = new Map<string, Run>();
  #next = 1n;
  registry?: RunRegistry;

  constructor(readonly main: Run) {
    this.#runs.set(mainRun, main);
  }

  get(id: string | undefined): Run | undefined {
    const run = id ? this.#runs.get(id) : this.main;
    if (run) run.lastUsedAt = Date.now();
    return run;
  }

  async create(fixtureAccounts: Account[]): Promise<Run> {
    this.#expire();
    if (this.#runs.size > maxRuns) throw tooManyRuns();
    const number = this.registry ? await this.registry.nextNumber() : this.#next++;
    const run = this.add(`run-${randomBytes(6).toString('hex')}`, number);
    run.reset(fixtureAccounts);
    try {
      await this.registry?.register(run);
    } catch (error) {
      this.#runs.delete(run.id);
      throw error;
    }
    return run;
  }

  /** A run with no state yet, by id and number: a new one, or one another process made. */
  add(id: string, number: bigint): Run {
    const run = new Run(
      id,
      number * 10_000_000_000n,
      new AccountRepository(new MemoryBacking({ version: 1, accounts: [] })),
    );
    this.#runs.set(id, run);
    return run;
  }

  async delete(id: string): Promise<boolean> {
    if (id === mainRun) return false;
    const known = this.#runs.delete(id);
    return this.registry ? this.registry.unregister(id) : known;
  }

  /** Drops a run another process deleted (or that expired). */
  forget(id: string): void {
    if (id !== mainRun) this.#runs.delete(id);
  }

  list(): Run[] {
    return [...this.#runs.values()];
  }

  /** The account with this oid in whichever run owns it (tokens and userinfo carry only the oid). */
  accountByOid(oid: string): { run: Run; account: Account } | undefined {
    for (const run of this.#runs.values()) {
      const account = run.accounts.byOid(oid);
      if (account) return { run, account };
    }
    return undefined;
  }

  #expire(): void {
    const now = Date.now();
    for (const [id, run] of this.#runs) if (id !== mainRun && now - run.lastUsedAt > idleLimitMs) this.#runs.delete(id);
  }
}

export function tooManyRuns(): Error {
  return new Error(`More than ${maxRuns} runs at once; delete finished ones with DELETE /__control/runs/:id.`);
}
