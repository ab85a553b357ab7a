/*
 * A minimal browser over HTTP for scenarios: a cookie jar (tough-cookie, so host, path, expiry and
 * session cookies behave as in a browser), redirects followed by hand, links and forms read from
 * the page by data-testid, and the page's screen and error code read from body[data-*].
 */
import { type HTMLElement, parse } from 'node-html-parser';
import { CookieJar } from 'tough-cookie';
import { Devices } from './authenticator.ts';
import { send } from './http_client.ts';
import { type Download, type Driver, type Fields, type PageState, withPageToken } from './driver.ts';
import { ScenarioError } from './scenario_error.ts';

export interface Page {
  url: string;
  status: number;
  html: string;
  root: HTMLElement;
}

/** A JSON object from an answer, or {} when it is not one (the caller reports the status). */
function parseJsonObject(text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text);
    return value && typeof value === 'object' ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

export class HttpBrowser implements Driver {
  readonly engine = 'http';
  jar = new CookieJar();
  page: Page | null = null;
  /** Every page the browser landed on, for the report. */
  readonly history: PageState[] = [];
  /** The user's WebAuthn devices (software), kept when the browser is closed. */
  readonly devices = new Devices();
  /** The pages of the other tabs by name, and what each showed (switchTab). */
  readonly #tabs = new Map<string, { page: Page | null; state: PageState | null }>();
  #tab = 'first';
  /** What the tab switched to shows, until it navigates: the history's last entry may be another tab's. */
  #shown: PageState | null | undefined;

