/*
 * Signing and verifying the sign-in challenge with a certificate's key. RSA (PKCS#1 v1.5, SHA-256)
 * and ECDSA (SHA-256) through node:crypto; the signature is over the challenge's UTF-8 bytes.
 */
import { createPrivateKey, sign, verify, type X509Certificate } from 'node:crypto';

export function signWithKey(keyPem: string, data: Buffer): Buffer {
  const key = createPrivateKey(keyPem);
  return sign(key.asymmetricKeyType === 'ed25519' || key.asymmetricKeyType === 'ed448' ? null : 'sha256', data, key);
}

export function verifyWithCertificate(certificate: X509Certificate, data: Buffer, signature: Buffer): boolean {
  const key = certificate.publicKey;
  try {
    return verify(
      key.asymmetricKeyType === 'ed25519' || key.asymmetricKeyType === 'ed448' ? null : 'sha256',
      data,
      key,
      signature,
    );
  } catch {
    return false;
  }
}
