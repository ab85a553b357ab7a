/*
 * The test PKI's public face: CA certificates, the intermediate's CRL and its OCSP
 * responder, at the URLs the issued certificates name in their CDP and AIA extensions.
 *
 *   GET  /pki/root.crt, /pki/intermediate.crt   DER (application/pkix-cert), as AIA caIssuers expects
 *   GET  /pki/root.pem, /pki/intermediate.pem   the same in PEM (to trust by hand)
 *   GET  /pki/intermediate.crl                  DER CRL (application/pkix-crl); /pki/intermediate.crl.pem in PEM
 *   POST /pki/ocsp                              RFC 6960 (application/ocsp-request → application/ocsp-response)
 *   GET  /pki/ocsp/<base64 of the DER request>  the GET form of RFC 6960 appendix A
 *
 * They describe the main run (its revocations, its clock) unless `?run=<id>` names another run,
 * so an isolated run can check its own revocations too.
 */
import Router from '@koa/router';
import type { Context } from 'koa';
import { decodeComponent } from '../../lib/http/decode.ts';
import { readUpTo } from '../../lib/http/form.ts';
import { buildCrl, answerOcsp } from '../../lib/pki/revocation.ts';
import { toDer, toPem } from '../../lib/pki/x509.ts';
import { ControlError } from '../control/inputs.ts';
import type { Run } from '../runs.ts';
import type { Services } from '../services.ts';

const maxOcspRequest = 16 * 1024;

async function rawBody(ctx: Context): Promise<Uint8Array> {
  const chunks = await readUpTo(ctx.req, maxOcspRequest);
  if (!chunks) {
    ctx.set('Connection', 'close');
    throw new ControlError(
      413,
      'pki.request_too_large',
      `An OCSP request over ${maxOcspRequest} bytes is not an OCSP request.`,
    );
  }
  return new Uint8Array(Buffer.concat(chunks));
}

export function pkiRoutes(s: Services): Router {
  const router = new Router({ prefix: '/pki' });
  const runOf = (ctx: Context): Run => {
    const id = typeof ctx.query.run === 'string' && ctx.query.run ? ctx.query.run : undefined;
    const run = s.runs.get(id);
    if (!run)
      throw new ControlError(
        404,
        'pki.unknown_run',
        `No run "${id}": the CRL and OCSP answer for the main run, or for ?run=<id> of a live run.`,
      );
    ctx.state.run = run;
    return run;
  };
  const cert = (ctx: Context, pem: string, format: 'der' | 'pem') => {
    ctx.set('Cache-Control', 'public, max-age=300');
    if (format === 'pem') {
      ctx.type = 'application/x-pem-file';
      ctx.body = pem;
    } else {
      ctx.type = 'application/pkix-cert';
      ctx.body = Buffer.from(toDer(pem));
    }
  };
  router.get('/root.crt', (ctx) => cert(ctx, s.pki.root.certificatePem, 'der'));
  router.get('/root.pem', (ctx) => cert(ctx, s.pki.root.certificatePem, 'pem'));
  router.get('/intermediate.crt', (ctx) => cert(ctx, s.pki.intermediate.certificatePem, 'der'));
  router.get('/intermediate.pem', (ctx) => cert(ctx, s.pki.intermediate.certificatePem, 'pem'));
  router.get(['/intermediate.crl', '/intermediate.crl.pem'], async (ctx) => {
    const run = runOf(ctx);
    const der = await buildCrl(s.pki, run.revocations, run.clock.now());
    ctx.set('Cache-Control', 'no-store');
    if (ctx.path.endsWith('.pem')) {
      ctx.type = 'application/x-pem-file';
      ctx.body = toPem(der, 'X509 CRL');
    } else {
      ctx.type = 'application/pkix-crl';
      ctx.body = Buffer.from(der);
    }
  });
  const ocsp = async (ctx: Context, request: Uint8Array) => {
    const run = runOf(ctx);
    ctx.state.audit.action = 'pki ocsp';
    ctx.set('Cache-Control', 'no-store');
    ctx.type = 'application/ocsp-response';
    ctx.body = Buffer.from(
      await answerOcsp(s.pki, request, {
        at: run.clock.now(),
        revocations: run.revocations,
        alsoIssued: (serial) => !!run.issuedCertificate(serial),
      }),
    );
  };
  router.post('/ocsp', async (ctx) => ocsp(ctx, await rawBody(ctx)));
  router.get('/ocsp/:request', async (ctx) => {
    // Not percent-decodable: no OCSPRequest can be in it, so the answer is RFC 6960's malformedRequest, as for any bad bytes.
    const b64 = (decodeComponent(String(ctx.params.request)) ?? '').replace(/-/g, '+').replace(/_/g, '/');
    await ocsp(ctx, new Uint8Array(Buffer.from(b64, 'base64')));
  });
  return router;
}
