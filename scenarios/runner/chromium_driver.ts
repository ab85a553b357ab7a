/*
 * The scenario Driver in a real browser: Debian's Chromium through playwright-core (nothing is
 * downloaded). It acts as a person would: types into the named fields of the button's form, ticks
 * checkboxes, clicks the element by data-testid, and reads the screen from body[data-screen] and
 * body[data-error-code] of the page it lands on. One BrowserContext per driver, so scenarios never
 * share cookies. Every page landed on, and the final screen, can be kept as a full-page PNG.
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, BrowserContext, Locator, Page, PageScreenshotOptions } from 'playwright-core';
import { type BodyState, bodyBinding, type Commit, readBody, reportBodyWhenParsed } from './chromium_body.ts';
import { type Download, type Driver, type Fields, type PageState, withPageToken } from './driver.ts';
import { ScenarioError } from './scenario_error.ts';
import { type Kind, VirtualAuthenticators } from './virtual_authenticators.ts';

export { chromiumPath, defaultChromiumPath, launchChromium, standApps } from './chromium_launch.ts';

export interface ChromiumDriverOptions {
  /** Screenshots go to <screenshotsDir>/<name>/; none are taken without it. */
  screenshotsDir?: string;
  /** Scenario id: the screenshot folder. */
  name?: string;
  /** Short names for origins in screenshot file names, e.g. {"http://localhost:3000": "idp"}; otherwise host_port. */
  apps?: Record<string, string>;
  /** Only the landed pages this accepts get a picture, and no final one (the gallery keeps its error screens only). */
  keep?: (page: PageState) => boolean;
  /** JPEG of this quality (1–100) instead of PNG: these flat pages compress to a fraction. */
  jpegQuality?: number;
  /** How long one click, navigation or wait may take (ms). */
  timeoutMs?: number;
}

const cssString = (value: string) => `"${value.replace(/["\\]/g, '\\$&')}"`;
const fileSafe = (value: string) => value.replace(/[^\w.-]+/g, '_');

export class ChromiumDriver implements Driver {
  readonly engine = 'chromium';
  readonly history: PageState[] = [];
  #context: BrowserContext | null = null;
  #page: Page | null = null;
  /** Every main-frame document committed, in order, across restarts; history[i] is commits[i]. */
  readonly #commits: Commit[] = [];
  /** Status of the latest main-frame document response (each redirect too; the last one wins). */
  #documentStatus = 0;
  #shotsReady: Promise<void> | null = null;
  /** The latest landing's picture and how many documents had committed then: the final one reuses it if none has since. */
  #lastShot: { commits: number; png: Buffer } | null = null;
  readonly #timeout: number;
  /** The other tabs by name, each with what it showed (switchTab); only the tab on screen records documents. */
  readonly #tabs = new Map<string, { page: Page; state: PageState | null }>();
  #tab = 'first';
  /** What the tab switched to shows, until it navigates: the history's last entry may be another tab's. */
  #shown: PageState | null | undefined;
  /** feature «webauthn»: DevTools virtual authenticators of the page, their credentials kept across restarts. */
  readonly authenticators = new VirtualAuthenticators();
  /**
   * Each real ceremony: `apiMs` the page's navigator.credentials call (the browser and the virtual
   * authenticator), `ms` from the click on «Продолжить» until the next page has loaded (with the
   * server's check and, after a sign-in, the way back to the relying party).
   */
  readonly ceremonies: Array<{ mode: 'authenticate' | 'register'; attachment: Kind; ms: number; apiMs: number }> = [];

  constructor(
    readonly browser: Browser,
    readonly options: ChromiumDriverOptions = {},
  ) {
    this.#timeout = options.timeoutMs ?? 15_000;
  }

  current(): PageState | null {
    return this.#shown !== undefined ? this.#shown : (this.history.at(-1) ?? null);
  }

