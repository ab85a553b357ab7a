/*
 * ФМРМ's own register of medical workers, keyed by СНИЛС. It lives in the RP's data file, seeded
 * from fixtures/register.json on first run, and is independent of the emulator's accounts: that the
 * two can disagree (C5, B6) is the point.
 */
import { readConfigFile } from '../lib/config_file.ts';
import { absent, ConfigFileError } from '../lib/errors.ts';
import { Store } from '../lib/store/store.ts';

export interface UpcomingCheck {
  title: string;
  /** YYYY-MM-DD */
  due: string;
}

export interface RegisterRecord {
  /** As ESIA formats it: `112-233-401 83`. */
  snils: string;
  lastName: string;
  firstName: string;
  middleName: string;
  /** YYYY-MM-DD */
  birthDate: string;
  /** e.g. `ФМРМ-0000101` */
  accountNumber: string;
  organisation: string;
  specialty: string;
  /** Shown as is, e.g. «Зарегистрирован», «На проверке». */
  status: string;
  upcomingChecks: UpcomingCheck[];
  /** ISO time of the last successful sign-in, set by the RP. */
  lastLoginAt?: string;
}

interface RegisterFile {
  version: 1;
  /** Key: the 11 digits of the СНИЛС, so spacing and dashes never decide a lookup. */
  records: Record<string, RegisterRecord>;
}

export function snilsKey(snils: string): string {
  return snils.replace(/\D/g, '');
}

export async function loadFixtures(path: string): Promise<RegisterRecord[]> {
  const parsed = (await readConfigFile(path)) as { records?: RegisterRecord[] } | null;
  if (!Array.isArray(parsed?.records))
    throw new ConfigFileError(path, {
      field: 'records',
      expected: 'a list of register records: {"records": [...]}',
      actual: parsed?.records ?? absent,
    });
  return parsed.records;
}

export class Register {
  private constructor(private readonly store: Store<RegisterFile>) {}

  /** Opens (and locks) the register file; creates it from the fixtures when it does not exist. */
  static async open(path: string, fixturesPath: string, flushDelayMs = 200): Promise<Register> {
    const seed = await loadFixtures(fixturesPath);
    const initial = (): RegisterFile => ({
      version: 1,
      records: Object.fromEntries(seed.map((r) => [snilsKey(r.snils), r])),
    });
    return new Register(await Store.open(path, initial, { flushDelayMs }));
  }

  find(snils: string): RegisterRecord | undefined {
    const key = snilsKey(snils);
    return key.length === 11 ? this.store.data.records[key] : undefined;
  }

  recordLogin(snils: string, at: Date): void {
    const record = this.find(snils);
    if (!record) return;
    record.lastLoginAt = at.toISOString();
    this.store.changed();
  }

  close(): Promise<void> {
    return this.store.close();
  }
}
