/**
 * GOST cryptography for the ESIA emulator, pure TypeScript (no OpenSSL needed at run time):
 * Streebog hashes, GOST R 34.10-2012 (256) keys and signatures, GOST certificates (read and issue),
 * CMS SignedData (verify any, sign GOST), ESIA `client_secret` and GOST-signed JWT helpers.
 * Interoperability with OpenSSL's gost engine is proven in test/gost/.
 */
export { Streebog, streebog256, streebog512 } from './streebog.ts';
export { DEFAULT_PARAM_SET, findParamSet, getParamSet, OID, PARAM_SET_OIDS } from './params.ts';
export type { GostParamSet } from './params.ts';
export {
  decodeSignature,
  encodeSignature,
  generateGostKeyPair,
  gostSign,
  gostSignDigest,
  gostVerify,
  gostVerifyAnyLayout,
  gostVerifyDigest,
  privateKeyFromBytes,
  privateKeyToBytes,
  publicKeyFromBytes,
  publicKeyFromPrivate,
  publicKeyToBytes,
  SIGNATURE_LAYOUTS,
} from './gost3410.ts';
export type {
  GostKeyPair,
  GostPrivateKey,
  GostPublicKey,
  SignatureLayout,
  SignOptions,
  VerifyOptions,
} from './gost3410.ts';
export {
  exportPrivateKeyDer,
  exportPrivateKeyPem,
  exportPublicKeyDer,
  exportPublicKeyPem,
  importKeyPair,
  importPrivateKey,
  importPublicKey,
} from './keys.ts';
export {
  certificateHashMatches,
  certificateToPem,
  clientCertificateHash,
  formatName,
  isWithinValidity,
  NAME_ATTRIBUTES,
  parseCertificate,
  verifyCertificateSignature,
} from './certificate.ts';
export type { NameAttribute, ParsedCertificate } from './certificate.ts';
export { createGostCertificate, createSelfSignedGostCertificate, encodeName } from './certificate_builder.ts';
export type { CertificateOptions, IssuedCertificate, NameInput } from './certificate_builder.ts';
export { signGostCms, verifyCmsSignedData } from './cms.ts';
export type { CmsVerifyOptions, CmsVerifyResult, GostCmsSignOptions } from './cms.ts';
export { signCmsClientSecret, signRawClientSecret, verifyRawClientSecret } from './client_secret.ts';
export type { RawClientSecretResult } from './client_secret.ts';
export { GOST_JWT_ALG, signGostJwt, verifyGostJwt } from './jwt.ts';
export type { GostJwtVerifyResult } from './jwt.ts';
export { decodeBase64Loose, encodeBase64Url, fromHex, pemOrDer, toHex, toPem } from './bytes.ts';
