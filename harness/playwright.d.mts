/*
 * Types for harness/playwright.mjs (TypeScript pairs a .mjs file with a .d.mts file of the same
 * name). Works with the Page of playwright, playwright-core or @playwright/test.
 */
import type { BrowserContext, Page } from 'playwright-core';

export interface SignInAsPersonaOptions {
  /** The emulator's base URL, e.g. "http://localhost:3000". Its control API must be on (loopback only). */
  emulator: string;
  /** Persona key, e.g. "ivanov"; GET /__control/personas lists them. */
  persona: string;
  /**
   * "sms" (default): types the login, password and the SMS code on the emulator's screens.
   * "totp": chooses «кодом из приложения» and types the persona's current app code (e.g. zaitseva).
   * "shortcut": POST /__control/next-login {client_id, persona} — call it before the navigation that
   * starts the sign-in; the browser then passes the emulator without any screen. Needs `clientId`.
   * "esign": puts the persona's valid test certificate on the emulator's virtual token and signs in
   * with it through the signing-plugin stand-in (also answers a step-up's certificate screen).
   */
  method?: 'sms' | 'totp' | 'shortcut' | 'esign';
  /** Ticks «Запомнить меня» (the emulator's session then survives closing the browser). Default false. */
  remember?: boolean;
  /** An isolated run of the emulator (its personas and inbox); the browser must carry its esia_run cookie, see useRun. */
  run?: string;
  /** Your app's client_id; required for method "shortcut". */
  clientId?: string;
  /** Milliseconds for each wait. Default 15000. */
  timeout?: number;
}

export interface PersonaRecord {
  persona: string;
  oid: string;
  name: string;
  phone: string;
  email: string;
  snils: string;
  inn: string;
  password: string | null;
  [key: string]: unknown;
}

export interface SignInResult {
  /** The persona as GET /__control/personas describes it (name, СНИЛС, oid…), to assert on your pages. */
  persona: PersonaRecord;
  /** Where the browser is when the helper returns: your app, after the emulator. */
  url: string;
}

/**
 * Signs in as a persona on the emulator's login screen, as a person would (or, with "shortcut",
 * without screens). Resolves once the browser has left the emulator; rejects with the screen and
 * error code the emulator showed instead.
 */
export function signInAsPersona(page: Page, options: SignInAsPersonaOptions): Promise<SignInResult>;

/** Sets the esia_run cookie for the emulator's host, so this context uses that isolated run. */
export function useRun(context: BrowserContext, options: { emulator: string; run: string }): Promise<void>;
