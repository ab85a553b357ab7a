/* Password complexity (B7) and age (B4, C3). Pure: time comes from the caller. */
export interface PasswordRule {
  id: string;
  text: string;
  test(password: string): boolean;
}

export const passwordRules: PasswordRule[] = [
  { id: 'length', text: 'не меньше 8 символов', test: (p) => [...p].length >= 8 },
  { id: 'lower', text: 'строчная латинская буква (a–z)', test: (p) => /[a-z]/.test(p) },
  { id: 'upper', text: 'заглавная латинская буква (A–Z)', test: (p) => /[A-Z]/.test(p) },
  { id: 'digit', text: 'цифра', test: (p) => /\d/.test(p) },
  { id: 'special', text: 'спецсимвол, например ! @ # $ % - _', test: (p) => /[!-/:-@[-`{-~]/.test(p) },
  { id: 'latin', text: 'только латинские буквы, цифры и спецсимволы, без пробелов и кириллицы', test: (p) => /^[!-~]*$/.test(p) },
];

/** The rules the password does not meet, in display order; empty when it is acceptable. */
export function unmetRules(password: string): PasswordRule[] {
  return passwordRules.filter((rule) => !rule.test(password));
}

const day = 24 * 60 * 60 * 1000;

export function isPasswordExpired(
  account: { passwordChangedAt: string; passwordMustChange: boolean },
  now: number,
  maxAgeDays: number,
): boolean {
  return account.passwordMustChange || now - Date.parse(account.passwordChangedAt) > maxAgeDays * day;
}
