/*
 * What a relying party keeps per run: the register records keyed by СНИЛС digits, and each feature's
 * own section (documents, personal-data journal, notifications, events), added by that feature's seeder.
 * A fresh run's data is made from the fixtures at the run's instant, so seeded dates ("a check in
 * 20 days", "an event last month") keep their meaning whenever the stand is started or reset.
 */
import { absent, type FieldProblem } from '../lib/errors.ts';
import { type RegisterRecord, snilsKey } from './register.ts';

export interface RpData {
  version: 1;
  /** Key: the 11 digits of the СНИЛС, so spacing and dashes never decide a lookup. */
  records: Record<string, RegisterRecord>;
}

/** The fixtures a run's data is made from (relying-party/fixtures/register.json and each feature's own). */
export interface Seed {
  records: RegisterRecord[];
}

/** A feature's part of a fresh run's data, derived from the seed at the run's instant `now` (ms). */
export type Seeder = (data: RpData, seed: Seed, now: number) => void;

export function baselineData(seed: Seed, now: number, seeders: readonly Seeder[]): RpData {
  const data: RpData = {
    version: 1,
    records: Object.fromEntries(seed.records.map((r) => [snilsKey(r.snils), structuredClone(r)])),
  };
  for (const seeder of seeders) seeder(data, seed, now);
  return data;
}

/** The first way a data file is not RpData (checked before it is used), or undefined. */
export function rpDataProblem(data: object): FieldProblem | undefined {
  const file = data as Partial<Record<keyof RpData, unknown>>;
  if (file.version !== 1) return { field: 'version', expected: '1', actual: file.version ?? absent };
  if (typeof file.records !== 'object' || file.records === null || Array.isArray(file.records))
    return { field: 'records', expected: 'an object of register records by СНИЛС', actual: file.records ?? absent };
  return undefined;
}

export function findRecord(data: RpData, snils: string): RegisterRecord | undefined {
  const key = snilsKey(snils);
  return key.length === 11 ? data.records[key] : undefined;
}
