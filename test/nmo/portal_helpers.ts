/*
 * A relying party's real app (createRpApp with its portal's features) on a real port, signed into
 * without the emulator: its Госуслуги client is a stand-in that sends the browser straight back to
 * /callback with the claims of the persona chosen. The RP's own pages, forms, tokens and data are
 * the real ones; what the emulator would do is covered by the scenarios.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRpApp } from '../../relying-party/app.ts';
import { registerPath, rpConfig, type RpConfig } from '../../relying-party/config.ts';
import { featuresOf } from '../../relying-party/features.ts';
import { loadFixtures, type RegisterRecord } from '../../relying-party/register.ts';
import { Workspaces } from '../../relying-party/workspaces.ts';
import { HttpBrowser } from '../../scenarios/runner/http_browser.ts';

export interface Portal {
  url: string;
  workspaces: Workspaces;
  /** A browser signed in to this portal as the person with this СНИЛС (a register record). */
  signIn(snils: string): Promise<HttpBrowser>;
  close(): Promise<void>;
}

const records = await loadFixtures(rpConfig().registerFixtures);

function claimsOf(r: RegisterRecord): Record<string, unknown> {
  return {
    sub: `sub-${r.snils}`,
    family_name: r.lastName,
    given_name: r.firstName,
    middle_name: r.middleName,
    birthdate: r.birthDate,
    snils: r.snils,
    trust_level: 'confirmed',
  };
}

export async function startPortal(overrides: Partial<RpConfig>): Promise<Portal> {
  const dir = await mkdtemp(join(tmpdir(), 'esia-nmo-portal-'));
  const config = rpConfig({ port: 0, dataDir: dir, ...overrides });
  const features = featuresOf(config);
  const workspaces = await Workspaces.open(registerPath(config), {
    seed: async () => ({ records: await loadFixtures(config.registerFixtures) }),
    seeders: features.flatMap((f) => f.seeders ?? []),
  });
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, config.host, resolve));
  const url = `http://localhost:${(server.address() as AddressInfo).port}`;
  /** Who the next sign-in is, by state. */
  const pendingClaims = new Map<string, Record<string, unknown>>();
  let nextPerson: RegisterRecord | undefined;
  let counter = 0;
  let signIns: Promise<unknown> = Promise.resolve();
  const esia = {
    async beginLogin() {
      const state = `state-${++counter}`;
      pendingClaims.set(state, claimsOf(nextPerson!));
      return { url: new URL(`/callback?state=${state}`, url), pending: { state, nonce: 'n', codeVerifier: 'v' } };
    },
    async finishLogin(_query: string, pending: { state: string }) {
      return { claims: pendingClaims.get(pending.state)!, idToken: 'id-token' };
    },
    async logoutUrl() {
      return new URL('/logged-out', url);
    },
  };
  server.on(
    'request',
    createRpApp({ config: { ...config, publicUrl: url }, workspaces, esia: esia as never, features }).callback(),
  );
  return {
    url,
    workspaces,
    signIn(snils) {
      // One at a time: the stand-in learns who signs in from nextPerson, read when /login is served.
      const turn = signIns.then(async () => {
        nextPerson = records.find((r) => r.snils === snils);
        if (!nextPerson) throw new Error(`no register record ${snils}`);
        const browser = new HttpBrowser();
        await browser.goto(`${url}/login`);
        if (browser.screen() !== 'cabinet') throw new Error(`sign-in ended on ${browser.screen()}`);
        return browser;
      });
      signIns = turn.catch(() => undefined);
      return turn;
    },
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await workspaces.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
