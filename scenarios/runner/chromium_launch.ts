/*
 * Starting Debian's Chromium for the scenario driver (nothing is downloaded), and the short names
 * of a stand's applications for screenshot file names. Re-exported by chromium_driver.ts.
 */
import { access } from 'node:fs/promises';
import { type Browser, chromium } from 'playwright-core';
import type { Stand } from './stand.ts';

export const defaultChromiumPath = '/usr/bin/chromium';

/** Flags for Debian's Chromium in a container: no sandbox as root, no GPU, nothing phoning home. */
const chromiumArgs = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Where Chromium is: $CHROMIUM_PATH or /usr/bin/chromium. */
export function chromiumPath(): string {
  return process.env.CHROMIUM_PATH || defaultChromiumPath;
}

/** Starts the system Chromium; fails with what to install when it is not there. */
export async function launchChromium(
  options: {
    headed?: boolean /** e.g. HOME with an NSS database that trusts the test root (test/browser/tls.browser.test.ts) */;
    env?: Record<string, string>;
    args?: string[];
  } = {},
): Promise<Browser> {
  const executablePath = chromiumPath();
  try {
    await access(executablePath);
  } catch {
    throw new Error(
      `Chromium is not installed at ${executablePath}. Install it from Debian: sudo apt-get update && sudo apt-get install -y chromium` +
        ' (or set CHROMIUM_PATH to a Chromium binary). Nothing here downloads a browser.',
    );
  }
  const headed = options.headed === true;
  const args = [...(headed ? chromiumArgs : ['--headless', ...chromiumArgs]), ...(options.args ?? [])];
  return chromium.launch({
    executablePath,
    headless: !headed,
    args,
    ...(options.env ? { env: { ...process.env, ...options.env } as Record<string, string> } : {}),
  });
}

/** Short names of a stand's applications for screenshot file names: idp, rp, rp2, rp-esia, rp-esia1, sys. */
export function standApps(stand: Stand): Record<string, string> {
  const apps: Record<string, string | undefined> = {
    idp: stand.idp,
    rp: stand.rp,
    rp2: stand.rp2,
    'rp-esia': stand.rpEsia,
    'rp-esia1': stand.rpEsia1,
    sys: stand.sink,
  };
  return Object.fromEntries(Object.entries(apps).flatMap(([name, url]) => (url ? [[new URL(url).origin, name]] : [])));
}
