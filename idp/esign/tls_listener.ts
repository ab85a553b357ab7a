/*
 * Mutual TLS sign-in (A4, C6): a separate HTTPS listener (TLS 1.3, the test PKI's server
 * certificate) that asks every client for a certificate — requestCert, but not
 * rejectUnauthorized, so a missing, expired, revoked or foreign certificate reaches the sign-in
 * step (/interaction/:uid/certificate/tls), which names the failure on a screen instead of the
 * connection just breaking. A listener of its own, because a browser holding client certificates
 * would otherwise be asked to pick one on every page of the emulator. Cookies are scoped by host,
 * not port, so the sign-in in progress is found here too.
 */
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TestPki } from '../../lib/pki/test_pki.ts';

export interface MutualTlsListener {
  /** https://localhost:<port> */
  origin: string;
  close(): Promise<void>;
}

export async function startMutualTlsListener(
  pki: TestPki,
  handler: (req: IncomingMessage, res: ServerResponse) => void,
  options: { host: string; port: number },
): Promise<MutualTlsListener> {
  const server: Server = createServer(
    {
      key: pki.server('valid').privateKeyPem,
      cert: `${pki.server('valid').certificatePem.trim()}\n${pki.chainPem.trim()}\n`,
      minVersion: 'TLSv1.3',
      requestCert: true,
      rejectUnauthorized: false,
      // The CA names a client is told to choose a certificate from.
      ca: [pki.root.certificatePem, pki.intermediate.certificatePem],
    },
    handler,
  );
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(options.port, options.host, () => ok());
  });
  const { port } = server.address() as AddressInfo;
  return {
    origin: `https://localhost:${port}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((ok) => server.close(() => ok()));
    },
  };
}
