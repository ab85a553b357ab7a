/*
 * What a scenario needs from a browser. Two implementations: HttpBrowser (fast, the default) and
 * the real Chromium driver (--browser). Scenario steps are written once against this interface; a
 * step whose two ways differ (the signing plugin, WebAuthn) gives both (PerDriver in steps/kind.ts).
 */
export interface PageState {
  url: string;
  status: number;
  /** body[data-screen] */
  screen: string;
  /** body[data-error-code], '' when none */
  error: string;
}

/** A file as the browser received it. */
export interface Download {
  status: number;
  contentType: string;
  body: Buffer;
}

/** Form fields by input name: text, or for a checkbox whether it is ticked. */
export type Fields = Record<string, string | boolean>;

export interface Driver {
  /** Which driver this is: a step whose two ways differ picks its own by it. */
  readonly engine: 'http' | 'chromium';
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
  /** A file the page links to (a certificate PDF), fetched with this browser's cookies; the page stays. */
  download(url: string): Promise<Download>;
  /** The visible text of the page, whitespace collapsed. */
  text(): Promise<string>;
  /** Sets a persistent cookie for a host, as if the browser had received it (run isolation). */
  setCookie(url: string, name: string, value: string): Promise<void>;
  /**
   * Switches to the tab of this name, opening an empty one the first time ("first" is the tab a
   * scenario starts in). Tabs share the cookies; each keeps its own page, so a form opened in one
   * is still there, with what it was opened on, when the scenario comes back to it.
   */
  switchTab(name: string): Promise<void>;
  /** Closing and reopening the browser: session cookies are gone, persistent ones stay (A7). */
  restart(): Promise<void>;
  close(): Promise<void>;
}

/**
 * The body of a crafted request: a form body gets the form token of the page on screen, as the
 * browser's own page would send it (lib/http/form_guard.ts), so the request reaches the check it is
 * about; a body that names csrf_token itself (a forged one) is left as it is.
 */
export function withPageToken(
  body: string | undefined,
  contentType: string | undefined,
  token: string | null | undefined,
): string | undefined {
  if (
    body === undefined ||
    !token ||
    (contentType ?? 'application/x-www-form-urlencoded') !== 'application/x-www-form-urlencoded'
  )
    return body;
  if (new URLSearchParams(body).has('csrf_token')) return body;
  return body ? `${body}&csrf_token=${encodeURIComponent(token)}` : `csrf_token=${encodeURIComponent(token)}`;
}
