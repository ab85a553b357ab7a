/*
 * Accounts in the data file (lowdb, via lib/store), with in-memory indexes for every login kind
 * (A6). Personas come from the fixtures file on first run and on reset; their passwords are hashed
 * once (cached in memory and in the keys folder: fixture_hashes.ts), so a reset costs no hashing.
 */
import { readConfigFile } from '../../lib/config_file.ts';
import { absent, ConfigFileError, type FieldProblem } from '../../lib/errors.ts';
import type { Account } from '../domain/account.ts';
import type { Identifier } from '../domain/identifiers.ts';
import type { ClientConfig } from '../provider/clients.ts';
import { fixtureHashKey } from './fixture_hashes.ts';
import { hashPassword } from './password_hash.ts';

export interface DataFile {
  version: 1;
  accounts: Account[];
  /** Relying parties registered with POST /__control/clients (idp/provider/runtime_clients.ts), kept across restarts. */
  clients?: ClientConfig[];
}

/** Account fields the emulator indexes and checks on every sign-in, with the type each must have. */
const requiredFields: Array<[keyof Account, 'string' | 'boolean' | 'number']> = [
  ['oid', 'string'],
  ['persona', 'string'],
  ['phone', 'string'],
  ['email', 'string'],
  ['snils', 'string'],
  ['inn', 'string'],
  ['passwordHash', 'string'],
  ['phoneConfirmed', 'boolean'],
  ['emailConfirmed', 'boolean'],
  ['failedAttempts', 'number'],
];

/** The first way a data file's content is not a DataFile, named by its path in the file; undefined when it is one. */
export function dataFileProblem(data: object): FieldProblem | undefined {
  const file = data as Partial<Record<keyof DataFile, unknown>>;
  if (file.version !== 1) return { field: 'version', expected: '1', actual: file.version ?? absent };
  if (!Array.isArray(file.accounts))
    return { field: 'accounts', expected: 'a list of accounts', actual: file.accounts ?? absent };
  for (const [i, account] of file.accounts.entries()) {
    if (typeof account !== 'object' || account === null || Array.isArray(account))
      return { field: `accounts[${i}]`, expected: 'an account object', actual: account };
    for (const [name, type] of requiredFields) {
      const value = (account as Record<string, unknown>)[name];
      if (typeof value !== type)
        return { field: `accounts[${i}].${name}`, expected: `a ${type}`, actual: value ?? absent };
    }
  }
  return undefined;
}

export type PersonaFixture = Omit<Account, 'passwordHash' | 'previousPasswordHashes' | 'lastSignInAt'> & {
  password: string;
};

export async function readPersonaFixtures(path: string): Promise<PersonaFixture[]> {
  const parsed = (await readConfigFile(path)) as { personas?: PersonaFixture[] } | null;
  if (!Array.isArray(parsed?.personas))
    throw new ConfigFileError(path, {
      field: 'personas',
      expected: 'a list of personas: {"personas": [...]}',
      actual: parsed?.personas ?? absent,
    });
  return parsed.personas;
}

/** Turns fixtures into accounts; `hashes` caches one hash per persona, password and cost (fixtureHashKey). */
export async function accountsFromFixtures(
  fixtures: PersonaFixture[],
  scryptN: number,
  hashes: Map<string, string>,
): Promise<Account[]> {
  return Promise.all(
    fixtures.map(async ({ password, ...rest }) => {
      const key = fixtureHashKey(rest.persona, password, scryptN);
      let passwordHash = hashes.get(key);
      if (!passwordHash) {
        passwordHash = await hashPassword(password, scryptN);
        hashes.set(key, passwordHash);
      }
      return { ...structuredClone(rest), passwordHash, previousPasswordHashes: [], lastSignInAt: null };
    }),
  );
}

/** Where accounts live: the data file (lib/store Store) for the main run, memory for the others. */
export interface AccountBacking {
  readonly data: DataFile;
  changed(): void;
  replace(data: DataFile): void;
}

export class AccountRepository {
  readonly #byKey = new Map<string, Account>();
  readonly #byOid = new Map<string, Account>();

  constructor(readonly store: AccountBacking) {
    this.#index();
  }

  #index(): void {
    this.#byKey.clear();
    this.#byOid.clear();
    for (const account of this.store.data.accounts) {
      this.#byOid.set(account.oid, account);
      this.#byKey.set(`phone:${account.phone}`, account);
      this.#byKey.set(`email:${account.email.toLowerCase()}`, account);
      this.#byKey.set(`snils:${account.snils}`, account);
      this.#byKey.set(`inn:${account.inn}`, account);
      this.#byKey.set(`persona:${account.persona}`, account);
    }
  }

  find(readings: Identifier[]): Account | undefined {
    for (const reading of readings) {
      const account = this.#byKey.get(`${reading.kind}:${reading.value}`);
      if (account) return account;
    }
    return undefined;
  }

  byOid(oid: string): Account | undefined {
    return this.#byOid.get(oid);
  }

  byPersona(persona: string): Account | undefined {
    return this.#byKey.get(`persona:${persona}`);
  }

  all(): Account[] {
    return this.store.data.accounts;
  }

  /** Call after mutating an account: schedules a coalesced write of the data file. */
  changed(): void {
    this.store.changed();
  }

  replaceAll(accounts: Account[]): void {
    // Only the accounts: the data file's other contents (runtime clients) outlive a reset of the personas.
    this.store.replace({ ...this.store.data, version: 1, accounts });
    this.#index();
  }
}
