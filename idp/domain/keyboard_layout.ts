/*
 * Typing hints for a wrong password (C1): the same keys pressed in the other keyboard layout
 * (ЙЦУКЕН ↔ QWERTY), with Caps Lock on, or with stray spaces around it. The caller checks each
 * variant against the stored hash and shows a hint only when one matches.
 */
const latin = '`qwertyuiop[]asdfghjkl;\'zxcvbnm,./~QWERTYUIOP{}ASDFGHJKL:"ZXCVBNM<>?@#$^&';
const cyrillic = 'ёйцукенгшщзхъфывапролджэячсмитьбю.ЁЙЦУКЕНГШЩЗХЪФЫВАПРОЛДЖЭЯЧСМИТЬБЮ,"№;:?';

const toLatin = new Map<string, string>();
const toCyrillic = new Map<string, string>();
for (let i = 0; i < latin.length; i++) {
  const l = latin[i] as string;
  const c = cyrillic[i] as string;
  if (!toLatin.has(c)) toLatin.set(c, l);
  if (!toCyrillic.has(l)) toCyrillic.set(l, c);
}

export type TypingHint = 'layout' | 'caps' | 'spaces';

function swapLayout(text: string): string | null {
  const hasCyrillic = /[а-яё]/i.test(text);
  const map = hasCyrillic ? toLatin : toCyrillic;
  const out = [...text].map((ch) => map.get(ch) ?? ch).join('');
  return out === text ? null : out;
}

function swapCase(text: string): string | null {
  const out = [...text].map((ch) => (ch === ch.toUpperCase() ? ch.toLowerCase() : ch.toUpperCase())).join('');
  return out === text ? null : out;
}

/** Variants of a typed password worth checking, each with the hint it would justify. */
export function typingVariants(typed: string): Array<{ hint: TypingHint; password: string }> {
  const variants: Array<{ hint: TypingHint; password: string }> = [];
  const trimmed = typed.trim();
  if (trimmed !== typed && trimmed) variants.push({ hint: 'spaces', password: trimmed });
  const layout = swapLayout(trimmed);
  if (layout) variants.push({ hint: 'layout', password: layout });
  const caps = swapCase(trimmed);
  if (caps) variants.push({ hint: 'caps', password: caps });
  return variants;
}

export const hintTexts: Record<TypingHint, string> = {
  layout: 'Похоже, пароль набран в другой раскладке клавиатуры. Переключите язык ввода.',
  caps: 'Похоже, включён Caps Lock: проверьте регистр букв.',
  spaces: 'В начале или в конце пароля есть лишние пробелы.',
};
