/*
 * What a scenario needs from a browser. Two implementations: HttpBrowser (fast, the default) and
 * the real Chromium driver (--browser). Scenario steps are written once against this interface.
 */
export interface PageState {
  url: string;
  status: number;
  /** body[data-screen] */
  screen: string;
  /** body[data-error-code], '' when none */
  error: string;
}

import type { AuthenticatorAction } from './authenticator.ts';

/** Form fields by input name: text, or for a checkbox whether it is ticked. */
export type Fields = Record<string, string | boolean>;

/**
 * Electronic signature on the certificate screen (A4, A5): what the person does with the
 * signing-plugin stand-in — optionally load a key file, pick a certificate, type the token's PIN,
 * press «Подписать и войти». The Chromium driver does it on the real page; the HTTP driver makes the
 * plugin calls the page's script makes and submits the form.
 */
export interface EsignAction {
  pin: string;
  /** Part of the certificate's id or label on the token, e.g. "ivanov-expired"; the first one when absent. */
  certificate?: string;
  /** Text of a test key file (certificate + PKCS#8 key) to load into the token first; it is then chosen. */
  keyFile?: string;
  /** Signs this challenge instead of the page's (replay, another sign-in's challenge). */
  challenge?: string;
  /** Spoils one character of the signature before it is posted. */
  tamperSignature?: boolean;
}

export interface Driver {
  /** Every page landed on, in order (redirects followed). */
  readonly history: PageState[];
  current(): PageState | null;
  goto(url: string): Promise<void>;
  /** Fills the named fields of the element's form, then follows the link or presses the button. */
  click(testid: string, fields?: Fields): Promise<void>;
  /** Whether an element with this data-testid is on the page, and its attribute if asked. */
  attribute(testid: string, name: string): Promise<string | null>;
  /** A request no form would send (wrong content type, oversized body), with this browser's cookies and its page's form token (withPageToken). */
  send(url: string, method: string, body?: string, contentType?: string): Promise<void>;
  /** The visible text of the page, whitespace collapsed. */
  text(): Promise<string>;
  /** Sets a persistent cookie for a host, as if the browser had received it (run isolation). */
  setCookie(url: string, name: string, value: string): Promise<void>;
  /** Signs in with the plugin stand-in on the certificate screen. */
  esign(action: EsignAction): Promise<void>;
  /**
   * Answers the WebAuthn ceremony on the page (script#webauthn-options) as the user's device would:
   * Chromium's virtual authenticator in a real browser, a software one over HTTP; a forged answer
   * is built outside the browser in both and posted by the page's form.
   */
  webauthn(action: AuthenticatorAction): Promise<void>;
  /** Closing and reopening the browser: session cookies are gone, persistent ones stay (A7). */
  restart(): Promise<void>;
  close(): Promise<void>;
}

/**
 * The body of a crafted request: a form body gets the form token of the page on screen, as the
 * browser's own page would send it (lib/http/form_guard.ts), so the request reaches the check it is
 * about; a body that names csrf_token itself (a forged one) is left as it is.
 */
export function withPageToken(body: string | undefined, contentType: string | undefined, token: string | null | undefined): string | undefined {
  if (body === undefined || !token || (contentType ?? 'application/x-www-form-urlencoded') !== 'application/x-www-form-urlencoded') return body;
  if (new URLSearchParams(body).has('csrf_token')) return body;
  return body ? `${body}&csrf_token=${encodeURIComponent(token)}` : `csrf_token=${encodeURIComponent(token)}`;
}
