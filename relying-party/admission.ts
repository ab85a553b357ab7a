/*
 * Who may enter the cabinet after a successful ESIA login, checked in this order: the account's
 * trust level (B8), a register record for the СНИЛС (C5), and agreement of the record with ESIA's
 * data (B6). Pure: claims and the record in, the record or an RpError out.
 */
import { trustLevels, type TrustLevel } from './config.ts';
import { RpError, type RpErrorFact } from './errors.ts';
import type { RegisterRecord } from './register.ts';

export const trustLabels: Record<TrustLevel, string> = {
  simplified: 'упрощённая',
  standard: 'стандартная',
  confirmed: 'подтверждённая',
};

function asTrust(value: unknown): TrustLevel | undefined {
  return trustLevels.find((level) => level === value);
}

export function checkTrust(claims: Record<string, unknown>, required: TrustLevel): void {
  const actual = asTrust(claims.trust_level);
  // A missing or unknown level counts as the lowest: never let an unknown account through.
  const rank = actual ? trustLevels.indexOf(actual) : -1;
  if (rank >= trustLevels.indexOf(required)) return;
  throw new RpError(
    'rp.trust_level_too_low',
    [
      {
        label: 'Уровень вашей учётной записи',
        value: actual ? trustLabels[actual] : 'не передан Госуслугами',
        testid: 'trust-actual',
      },
      {
        label: 'Нужен уровень',
        value: required === 'confirmed' ? trustLabels[required] : `${trustLabels[required]} или выше`,
        testid: 'trust-required',
      },
    ],
    `trust_level=${String(claims.trust_level)} required=${required}`,
  );
}

export function findRecord(
  claims: Record<string, unknown>,
  find: (snils: string) => RegisterRecord | undefined,
): RegisterRecord {
  const snils = typeof claims.snils === 'string' ? claims.snils : '';
  const record = snils ? find(snils) : undefined;
  if (record) return record;
  throw new RpError(
    'rp.no_register_record',
    [{ label: 'СНИЛС из Госуслуг', value: snils ? maskSnils(snils) : 'не передан', testid: 'esia-snils' }],
    `no register record for snils ${snils || '(none)'}`,
  );
}

export function checkRecordMatches(claims: Record<string, unknown>, record: RegisterRecord): void {
  const facts: RpErrorFact[] = [];
  const esiaLast = typeof claims.family_name === 'string' ? claims.family_name : '';
  if (normaliseName(esiaLast) !== normaliseName(record.lastName)) {
    const [a, b] = maskNames(esiaLast, record.lastName);
    facts.push({ label: 'Фамилия', value: `на Госуслугах ${a || '—'}, в ФМРМ ${b}`, testid: 'mismatch-lastName' });
  }
  const esiaBirth = typeof claims.birthdate === 'string' ? claims.birthdate : '';
  if (esiaBirth !== record.birthDate) {
    const [a, b] = maskDates(esiaBirth, record.birthDate);
    facts.push({
      label: 'Дата рождения',
      value: `на Госуслугах ${a || '—'}, в ФМРМ ${b}`,
      testid: 'mismatch-birthDate',
    });
  }
  if (facts.length === 0) return;
  const fields = facts.map((f) => f.testid?.replace('mismatch-', '')).join(',');
  throw new RpError('rp.register_mismatch', facts, `register ${record.accountNumber} differs from ESIA in ${fields}`);
}

/** All three checks, in the order the user has to fix them. */
export function admit(
  claims: Record<string, unknown>,
  required: TrustLevel,
  find: (snils: string) => RegisterRecord | undefined,
): RegisterRecord {
  checkTrust(claims, required);
  const record = findRecord(claims, find);
  checkRecordMatches(claims, record);
  return record;
}

// Registers and ESIA disagree on ё/е and letter case all the time; neither is a different person.
function normaliseName(name: string): string {
  return name.trim().toLocaleLowerCase('ru').replaceAll('ё', 'е');
}

const dot = '•';

/** Keeps the first letter and the part where the two differ; hides the common rest. */
export function maskNames(a: string, b: string): [string, string] {
  let prefix = 0;
  while (prefix < a.length && prefix < b.length && a[prefix] === b[prefix]) prefix++;
  let suffix = 0;
  while (suffix < a.length - prefix && suffix < b.length - prefix && a.at(-1 - suffix) === b.at(-1 - suffix)) suffix++;
  const mask = (s: string) =>
    [...s].map((ch, i) => (i === 0 || (i >= prefix && i < s.length - suffix) ? ch : dot)).join('');
  return [mask(a), mask(b)];
}

/** Shows only the day, month or year that differs, as ДД.ММ.ГГГГ. */
export function maskDates(a: string, b: string): [string, string] {
  const pa = a.split('-');
  const pb = b.split('-');
  const mask = (parts: string[], other: string[]) =>
    [2, 1, 0]
      .map((i) => (parts[i] !== undefined && parts[i] !== other[i] ? parts[i] : dot.repeat(i === 0 ? 4 : 2)))
      .join('.');
  return [a ? mask(pa, pb) : '', mask(pb, pa)];
}

/** `112-233-401 83` → `•••-•••-401 83`: enough for the user to recognise it. */
export function maskSnils(snils: string): string {
  const digits = snils.replace(/\D/g, '');
  if (digits.length !== 11) return 'в неверном формате';
  return `•••-•••-${digits.slice(6, 9)} ${digits.slice(9)}`;
}
