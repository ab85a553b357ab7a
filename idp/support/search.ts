/*
 * Finding a user for support (E2): by ФИО (any part, any case, ё = е), phone (any format), e-mail,
 * СНИЛС (with or without dashes and spaces) or ФМРМ account number. The emulator does not own ФМРМ
 * numbers: they live in the relying party's register, which the console reads as a plain JSON file
 * (config fmrmRegisterFile) — the emulator never imports the relying party.
 */
import { readFile } from 'node:fs/promises';
import { fullName, type Account } from '../domain/account.ts';
import { formatSnils, phoneFrom } from '../domain/identifiers.ts';
import type { AccountRepository } from '../adapters/account_repository.ts';
import type { FoundAccount, SearchKind } from './views.ts';

interface RegisterEntry {
  snils: string;
  accountNumber: string;
}

/** СНИЛС digits → ФМРМ account number, from the register file ({records: [...]} or the RP's data file {records: {key: record}}). */
export async function readFmrmRegister(path: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  if (!path) return out;
  let parsed: { records?: RegisterEntry[] | Record<string, RegisterEntry> };
  try {
    parsed = JSON.parse(await readFile(path, 'utf8'));
  } catch {
    return out;
  }
  const records = Array.isArray(parsed.records) ? parsed.records : Object.values(parsed.records ?? {});
  for (const r of records)
    if (r && typeof r.snils === 'string' && typeof r.accountNumber === 'string')
      out.set(r.snils.replace(/\D/g, ''), r.accountNumber);
  return out;
}

const fold = (text: string) => text.toLowerCase().replace(/ё/g, 'е').replace(/\s+/g, ' ').trim();

/** What the query most likely is, when the operator left «определить по вводу». */
export function guessKind(query: string): Exclude<SearchKind, 'auto'> {
  const q = query.trim();
  if (q.includes('@')) return 'email';
  if (/^(фмрм|fmrm)/i.test(q)) return 'fmrm';
  const digits = q.replace(/\D/g, '');
  if (/^[\d\s()+-]+$/.test(q) && digits.length >= 10) {
    if (/^\d{3}-\d{3}-\d{3}[\s-]\d{2}$/.test(q)) return 'snils';
    if (q.startsWith('+') || phoneFrom(digits)) return 'phone';
    return 'snils';
  }
  if (/^[\d\s-]+$/.test(q)) return 'fmrm';
  return 'name';
}

export function searchAccounts(
  accounts: AccountRepository,
  register: Map<string, string>,
  query: string,
  kind: SearchKind,
): FoundAccount[] {
  const q = query.trim();
  if (!q) return [];
  const digits = q.replace(/\D/g, '');
  if (kind === 'auto' && /^\d{11}$/.test(q)) {
    // Eleven bare digits may be a phone (7…, 8…) or a СНИЛС: both are looked up.
    const both = [...searchAccounts(accounts, register, q, 'phone'), ...searchAccounts(accounts, register, q, 'snils')];
    return both.filter((f, i) => both.findIndex((g) => g.account.oid === f.account.oid) === i);
  }
  const as = kind === 'auto' ? guessKind(q) : kind;
  let found: Account[];
  switch (as) {
    case 'name': {
      const words = fold(q).split(' ');
      found = accounts.all().filter((a) => {
        const name = fold(fullName(a));
        return words.every((w) => name.includes(w));
      });
      break;
    }
    case 'phone': {
      const phone = phoneFrom(digits);
      found = accounts
        .all()
        .filter((a) => (phone ? a.phone === phone : digits.length >= 4 && a.phone.endsWith(digits)));
      break;
    }
    case 'email':
      found = accounts.all().filter((a) => a.email.toLowerCase() === q.toLowerCase());
      break;
    case 'snils':
      found = digits.length === 11 ? accounts.all().filter((a) => a.snils === formatSnils(digits)) : [];
      break;
    case 'fmrm': {
      const wanted = digits.replace(/^0+/, '');
      const snilses = [...register]
        .filter(([, number]) => wanted && number.replace(/\D/g, '').replace(/^0+/, '') === wanted)
        .map(([snils]) => formatSnils(snils));
      found = accounts.all().filter((a) => snilses.includes(a.snils));
      break;
    }
  }
  return found.slice(0, 50).map((account) => {
    const fmrm = register.get(account.snils.replace(/\D/g, ''));
    return { account, ...(fmrm ? { fmrm } : {}) };
  });
}
