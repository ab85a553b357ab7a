/*
 * The stand (emulator + relying parties, scenarios/runner/stand.ts) a test file shares across its
 * tests, started in test.before and closed in test.after.always. Import from a test file only:
 * the hooks register on that file's ava.
 */
import test from 'ava';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../../scenarios/runner/chromium_driver.ts';
import { newRun, type Stand, startStand } from '../../scenarios/runner/stand.ts';

/** One stand for the file, its main run used; `stand` is set once test.before ran, after `setUp` (hooks run at once). */
export function sharedStand(setUp?: (stand: Stand) => Promise<void>): { stand: Stand } {
  const shared = {} as { stand: Stand };
  test.before(async () => {
    shared.stand = await startStand();
    await setUp?.(shared.stand);
  });
  test.after.always(async () => {
    await shared.stand?.close();
  });
  return shared;
}

/** One stand for the file and one isolated run in it; the fields are set once test.before ran. */
export interface SharedStand {
  stand: Stand;
  run: string;
}

export function sharedStandAndRun(): SharedStand {
  const shared = {} as SharedStand;
  test.before(async () => {
    shared.stand = await startStand();
    shared.run = (await newRun(shared.stand)).run;
  });
  test.after.always(async () => {
    await shared.stand?.close();
  });
  return shared;
}

/** One stand and one Chromium (Debian's /usr/bin/chromium) for the file; the fields are set once test.before ran. */
export interface BrowserStand {
  stand: Stand;
  browser: Browser;
}

export function sharedBrowserStand(): BrowserStand {
  const shared = {} as BrowserStand;
  test.before(async () => {
    shared.browser = await launchChromium();
    shared.stand = await startStand();
  });
  test.after.always(async () => {
    await shared.browser?.close();
    await shared.stand?.close();
  });
  return shared;
}

/** The page's data-screen and data-error-code (idp/views/layout.ts and the relying party's pages mark every page). */
export const screenOf = (page: Page) => page.locator('body').getAttribute('data-screen');
export const errorCodeOf = (page: Page) => page.locator('body').getAttribute('data-error-code');
