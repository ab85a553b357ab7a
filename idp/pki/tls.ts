/*
 * The emulator's HTTPS listener (C6/F2): TLS 1.3 only, a server certificate from the test
 * PKI, and a switch that makes it serve a broken certificate live — expired, revoked, for another
 * host, or from an untrusted root — so relying parties and browsers show their certificate errors.
 * The listener staples an OCSP answer for its certificate (the main run's revocations, the main run's
 * clock) to every client that asks (status_request), so a client can see a revoked certificate
 * without another connection. The switch is one per listener, not per run: scenarios that use it
 * set it first (POST /__control/tls) and the stand runs them one at a time.
 */
import { createServer, type Server } from 'node:https';
import type { SecureContextOptions } from 'node:tls';
import { answerOcsp, ocspRequestFor } from '../../lib/pki/revocation.ts';
import { serverVariants, type ServerVariant, type TestPki } from '../../lib/pki/test_pki.ts';
import { toPem } from '../../lib/pki/x509.ts';
import type { Run } from '../runs.ts';

export class TlsEndpoint {
  #variant: ServerVariant = 'valid';
  #server: Server | undefined;
  /** The run whose revocations and clock the stapled OCSP answers describe (the main run, once the emulator is built). */
  main: Run | undefined;

  constructor(readonly pki: TestPki) {}

  get variant(): ServerVariant {
    return this.#variant;
  }

  context(variant: ServerVariant): SecureContextOptions {
    const server = this.pki.server(variant);
    return { key: server.privateKeyPem, cert: this.pki.serverCertificateChain(variant), minVersion: 'TLSv1.3' };
  }

  /** An HTTPS server with the valid certificate, OCSP stapling on. */
  createServer(handler: Parameters<typeof createServer>[1]): Server {
    const server = createServer({ ...this.context('valid') }, handler);
    server.on(
      'OCSPRequest',
      (certificate: Buffer, issuer: Buffer, done: (error: Error | null, response?: Buffer) => void) => {
        if (!issuer?.length || !this.main) return done(null); // the untrusted variant has no issuer we answer for
        const request = ocspRequestFor(toPem(certificate, 'CERTIFICATE'), toPem(issuer, 'CERTIFICATE'));
        answerOcsp(this.pki, request, { at: this.main.clock.now(), revocations: this.main.revocations }).then(
          (answer) => done(null, Buffer.from(answer)),
          (error: Error) => done(error),
        );
      },
    );
    this.#server = server;
    return server;
  }

  /** Serves `variant` from the next handshake on (connections already open keep theirs). */
  serve(variant: ServerVariant): void {
    if (!serverVariants.includes(variant))
      throw new Error(`Unknown server certificate "${variant}"; expected one of ${serverVariants.join(', ')}.`);
    this.#server?.setSecureContext(this.context(variant));
    this.#variant = variant;
  }
}

/** A client's http://localhost redirect URIs, each also in https (for `npm start -- --https`). */
export function withHttpsTwins<
  T extends { redirect_uris?: readonly string[]; post_logout_redirect_uris?: readonly string[] },
>(client: T): T {
  const twins = (uris: readonly string[] | undefined) =>
    uris && [
      ...uris,
      ...uris.filter((u) => u.startsWith('http://localhost:')).map((u) => `https://${u.slice('http://'.length)}`),
    ];
  return {
    ...client,
    ...(client.redirect_uris ? { redirect_uris: twins(client.redirect_uris) } : {}),
    ...(client.post_logout_redirect_uris ? { post_logout_redirect_uris: twins(client.post_logout_redirect_uris) } : {}),
  };
}
