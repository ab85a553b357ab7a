/*
 * The trainer gallery's content, generated from the two error catalogues and the scenario files:
 * one entry per user-visible failure, grouped by the source document's sections, with the
 * scenarios that reproduce it. No text is copied: everything comes from those sources.
 */
import { catalogue } from '../idp/errors/catalogue.ts';
import { rpErrors } from '../relying-party/errors.ts';
import {
  type Expectation,
  expectations,
  expectationsWithSteps,
  expectedErrors,
  type Scenario,
} from '../scenarios/schema.ts';

export const sections: Record<string, string> = {
  A: 'Способы входа',
  B: 'Проверка учётной записи',
  C: 'Ошибки авторизации',
  D: 'Восстановление доступа',
  E: 'Поддержка и технические ошибки',
  F: 'Безопасность',
  G: 'Личный кабинет ФМРМ и Портал НМО',
};

/** Where a screen is seen: the emulator (Госуслуги), ФМРМ, or Портал НМО (the scenarios' apps). */
export type GalleryApp = 'idp' | 'rp' | 'rp2';
export const appNames: Record<GalleryApp, string> = { idp: 'Госуслуги', rp: 'ФМРМ', rp2: 'Портал НМО' };

export interface GalleryEntry {
  code: string;
  app: GalleryApp;
  entry: { status: number; title: string; message: string; remedy: string; support: string; ids: readonly string[] };
  section: string;
  /** Scenarios that show this screen, the one ending on it first. */
  scenarios: Scenario[];
}

/**
 * Which relying party shows an error of the relying parties' catalogue (both portals share it):
 * Портал НМО when every expectation of the code that names its app names rp2, ФМРМ otherwise.
 */
function portalOf(code: string, showing: Scenario[]): 'rp' | 'rp2' {
  const apps = showing.flatMap((s) => expectations(s).flatMap((e) => (e.error === code && e.app ? [e.app] : [])));
  return apps.length > 0 && apps.every((app) => app === 'rp2') ? 'rp2' : 'rp';
}

export function galleryEntries(scenarios: Scenario[]): GalleryEntry[] {
  const all: Array<[string, 'idp' | 'rp', GalleryEntry['entry']]> = [
    ...Object.entries(catalogue).map(([code, entry]): [string, 'idp', GalleryEntry['entry']] => [code, 'idp', entry]),
    ...Object.entries(rpErrors).map(([code, entry]): [string, 'rp', GalleryEntry['entry']] => [code, 'rp', entry]),
  ];
  return all
    .map(([code, side, entry]) => {
      const showing = scenarios.filter((s) => expectedErrors(s).includes(code));
      showing.sort((a, b) => Number(b.expect.error === code) - Number(a.expect.error === code));
      const app = side === 'idp' ? side : portalOf(code, showing);
      return { code, app, entry, section: entry.ids[0]?.[0] ?? 'E', scenarios: showing };
    })
    .sort(
      (a, b) =>
        a.section.localeCompare(b.section) ||
        (a.entry.ids[0] ?? '').localeCompare(b.entry.ids[0] ?? '', 'en', { numeric: true }),
    );
}

/** A screen scenarios reach without an error (the cabinet, a list, «Мои услуги»): what the user sees along the way. */
export interface ScreenEntry {
  /** `<app>:<screen>`, e.g. `rp2:cabinet`. */
  key: string;
  app: GalleryApp;
  screen: string;
  /** Scenarios that show it, the one ending on it first. */
  scenarios: Scenario[];
}

const appOrder: GalleryApp[] = ['idp', 'rp', 'rp2'];

/**
 * A scenario's expectations with the app each is on: the one it names, or for an `open` step that
 * names none, the app that step opens (the page is usually that app's own, e.g. Портал НМО's list).
 */
function expectationsOnApps(scenario: Scenario): Expectation[] {
  return expectationsWithSteps(scenario).map(({ step, expect }) =>
    step?.do === 'open' ? { app: step.app, ...expect } : expect,
  );
}

/** Every screen some scenario expects, on an app it names (or opens), with no error on it. */
export function galleryScreens(scenarios: Scenario[]): ScreenEntry[] {
  const byKey = new Map<string, ScreenEntry>();
  for (const scenario of scenarios)
    for (const e of expectationsOnApps(scenario)) {
      if (!e.screen || (e.error && e.error !== 'none') || !e.app || e.app === 'sys') continue;
      const key = `${e.app}:${e.screen}`;
      const entry = byKey.get(key) ?? { key, app: e.app, screen: e.screen, scenarios: [] };
      if (!entry.scenarios.includes(scenario)) entry.scenarios.push(scenario);
      byKey.set(key, entry);
    }
  const endsOn = (s: Scenario, e: ScreenEntry) => s.expect.app === e.app && s.expect.screen === e.screen;
  for (const e of byKey.values()) e.scenarios.sort((a, b) => Number(endsOn(b, e)) - Number(endsOn(a, e)));
  return [...byKey.values()].sort(
    (a, b) => appOrder.indexOf(a.app) - appOrder.indexOf(b.app) || a.screen.localeCompare(b.screen),
  );
}