  async #request(
    url: string,
    init: { method?: string; body?: string | Buffer; contentType?: string } = {},
  ): Promise<Page> {
    let current = url;
    let method = init.method ?? 'GET';
    let body = init.body;
    for (let hop = 0; hop < 20; hop++) {
      const headers: Record<string, string> = { cookie: await this.jar.getCookieString(current), accept: 'text/html' };
      if (body !== undefined) headers['content-type'] = init.contentType ?? 'application/x-www-form-urlencoded';
      const res = await send(current, { method, headers, body });
      for (const cookie of res.setCookies) await this.jar.setCookie(cookie, current, { ignoreError: true });
      const location = res.headers.location;
      if (res.status >= 300 && res.status < 400 && location) {
        current = new URL(location, current).href;
        if (res.status !== 307 && res.status !== 308) {
          method = 'GET';
          body = undefined;
        }
        continue;
      }
      const html = res.text;
      const page: Page = { url: current, status: res.status, html, root: parse(html) };
      this.page = page;
      this.#shown = undefined;
      this.history.push({ url: current, status: res.status, screen: this.screen(), error: this.errorCode() });
      // A page that submits a form by script (single logout) is submitted here too, as a browser would.
      const autosubmit = page.root.querySelector('body')?.getAttribute('data-autosubmit');
      const autoForm = autosubmit ? page.root.querySelector(`form[id="${autosubmit}"]`) : null;
      if (autoForm) return this.#submit(autoForm, page, {});
      return page;
    }
    throw new ScenarioError(`More than 20 redirects from ${url}`);
  }

  async goto(url: string): Promise<void> {
    await this.#request(url);
  }

  current(): PageState | null {
    return this.#shown !== undefined ? this.#shown : (this.history.at(-1) ?? null);
  }

  async switchTab(name: string): Promise<void> {
    if (name === this.#tab) return;
    this.#tabs.set(this.#tab, { page: this.page, state: this.current() });
    const other = this.#tabs.get(name);
    this.#tab = name;
    this.page = other?.page ?? null;
    this.#shown = other?.state ?? null;
  }

  async attribute(testid: string, name: string): Promise<string | null> {
    return this.byTestId(testid)?.getAttribute(name) ?? null;
  }

  async setCookie(url: string, name: string, value: string): Promise<void> {
    // Persistent, like a browser profile's: closing the browser keeps it (the run outlives a restart).
    await this.jar.setCookie(`${name}=${value}; Path=/; SameSite=Lax; Max-Age=86400`, url);
  }

  async close(): Promise<void> {
    this.page = null;
  }

  /** A request no form would send (wrong content type, oversized body), with this browser's cookies. */
  async send(url: string, method: string, body?: string, contentType?: string): Promise<void> {
    const token = this.page?.root.querySelector('input[name="csrf_token"]')?.getAttribute('value');
    await this.#request(url, { method, body: withPageToken(body, contentType, token), contentType });
  }

  /** A file form's submission: the multipart body built by the caller (scenarios/steps/upload.ts), sent as the page's form would. */
  async sendBytes(url: string, body: Buffer, contentType: string): Promise<void> {
    await this.#request(url, { method: 'POST', body, contentType });
  }

  /** The page on screen; fails when none is open yet. */
  requirePage(): Page {
    if (!this.page) throw new ScenarioError('No page is open yet');
    return this.page;
  }

  screen(): string {
    return this.page?.root.querySelector('body')?.getAttribute('data-screen') ?? '';
  }

  errorCode(): string {
    return this.page?.root.querySelector('body')?.getAttribute('data-error-code') ?? '';
  }

  byTestId(testid: string): HTMLElement | null {
    return this.requirePage().root.querySelector(`[data-testid="${testid}"]`);
  }

  async text(): Promise<string> {
    return this.requirePage().root.querySelector('body')?.textContent.replace(/\s+/g, ' ').trim() ?? '';
  }

  /** Follows a link or presses a button (submitting its form with the given field values). */
  async click(testid: string, fields: Fields = {}): Promise<void> {
    const page = this.requirePage();
    const element = this.byTestId(testid);
    if (!element)
      throw new ScenarioError(`No element [data-testid="${testid}"] on ${page.url} (screen "${this.screen()}")`);
    if (element.tagName === 'A') return this.goto(new URL(element.getAttribute('href') ?? '', page.url).href);
    const formId = element.getAttribute('form');
    let form = formId ? page.root.querySelector(`form[id="${formId}"]`) : element.parentNode;
    while (form && form.tagName !== 'FORM') form = form.parentNode;
    if (!form) throw new ScenarioError(`[data-testid="${testid}"] on ${page.url} is neither a link nor inside a form`);
    await this.#submit(form, page, fields, element);
  }

  #submit(form: HTMLElement, page: Page, fields: Fields, button?: HTMLElement): Promise<Page> {
    const data = new URLSearchParams();
    for (const input of form.querySelectorAll('input')) {
      const name = input.getAttribute('name');
      if (!name) continue;
      const type = input.getAttribute('type') ?? 'text';
      const ticked = typeof fields[name] === 'boolean' ? fields[name] : input.hasAttribute('checked');
      if ((type === 'checkbox' || type === 'radio') && !ticked) continue;
      const typed = fields[name];
      data.set(name, typeof typed === 'string' ? typed : (input.getAttribute('value') ?? ''));
    }
    for (const [name, value] of Object.entries(fields)) {
      if (typeof value === 'string' && !data.has(name)) data.set(name, value);
    }
    const buttonName = button?.getAttribute('name');
    if (button && buttonName) data.set(buttonName, button.getAttribute('value') ?? '');
    const action = new URL(button?.getAttribute('formaction') ?? form.getAttribute('action') ?? page.url, page.url)
      .href;
    const method = (form.getAttribute('method') ?? 'get').toUpperCase();
    if (method === 'GET') {
      const target = new URL(action);
      for (const [k, v] of data) target.searchParams.set(k, v);
      return this.#request(target.href);
    }
    return this.#request(action, { method: 'POST', body: data.toString() });
  }

  /** A JSON call with this browser's cookies, as a page's script makes it (the signing-plugin stand-in). */
  async json(url: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
    const headers: Record<string, string> = { cookie: await this.jar.getCookieString(url), accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await send(url, {
      method: body === undefined ? 'GET' : 'POST',
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    for (const cookie of res.setCookies) await this.jar.setCookie(cookie, url, { ignoreError: true });
    return { status: res.status, body: parseJsonObject(res.text) };
  }

  async download(url: string): Promise<Download> {
    const res = await send(url, { headers: { cookie: await this.jar.getCookieString(url) } });
    for (const cookie of res.setCookies) await this.jar.setCookie(cookie, url, { ignoreError: true });
    return { status: res.status, contentType: String(res.headers['content-type'] ?? ''), body: res.bytes };
  }

  /** What closing the browser does: session cookies (no expiry) are gone, persistent ones stay (A7). */
  async restart(): Promise<void> {
    const { cookies } = await this.jar.serialize();
    for (const cookie of cookies) {
      const persistent = (cookie.expires && cookie.expires !== 'Infinity') || typeof cookie.maxAge === 'number';
      if (!persistent && cookie.domain && cookie.path && cookie.key)
        await this.jar.store.removeCookie(String(cookie.domain), String(cookie.path), String(cookie.key));
    }
    this.page = null;
    this.#tabs.clear();
    this.#tab = 'first';
    this.#shown = undefined;
  }
}
