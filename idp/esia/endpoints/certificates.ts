/* GET /public/esia-rsa.cer.pem, /public/esia-gost.cer.pem: the certificates that verify the face's tokens. */
import type { Endpoint } from '../face.ts';

export const signingCertificate =
  (alg: 'rsa' | 'gost'): Endpoint =>
  (ctx, e) => {
    ctx.type = 'application/x-pem-file';
    ctx.attachment(`esia-${alg}.cer.pem`);
    ctx.body = e.tokens.keys[alg].certificatePem;
  };
