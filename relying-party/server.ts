/*
 * Starts one relying party: opens its data file (the main run's), listens, and wires the app. The IdP is not
 * contacted here (discovery happens on the first login), so the RP may start before the emulator.
 */
import { createServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { createRpApp } from './app.ts';
import { registerPath, type RpConfig } from './config.ts';
import { EsiaProtocolClient } from './esia/client.ts';
import { OidcClient } from './oidc_client.ts';
import { loadFixtures } from './register.ts';
import { Workspaces } from './workspaces.ts';
import { featuresOf } from './features.ts';
import { backChannelFetch } from './tls_fetch.ts';
import { Postman } from './postman.ts';
import { ReferenceJournal } from './reference_journal.ts';

export interface RunningRp {
  /** Origin the browser should use, with the real port when config.port was 0. */
  url: string;
  close(): Promise<void>;
}

export async function startRp(config: RpConfig): Promise<RunningRp> {
  const features = featuresOf(config);
  // Notifications by e-mail (G6); a failed delivery is logged whatever RP_LOG says: a lost e-mail should be seen.
  const postman = new Postman(
    config.smtpUrl,
    { name: config.title, address: `no-reply@${config.clientId.toLowerCase()}.stand.test` },
    (entry) => console.error(JSON.stringify({ t: new Date().toISOString(), rp: config.clientId, ...entry })),
  );
  const workspaces = await Workspaces.open(registerPath(config), {
    seed: async () => ({ records: await loadFixtures(config.registerFixtures) }),
    seeders: features.flatMap((f) => f.seeders ?? []),
    postman,
  });
  for (const feature of features) if (feature.onReset) workspaces.onReset(feature.onReset);
  const server = config.tls
    ? createHttpsServer({ key: config.tls.key, cert: config.tls.cert, minVersion: 'TLSv1.3' })
    : createServer();
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.port, config.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (err) {
    await workspaces.close();
    throw err;
  }
  const { port } = server.address() as AddressInfo;
  const publicUrl = config.publicUrl || `${config.tls ? 'https' : 'http'}://localhost:${port}`;
  postman.origin = publicUrl;
  const fetch = config.idpTrust ? backChannelFetch(config.idpTrust) : undefined;
  const references = new ReferenceJournal(config, fetch);
  const esia = config.esia
    ? new EsiaProtocolClient({
        base: config.idpIssuer,
        clientId: config.clientId,
        redirectUri: `${publicUrl}/callback`,
        postLogoutRedirectUri: `${publicUrl}/logged-out`,
        ...config.esia,
        ...(fetch ? { fetch } : {}),
      })
    : new OidcClient({
        issuer: config.idpIssuer,
        clientId: config.clientId,
        clientSecret: config.clientSecret,
        redirectUri: `${publicUrl}/callback`,
        postLogoutRedirectUri: `${publicUrl}/logged-out`,
        ...(fetch ? { fetch } : {}),
        ...(config.discoveryCacheMs !== undefined ? { discoveryCacheMs: config.discoveryCacheMs } : {}),
      });
  server.on(
    'request',
    createRpApp({ config: { ...config, publicUrl }, workspaces, esia, features, references }).callback(),
  );
  if (config.log) console.error(`[rp:${config.clientId}] listening on ${config.host}:${port}, open ${publicUrl}`);

  let closing: Promise<void> | undefined;
  return {
    url: publicUrl,
    close() {
      closing ??= (async () => {
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections(); // keep-alive sockets would hold close() open
        });
        await postman.close();
        await workspaces.close();
      })();
      return closing;
    },
  };
}
