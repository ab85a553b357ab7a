/*
 * ФМРМ's own register of medical workers, keyed by СНИЛС. It lives in each run's data (data.ts,
 * workspaces.ts), seeded from fixtures/register.json, and is independent of the emulator's accounts:
 * that the two can disagree (C5, B6) is the point.
 */
import { readConfigFile } from '../lib/config_file.ts';
import { absent, ConfigFileError } from '../lib/errors.ts';

export interface UpcomingCheck {
  title: string;
  /** What is checked: the periodic accreditation, the yearly НМО report, the licence's expiry, a review of documents. */
  kind?: 'accreditation' | 'nmo_report' | 'licence' | 'review';
  /** YYYY-MM-DD; a fixture gives `inDays` instead, turned into this at the run's start (home/checks.ts). */
  due: string;
  /** Only in fixtures: days after the run's start (negative: overdue). */
  inDays?: number;
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
