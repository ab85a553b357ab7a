/*
 * The trainer gallery's content, generated from the two error catalogues and the scenario files:
 * one entry per user-visible failure, grouped by the source document's sections, with the
 * scenarios that reproduce it. No text is copied: everything comes from those sources.
 */
import { catalogue } from '../idp/errors/catalogue.ts';
import { rpErrors } from '../relying-party/errors.ts';
import { expectedErrors, type Scenario } from '../scenarios/schema.ts';

export const sections: Record<string, string> = {
  A: 'Способы входа',
  B: 'Проверка учётной записи',
  C: 'Ошибки авторизации',
  D: 'Восстановление доступа',
  E: 'Поддержка и технические ошибки',
  F: 'Безопасность',
  G: 'Личный кабинет ФМРМ',
};

export interface GalleryEntry {
  code: string;
  /** Where the user sees it: the emulator (Госуслуги) or the relying party (ФМРМ). */
  app: 'idp' | 'rp';
  entry: { status: number; title: string; message: string; remedy: string; support: string; ids: readonly string[] };
  section: string;
  /** Scenarios that show this screen, the one ending on it first. */
  scenarios: Scenario[];
}

export function galleryEntries(scenarios: Scenario[]): GalleryEntry[] {
  const all: Array<[string, 'idp' | 'rp', GalleryEntry['entry']]> = [
    ...Object.entries(catalogue).map(([code, entry]): [string, 'idp', GalleryEntry['entry']] => [code, 'idp', entry]),
    ...Object.entries(rpErrors).map(([code, entry]): [string, 'rp', GalleryEntry['entry']] => [code, 'rp', entry]),
  ];
  return all
    .map(([code, app, entry]) => {
      const showing = scenarios.filter((s) => expectedErrors(s).includes(code));
      showing.sort((a, b) => Number(b.expect.error === code) - Number(a.expect.error === code));
      return { code, app, entry, section: entry.ids[0]?.[0] ?? 'E', scenarios: showing };
    })
    .sort(
      (a, b) =>
        a.section.localeCompare(b.section) ||
        (a.entry.ids[0] ?? '').localeCompare(b.entry.ids[0] ?? '', 'en', { numeric: true }),
    );
}
