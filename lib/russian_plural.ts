/*
 * Russian plural forms of a noun after a number: 1 попытка, 2 попытки, 5 попыток, 11 попыток,
 * 21 попытка. The rule looks at the last two digits, as the language does.
 */
export type PluralForms = readonly [one: string, few: string, many: string];

export function pluralForm(n: number, [one, few, many]: PluralForms): string {
  const tens = Math.abs(n) % 100;
  const units = tens % 10;
  if (tens >= 11 && tens <= 14) return many;
  if (units === 1) return one;
  if (units >= 2 && units <= 4) return few;
  return many;
}
