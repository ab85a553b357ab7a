/* Password complexity (B7) and age (B4, C3). Pure: time comes from the caller. */
export interface PasswordRule {
  id: string;
  /** The rule as the list on the form names it. */
  text: string;
  /** What to do when the password breaks it, as a sentence under the field. */
  fix: string;
  test(password: string): boolean;
}

export const passwordRules: PasswordRule[] = [
  {
    id: 'length',
    text: 'не меньше 8 символов',
    fix: 'Сделайте пароль длиннее: нужно не меньше 8 символов.',
    test: (p) => [...p].length >= 8,
  },
  {
    id: 'lower',
    text: 'строчная латинская буква (a–z)',
    fix: 'Добавьте хотя бы одну строчную латинскую букву (a–z).',
    test: (p) => /[a-z]/.test(p),
  },
  {
    id: 'upper',
    text: 'заглавная латинская буква (A–Z)',
    fix: 'Добавьте хотя бы одну заглавную латинскую букву (A–Z).',
    test: (p) => /[A-Z]/.test(p),
  },
  { id: 'digit', text: 'цифра', fix: 'Добавьте хотя бы одну цифру.', test: (p) => /\d/.test(p) },
  {
    id: 'special',
    text: 'спецсимвол, например ! @ # $ % - _',
    fix: 'Добавьте хотя бы один спецсимвол, например ! @ # $ % - _.',
    test: (p) => /[!-/:-@[-`{-~]/.test(p),
  },
  {
    id: 'latin',
    text: 'только латинские буквы, цифры и спецсимволы, без пробелов и кириллицы',
    fix: 'Уберите пробелы и русские буквы: в пароле могут быть только латинские буквы, цифры и спецсимволы.',
    test: (p) => /^[!-~]*$/.test(p),
  },
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
