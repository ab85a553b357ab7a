/*
 * feature «webauthn»: the DevTools virtual authenticators of a Chromium page (ctap2; internal =
 * platform, usb = security key). Their credentials outlive a browser restart, as a phone or a key
 * outlives the browser; the page's navigator.credentials calls are timed.
 */
import type { CDPSession, Page } from 'playwright-core';
import { type AuthenticatorAction, Devices, fixtureCredential } from './authenticator.ts';

export type Kind = 'platform' | 'roaming';

/** Times the page's navigator.credentials.get/create calls and reports each. A string: tsx would add helpers to a function's source that the page lacks. */
const timeCredentialCalls = `(() => {
  const c = navigator.credentials;
  for (const name of ['get', 'create']) {
    const original = c[name].bind(c);
    Object.defineProperty(c, name, { configurable: true, value: async (options) => {
      const started = performance.now();
      try { return await original(options); } finally { window.__webauthnCeremonyMs?.(performance.now() - started); }
    } });
  }
})()`;

const std64 = (b64url: string) => Buffer.from(b64url, 'base64url').toString('base64');

export class VirtualAuthenticators {
  #cdp: CDPSession | null = null;
  readonly #ids = new Map<Kind, string>();
  readonly #saved = new Map<Kind, Array<Record<string, unknown>>>();
  /** Builds the answers no browser sends (forge), from the fixture keys. */
  readonly forger = new Devices();
  /** How long the page's latest navigator.credentials call took (ms). */
  apiMs = Number.NaN;
  #timedPage: Page | null = null;

  /** The virtual authenticator of this kind on the page, set up as the action asks. */
  async prepare(page: Page, kind: Kind, action: AuthenticatorAction): Promise<void> {
    if (!this.#cdp) {
      this.#cdp = await page.context().newCDPSession(page);
      await this.#cdp.send('WebAuthn.enable', { enableUI: false });
    }
    const cdp = this.#cdp;
    let id = this.#ids.get(kind);
    if (id && action.authenticator) {
      await cdp.send('WebAuthn.removeVirtualAuthenticator', { authenticatorId: id });
      this.#ids.delete(kind);
      id = undefined;
    }
    if (!id) {
      const options = {
        protocol: 'ctap2',
        transport: kind === 'platform' ? 'internal' : 'usb',
        hasResidentKey: true,
        hasUserVerification: true,
        isUserVerified: true,
        automaticPresenceSimulation: true,
      } as const;
      id = (await cdp.send('WebAuthn.addVirtualAuthenticator', { options })).authenticatorId;
      this.#ids.set(kind, id);
      const saved = action.authenticator ? [] : (this.#saved.get(kind) ?? []);
      for (const credential of saved)
        await cdp.send('WebAuthn.addCredential', { authenticatorId: id, credential: credential as never });
      if (action.authenticator) {
        const f = fixtureCredential(action.authenticator);
        await cdp.send('WebAuthn.addCredential', {
          authenticatorId: id,
          credential: {
            credentialId: std64(f.credentialId),
            isResidentCredential: f.kind === 'platform',
            rpId: f.rpId,
            privateKey: std64(f.privateKey),
            ...(f.userHandle ? { userHandle: std64(f.userHandle) } : {}),
            signCount: action.signCount ?? f.signCount,
          },
        });
      }
    }
    await cdp.send('WebAuthn.setUserVerified', { authenticatorId: id, isUserVerified: action.userVerified !== false });
  }

  /** Times the page's next navigator.credentials call into apiMs. */
  async timeCalls(page: Page): Promise<void> {
    if (this.#timedPage !== page) {
      await page.exposeBinding('__webauthnCeremonyMs', (_source, ms: number) => void (this.apiMs = ms));
      this.#timedPage = page;
    }
    this.apiMs = Number.NaN;
    await page.evaluate(timeCredentialCalls);
  }

  /** Keeps the credentials before the browser closes (a phone or a key outlives the browser). */
  async save(): Promise<void> {
    if (this.#cdp) {
      for (const [kind, id] of this.#ids) {
        const { credentials } = await this.#cdp
          .send('WebAuthn.getCredentials', { authenticatorId: id })
          .catch(() => ({ credentials: [] }));
        this.#saved.set(kind, credentials as unknown as Array<Record<string, unknown>>);
      }
    }
    this.detach();
  }

  /** The page is gone: its DevTools session and authenticators with it. */
  detach(): void {
    this.#cdp = null;
    this.#ids.clear();
  }
}
