/*
 * How the Chromium driver reads a page's screen: body[data-screen], body[data-error-code] and
 * body[data-autosubmit], read after load or reported by an init script the moment <body> is parsed.
 */

/** A main-frame document as it committed: its URL and status, and its body[data-*] once read. */
export interface Commit {
  url: string;
  status: number;
  body?: BodyState;
}

export interface BodyState {
  screen: string;
  error: string;
  autosubmit: string;
}

export const readBody = (): BodyState => ({
  screen: document.body?.getAttribute('data-screen') ?? '',
  error: document.body?.getAttribute('data-error-code') ?? '',
  autosubmit: document.body?.getAttribute('data-autosubmit') ?? '',
});

/** Name of the page function that reports body[data-*] as soon as <body> is parsed. */
export const bodyBinding = '__scenarioDriverBody';

/**
 * Runs in every document before its own scripts: reports body[data-*] the moment <body> is parsed,
 * so a page that leaves by script at once (single logout) is still recorded with its screen.
 * A string, not a function: tsx would add helpers to a function's source that the page lacks.
 */
export const reportBodyWhenParsed = `(() => {
  if (window.top !== window) return;
  const report = () => {
    const b = document.body;
    if (!b) return false;
    window[${JSON.stringify(bodyBinding)}]?.({
      screen: b.getAttribute('data-screen') ?? '',
      error: b.getAttribute('data-error-code') ?? '',
      autosubmit: b.getAttribute('data-autosubmit') ?? '',
    });
    return true;
  };
  if (report()) return;
  const observer = new MutationObserver(() => { if (report()) observer.disconnect(); });
  observer.observe(document, { childList: true, subtree: true });
})();`;
