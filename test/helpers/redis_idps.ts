/*
 * Emulator instances sharing one Redis (ESIA_STORE=redis://…), each on its own port and data folder,
 * without relying parties: what the shared-state tests drive over HTTP. A sign-in is opened with the
 * clients file's fmrm, as its relying party would, and stops before the redirect back to it.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startIdp, type RunningIdp } from '../../idp/app.ts';
import { type IdpConfig, loadConfig } from '../../idp/config/index.ts';
import { HttpBrowser } from '../../scenarios/runner/http_browser.ts';

export interface SharedIdp {
  url: string;
  running: RunningIdp;
  control<T = unknown>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }>;
  close(): Promise<void>;
}

/** A fresh key prefix: tests of one file may share a Redis without meeting. */
export const freshPrefix = () => `t${randomBytes(4).toString('hex')}:`;

/** An emulator on `store` (lowdb or a Redis URL); a data folder of its own unless one is given (then kept on close, for a restart). */
export async function startSharedIdp(
  store: string,
  redisPrefix: string,
  overrides: Partial<IdpConfig> = {},
): Promise<SharedIdp> {
  const dataDir = overrides.dataDir ?? (await mkdtemp(join(tmpdir(), 'esia-shared-')));
  const running = await startIdp(
    loadConfig({
      port: 0,
      keysDir: join(tmpdir(), 'esia-emulator-test-keys'),
      store,
      redisPrefix,
      mtlsPort: null,
      log: process.env.ESIA_TEST_LOG === '1',
      flushDelayMs: 0,
      ...overrides,
      dataDir,
    }),
  );
  return {
    url: running.url,
    running,
    control: async <T>(method: string, path: string, body?: unknown) => {
      const response = await fetch(`${running.url}/__control${path}`, {
        method,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: response.status, body: (await response.json()) as T };
    },
    close: async () => {
      await running.close();
      if (!overrides.dataDir) await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** A browser at the login screen of `idpUrl`, as fmrm's login button leaves it (in `run` when given). */
export async function loginScreen(idpUrl: string, run?: string): Promise<HttpBrowser> {
  const b = new HttpBrowser();
  if (run) await b.setCookie(idpUrl, 'esia_run', run);
  const challenge = 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM';
  const query = new URLSearchParams({
    client_id: 'fmrm',
    response_type: 'code',
    redirect_uri: 'http://localhost:4000/callback',
    scope: 'openid',
    state: randomBytes(8).toString('hex'),
    nonce: randomBytes(8).toString('hex'),
    code_challenge: challenge,
    code_challenge_method: 'S256',
  });
  await b.goto(`${idpUrl}/auth?${query}`);
  return b;
}
