/*
 * Login identifiers (A6): phone, e-mail, СНИЛС or ИНН, normalised to the form stored on accounts.
 * A bare 11-digit number can be a phone or a СНИЛС, so the parser returns every reading that fits
 * and the caller tries each. A number that is clearly a СНИЛС or ИНН but fails its check digits is a
 * named error (B6), not a wrong password.
 */
import { EsiaError } from '../errors/esia_error.ts';

export type Identifier =
  | { kind: 'phone'; value: string }
  | { kind: 'email'; value: string }
  | { kind: 'snils'; value: string }
  | { kind: 'inn'; value: string };

export function snilsCheck(nineDigits: string): number {
  let sum = 0;
  for (let i = 0; i < 9; i++) sum += Number(nineDigits[i]) * (9 - i);
  if (sum < 100) return sum;
  if (sum === 100 || sum === 101) return 0;
  const rest = sum % 101;
  return rest === 100 ? 0 : rest;
}

export function isValidSnils(digits: string): boolean {
  return /^\d{11}$/.test(digits) && snilsCheck(digits.slice(0, 9)) === Number(digits.slice(9));
}

/** 123-456-789 01, as СНИЛС is printed and stored. */
export function formatSnils(digits: string): string {
  return `${digits.slice(0, 3)}-${digits.slice(3, 6)}-${digits.slice(6, 9)} ${digits.slice(9)}`;
}

const innWeights11 = [7, 2, 4, 10, 3, 5, 9, 4, 6, 8];
const innWeights12 = [3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8];

function innDigit(digits: string, weights: number[]): number {
  let sum = 0;
  for (let i = 0; i < weights.length; i++) sum += Number(digits[i]) * (weights[i] ?? 0);
  return (sum % 11) % 10;
}

/** ИНН of a person: 12 digits, two check digits. */
export function isValidInn(digits: string): boolean {
  return (
    /^\d{12}$/.test(digits) &&
    innDigit(digits, innWeights11) === Number(digits[10]) &&
    innDigit(digits, innWeights12) === Number(digits[11])
  );
}

/** +7 and ten digits, as phones are stored, from the digits typed (9…, 7…, 8…); null when they are no Russian mobile number. */
export function phoneFrom(digits: string): string | null {
  if (digits.length === 10 && digits.startsWith('9')) return `+7${digits}`;
  if (digits.length === 11 && (digits.startsWith('7') || digits.startsWith('8'))) return `+7${digits.slice(1)}`;
  return null;
}

/** A phone however it was written (+7 900 …, 8 (900) …, or « 7900…» — a `+` of a query string decoded as a space), as stored. */
export function normalisePhone(typed: string): string | null {
  return /^[\d\s()+-]+$/.test(typed) ? phoneFrom(typed.replace(/\D/g, '')) : null;
}

/** Every reading of what the user typed, most likely first. Throws a named error for typos in СНИЛС/ИНН. */
export function parseIdentifier(input: string): Identifier[] {
  const text = input.trim();
  if (text.includes('@')) {
    if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(text))
      throw new EsiaError('identifier.unrecognised', { actual: 'e-mail без домена' });
    return [{ kind: 'email', value: text.toLowerCase() }];
  }
  if (!/^[\d\s()+-]+$/.test(text)) throw new EsiaError('identifier.unrecognised', { actual: 'недопустимые символы' });
  const digits = text.replace(/\D/g, '');
  const looksLikeSnils = /^\d{3}-\d{3}-\d{3}[\s-]?\d{2}$/.test(text);
  if (text.startsWith('+') || /[()]/.test(text)) {
    const phone = phoneFrom(digits);
    if (!phone) throw new EsiaError('identifier.unrecognised', { expected: '+7 и 10 цифр', actual: text });
    return [{ kind: 'phone', value: phone }];
  }
  if (digits.length === 12) {
    if (!isValidInn(digits))
      throw new EsiaError('identifier.inn_invalid', { expected: 'верные контрольные цифры ИНН', actual: digits });
    return [{ kind: 'inn', value: digits }];
  }
  if (digits.length === 11) {
    const readings: Identifier[] = [];
    if (isValidSnils(digits)) readings.push({ kind: 'snils', value: formatSnils(digits) });
    const phone = looksLikeSnils ? null : phoneFrom(digits);
    if (phone) readings.push({ kind: 'phone', value: phone });
    if (readings.length === 0) {
      throw new EsiaError('identifier.snils_invalid', {
        expected: `контрольное число ${String(snilsCheck(digits.slice(0, 9))).padStart(2, '0')}`,
        actual: digits.slice(9),
      });
    }
    return readings;
  }
  const phone = phoneFrom(digits);
  if (phone) return [{ kind: 'phone', value: phone }];
  throw new EsiaError('identifier.unrecognised', { actual: `${digits.length} цифр` });
}