  /** The page, opening the context on first use. */
  async #open(): Promise<Page> {
    return this.#page ?? this.#newContext([]);
  }

  async #newContext(cookies: Awaited<ReturnType<BrowserContext['cookies']>>): Promise<Page> {
    const context = await this.browser.newContext({
      locale: 'ru-RU',
      viewport: { width: 1100, height: 900 },
      acceptDownloads: false,
    });
    context.setDefaultTimeout(this.#timeout);
    if (cookies.length) await context.addCookies(cookies);
    this.#context = context;
    this.#tabs.clear();
    this.#tab = 'first';
    this.#shown = undefined;
    this.#page = await this.#newTab(context);
    return this.#page;
  }

  /** A page of the context whose documents are recorded while it is the tab on screen. */
  async #newTab(context: BrowserContext): Promise<Page> {
    const page = await context.newPage();
    page.on('response', (response) => {
      if (page === this.#page && response.frame() === page.mainFrame() && response.request().isNavigationRequest())
        this.#documentStatus = response.status();
    });
    page.on('framenavigated', (frame) => {
      if (page !== this.#page || frame !== page.mainFrame()) return;
      this.#shown = undefined;
      this.#commits.push({ url: frame.url(), status: this.#documentStatus });
    });
    await page.exposeBinding(bodyBinding, ({ frame }, body: BodyState) => {
      const last = this.#commits.at(-1);
      if (page === this.#page && frame === page.mainFrame() && last && !last.body) last.body = body;
    });
    await page.addInitScript({ content: reportBodyWhenParsed });
    return page;
  }

  /** Another tab of the same context (cookies shared), opened empty the first time; its page stays as it was left. */
  async switchTab(name: string): Promise<void> {
    if (name === this.#tab) return;
    const leaving = await this.#open();
    this.#tabs.set(this.#tab, { page: leaving, state: this.current() });
    const other = this.#tabs.get(name);
    this.#tab = name;
    this.#page = other?.page ?? (await this.#newTab(this.#context as BrowserContext));
    this.#shown = other?.state ?? null;
    await this.#page.bringToFront();
  }

  requirePage(): Page {
    if (!this.#page) throw new ScenarioError('No page is open yet');
    return this.#page;
  }

  /** Runs an action that navigates, then waits until the browser has landed on a page that stays. */
  async navigate(action: (page: Page) => Promise<unknown>, what: string): Promise<void> {
    const page = await this.#open();
    const before = this.#commits.length;
    await action(page);
    await this.#waitForCommit(before, what);
    await this.#settle();
  }

  async #waitForCommit(count: number, what: string): Promise<void> {
    const page = this.requirePage();
    const deadline = Date.now() + this.#timeout;
    while (this.#commits.length <= count) {
      if (Date.now() > deadline)
        throw new ScenarioError(
          `${what}: the browser did not navigate within ${this.#timeout} ms (still at ${page.url()})`,
        );
      await page.waitForEvent('framenavigated', { timeout: Math.max(1, deadline - Date.now()) }).catch(() => undefined);
    }
  }

  /**
   * Waits until the page loaded is one that stays: a page that submits itself by script
   * (body[data-autosubmit], the single-logout page) is recorded, and the browser follows its form.
   * Every document passed through becomes one history entry, in order.
   */
  async #settle(): Promise<void> {
    const page = this.requirePage();
    for (;;) {
      await page.waitForLoadState('load');
      const count = this.#commits.length;
      let body: BodyState;
      try {
        body = await page.evaluate(readBody);
      } catch (error) {
        if (this.#commits.length > count) continue; // the document left by itself while being read
        throw error;
      }
      if (this.#commits.length > count) continue;
      this.#commits[count - 1].body = body;
      this.#record();
      await this.#screenshot(count);
      if (!body.autosubmit) return;
      await this.#waitForCommit(count, `the page that submits itself (form #${body.autosubmit})`);
    }
  }

  /** Adds the documents committed since the last call to the history. */
  #record(): void {
    for (const commit of this.#commits.slice(this.history.length)) {
      this.history.push({
        url: commit.url,
        status: commit.status,
        screen: commit.body?.screen ?? '',
        error: commit.body?.error ?? '',
      });
    }
  }

  #appName(url: string): string {
    const { origin, host } = new URL(url);
    return this.options.apps?.[origin] ?? fileSafe(host);
  }

  async #shotsDir(): Promise<string | null> {
    const { screenshotsDir, name } = this.options;
    if (!screenshotsDir) return null;
    const dir = join(screenshotsDir, fileSafe(name ?? 'driver'));
    // Old pictures of this scenario would mix with the new ones: start the folder afresh once.
    this.#shotsReady ??= rm(dir, { recursive: true, force: true }).then(() =>
      mkdir(dir, { recursive: true }).then(() => undefined),
    );
    await this.#shotsReady;
    return dir;
  }

  #shotOptions(): PageScreenshotOptions {
    const quality = this.options.jpegQuality;
    return { fullPage: true, animations: 'disabled', ...(quality ? { type: 'jpeg', quality } : {}) };
  }

  get #shotExtension(): string {
    return this.options.jpegQuality ? 'jpg' : 'png';
  }

  /**
   * A full-page picture of history entry number `count` (the page on screen now), named
   * NN-<app>-<screen>[-<error>].png (or .jpg); dropped if the page moved on while it was being taken.
   */
  async #screenshot(count: number): Promise<void> {
    const state = this.history[count - 1];
    if (!state || (this.options.keep && !this.options.keep(state))) return;
    const dir = await this.#shotsDir();
    if (!dir || !this.#page) return;
    let png: Buffer;
    try {
      png = await this.#page.screenshot(this.#shotOptions());
    } catch {
      return;
    }
    if (this.#commits.length > count) return;
    const file = `${String(count).padStart(2, '0')}-${this.#appName(state.url)}-${fileSafe(state.screen || 'no-screen')}${state.error ? `-${fileSafe(state.error)}` : ''}.${this.#shotExtension}`;
    await writeFile(join(dir, file), png);
    this.#lastShot = { commits: count, png };
  }

  async goto(url: string): Promise<void> {
    await this.navigate((page) => page.goto(url, { waitUntil: 'commit' }), `open ${url}`);
  }

  byTestId(testid: string): Locator {
    return this.requirePage()
      .locator(`[data-testid=${cssString(testid)}]`)
      .first();
  }

  async attribute(testid: string, name: string): Promise<string | null> {
    const element = this.byTestId(testid);
    if ((await element.count()) === 0) return null;
    return element.getAttribute(name);
  }

  async text(): Promise<string> {
    const text = await this.requirePage().locator('body').innerText();
    return text.replace(/\s+/g, ' ').trim();
  }

  /** Fills the named fields of the element's form as a person would, then clicks the element. */
  async click(testid: string, fields: Fields = {}): Promise<void> {
    const page = this.requirePage();
    const element = this.byTestId(testid);
    const where = `${page.url()} (screen "${this.current()?.screen ?? ''}")`;
    const names = Object.keys(fields);
    const found = await element
      .evaluate(
        (el, wanted) => {
          const form = (el as HTMLButtonElement).form ?? el.closest('form');
          return {
            link: el.tagName === 'A',
            formId: form?.id ?? '',
            inForm: !!form,
            missing: wanted.filter((n) => !form?.querySelector(`[name="${CSS.escape(n)}"]`)),
          };
        },
        names,
        { timeout: Math.min(this.#timeout, 5000) },
      )
      .catch(() => null);
    if (!found) throw new ScenarioError(`No element [data-testid="${testid}"] on ${where}`);
    if (names.length && (found.link || !found.inForm))
      throw new ScenarioError(`[data-testid="${testid}"] on ${where} is not in a form, so there is nothing to fill`);
    for (const name of found.missing) {
      // Leaving a box unticked that is not there is what a person does anyway.
      if (fields[name] !== false)
        throw new ScenarioError(
          `The form of [data-testid="${testid}"] on ${where} has no field name="${name}" to fill`,
        );
    }
    if (names.length) {
      const form = found.formId
        ? page.locator(`form[id=${cssString(found.formId)}]`)
        : element.locator('xpath=ancestor::form[1]');
      for (const [name, value] of Object.entries(fields)) {
        if (found.missing.includes(name)) continue;
        const input = form.locator(`[name=${cssString(name)}]`).first();
        if (typeof value === 'boolean') await input.setChecked(value);
        else if ((await input.getAttribute('type')) === 'radio')
          await form.locator(`[name=${cssString(name)}][value=${cssString(value)}]`).check();
        else if ((await input.evaluate((el) => el.tagName)) === 'SELECT') await input.selectOption(value);
        else await input.fill(value);
      }
    }
    await this.navigate(() => element.click(), `click [data-testid="${testid}"] on ${where}`);
  }

  /**
   * A request no form would send, with this context's cookies: sent by the context's request client
   * (redirects followed, cookies set), then shown in the page at its final URL, once.
   */
  async send(url: string, method: string, body?: string, contentType?: string): Promise<void> {
    const page = await this.#open();
    const context = this.#context as BrowserContext;
    const headers: Record<string, string> = { accept: 'text/html' };
    if (body !== undefined) headers['content-type'] = contentType ?? 'application/x-www-form-urlencoded';
    const token = await page
      .evaluate(() => document.querySelector('input[name="csrf_token"]')?.getAttribute('value'))
      .catch(() => undefined);
    const data = withPageToken(body, contentType, token);
    const response = await context.request.fetch(url, {
      method,
      headers,
      data,
      maxRedirects: 20,
      failOnStatusCode: false,
    });
    const finalUrl = response.url();
    const responseBody = await response.body();
    const responseHeaders = Object.fromEntries(
      Object.entries(response.headers()).filter(
        ([name]) => name !== 'set-cookie' && name !== 'content-length' && name !== 'content-encoding',
      ),
    );
    const shown = (u: URL) => u.href === finalUrl;
    let fulfilled = false;
    await page.route(
      shown,
      (route) => {
        fulfilled = true;
        return route.fulfill({ status: response.status(), headers: responseHeaders, body: responseBody });
      },
      { times: 1 },
    );
    try {
      await this.navigate((p) => p.goto(finalUrl, { waitUntil: 'commit' }), `show the answer to ${method} ${url}`);
    } finally {
      await page.unroute(shown).catch(() => undefined);
    }
    if (!fulfilled)
      throw new ScenarioError(
        `The answer to ${method} ${url} was not the page shown at ${finalUrl}: the browser fetched that address itself`,
      );
  }

  /** Fetched by the context's request client, which shares the pages' cookies: a download would leave no page to read. */
  async download(url: string): Promise<Download> {
    await this.#open();
    const response = await (this.#context as BrowserContext).request.get(url, { failOnStatusCode: false });
    return {
      status: response.status(),
      contentType: response.headers()['content-type'] ?? '',
      body: await response.body(),
    };
  }

  /** A persistent cookie (a day), like one in the browser profile: it outlives restart(). */
  async setCookie(url: string, name: string, value: string): Promise<void> {
    await this.#open();
    const expires = Math.floor(Date.now() / 1000) + 86_400;
    await (this.#context as BrowserContext).addCookies([
      { name, value, domain: new URL(url).hostname, path: '/', sameSite: 'Lax', expires },
    ]);
  }

  /** Closing and reopening the browser: a new context with only the persistent cookies (A7). */
  async restart(): Promise<void> {
    if (!this.#context) return;
    await this.authenticators.save();
    const persistent = (await this.#context.cookies()).filter((c) => c.expires !== -1);
    await this.#context.close();
    this.#context = null;
    this.#page = null;
    this.#lastShot = null;
    await this.#newContext(persistent);
  }

  /**
   * Keeps final.png of what is on screen (when screenshots are on, for every page; the last
   * landing's picture when the page has not moved since), then closes the context.
   */
  async close(): Promise<void> {
    const dir = this.options.keep ? null : await this.#shotsDir();
    if (dir && this.#page && this.history.length) {
      const final = join(dir, `final.${this.#shotExtension}`);
      if (this.#lastShot?.commits === this.#commits.length) await writeFile(final, this.#lastShot.png);
      else await this.#page.screenshot({ ...this.#shotOptions(), path: final }).catch(() => undefined);
    }
    this.authenticators.detach();
    await this.#context?.close();
    this.#context = null;
    this.#page = null;
  }
}
