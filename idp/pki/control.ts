/*
 * Control routes of the test PKI, mounted by control/router.ts in the run of the call:
 *   GET  /__control/certificates                     every issued certificate with its state in the run
 *        (those generated with the PKI, then those the run's support console re-issued: variant «reissued»)
 *   GET  /__control/certificates/:serial             one, with its PEM and its (test) private key
 *   POST /__control/certificates/:serial/revoke      {reason?} revokes it live in the run: the next
 *        certificate sign-in with it fails, and the run's CRL and OCSP say so
 *   GET  /__control/tls                              which server certificate the HTTPS listener serves
 *   POST /__control/tls {certificate: valid | expired | revoked | wrong-host | untrusted}
 *        switches it from the next handshake on (one listener: not per run; 409 over plain HTTP)
 * Serials are hex as openssl prints them, colons and case ignored.
 */
import type Router from '@koa/router';
import type { Context } from 'koa';
import {
  revocationReasonCodes,
  serverVariants,
  type IssuedCertificate,
  type RevocationReason,
  type ServerVariant,
} from '../../lib/pki/test_pki.ts';
import { ControlError, type ControlHelpers } from '../control/inputs.ts';
import type { Run } from '../runs.ts';
import type { Services } from '../services.ts';

function describe(c: IssuedCertificate, run: Run, s: Services) {
  const revoked = s.pki.revocationOf(c.serial, run.revocations);
  const now = run.clock.now();
  const validity = now > Date.parse(c.notAfter) ? 'expired' : now < Date.parse(c.notBefore) ? 'not-yet-valid' : 'valid';
  return {
    serial: c.serial,
    kind: c.kind,
    ...(c.persona ? { persona: c.persona } : {}),
    ...(c.variant ? { variant: c.variant } : {}),
    subject: c.subject,
    issuer: c.issuer,
    notBefore: c.notBefore,
    notAfter: c.notAfter,
    validity,
    revoked: revoked ? { at: new Date(revoked.revokedAt).toISOString(), reason: revoked.reason } : null,
    ...(c.certificateFile ? { certificateFile: c.certificateFile, keyFile: c.keyFile } : { issuedInRun: run.id }),
  };
}

export const certificateEndpoints = [
  'GET /__control/certificates?persona=&variant=&kind=; GET /__control/certificates/:serial (PEM and test key)',
  'POST /__control/certificates/:serial/revoke {reason?: keyCompromise | superseded | …}',
  'GET|POST /__control/tls {certificate: valid | expired | revoked | wrong-host | untrusted} (HTTPS listener, not per run)',
];

export function certificateControlRoutes(router: Router, s: Services, { runOf, body }: ControlHelpers): void {
  const find = (ctx: Context): IssuedCertificate => {
    const found = s.pki.bySerial(String(ctx.params.serial)) ?? runOf(ctx).issuedCertificate(String(ctx.params.serial));
    if (!found)
      throw new ControlError(
        404,
        'control.unknown_certificate',
        `No certificate with serial ${ctx.params.serial} was issued by the test PKI. GET /__control/certificates lists them.`,
      );
    return found;
  };
  router.get('/certificates', (ctx) => {
    const run = runOf(ctx);
    const { persona, variant, kind } = ctx.query;
    ctx.body = [...s.pki.certificates, ...run.issuedCertificates]
      .filter(
        (c) =>
          (typeof persona !== 'string' || c.persona === persona) &&
          (typeof variant !== 'string' || c.variant === variant) &&
          (typeof kind !== 'string' || c.kind === kind),
      )
      .map((c) => describe(c, run, s));
  });
  router.get('/certificates/:serial', (ctx) => {
    const c = find(ctx);
    ctx.body = {
      ...describe(c, runOf(ctx), s),
      certificatePem: c.certificatePem,
      privateKeyPem: c.privateKeyPem,
      chainPem: s.pki.chainPem,
    };
  });
  router.post('/certificates/:serial/revoke', (ctx) => {
    const c = find(ctx);
    if (c.kind === 'root' || c.kind === 'intermediate' || c.kind === 'untrusted-root') {
      throw new ControlError(
        400,
        'control.bad_certificate',
        `Certificate ${c.serial} is a CA (${c.kind}); only certificates issued by the intermediate can be revoked.`,
      );
    }
    const run = runOf(ctx);
    const b = body(ctx);
    const reason = (b.reason ?? 'keyCompromise') as RevocationReason;
    if (!(reason in revocationReasonCodes)) {
      throw new ControlError(
        400,
        'control.bad_reason',
        `reason must be one of ${Object.keys(revocationReasonCodes).join(', ')}; got ${JSON.stringify(b.reason)}.`,
      );
    }
    run.revocations.revoke(c.serial, run.clock.now(), reason);
    ctx.body = describe(c, run, s);
  });

  const tlsState = () => ({
    https: !!s.tls,
    certificate: s.tls?.variant ?? null,
    serial: s.tls ? s.pki.server(s.tls.variant).serial : null,
  });
  router.get('/tls', (ctx) => {
    ctx.body = tlsState();
  });
  router.post('/tls', (ctx) => {
    const b = body(ctx);
    const variant = serverVariants.find((v) => v === b.certificate);
    if (!variant)
      throw new ControlError(
        400,
        'control.bad_certificate',
        `certificate must be one of ${serverVariants.join(', ')}; got ${JSON.stringify(b.certificate)}.`,
      );
    if (!s.tls)
      throw new ControlError(
        409,
        'control.not_https',
        'The emulator speaks plain HTTP: start it with ESIA_HTTPS=1 (npm start -- --https) to switch its TLS certificate.',
      );
    s.tls.serve(variant as ServerVariant);
    ctx.body = tlsState();
  });
}
