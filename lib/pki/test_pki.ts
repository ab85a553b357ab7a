/*
 * The test PKI of the stand: a root CA, an intermediate CA that issues everything, and a
 * separate «untrusted» root; certificates for the personas shaped like Russian qualified
 * certificates (CN=ФИО, SN, G, C=RU, СНИЛС 1.2.643.100.3, ИНН 1.2.643.3.131.1.1, all ECDSA P-256 /
 * SHA-256), and HTTPS server certificates. Everything is generated into <keysDir>/pki/ (git ignores
 * keys/local) on first use and reused afterwards; it is regenerated when the persona list changes
 * or a «valid» certificate has less than 30 days left.
 *
 * API (stable — the certificate sign-in builds on it):
 *   loadTestPki(keysDir, { personas?, origin? }) → TestPki   creates on first call, reuses after
 *   pki.root / pki.intermediate / pki.untrustedRoot          { certificatePem, privateKeyPem, ... }
 *   pki.certificateFor(persona, variant) → IssuedCertificate  variant ∈ personVariants;
 *       persona = a `persona` key of config/personas.json, or `orphanPersona` ('nobody', valid only:
 *       a correct certificate whose СНИЛС belongs to no account)
 *   pki.server(variant) → IssuedCertificate                   variant ∈ serverVariants
 *   pki.certificates (all issued, with serial/kind/persona/variant/files), pki.bySerial(serial)
 *   pki.chainPem → intermediate + root PEMs (what a TLS server or a signer sends along)
 *   issuePersonCertificate(pki, person, { at, days? }) → IssuedCertificate: a NEW valid certificate
 *       from the intermediate at run time (in memory; the caller keeps it in its run)
 *   checkCertificate(pki, pem | base64 DER | DER bytes, { at, revocations? }) →
 *       { ok: true, serial, snils, inn, name, persona? } | { ok: false, code, details, serial? }
 *     checks in this order: parses → chains to our root via our intermediate (else
 *     certificate.untrusted) → valid at `at` (run.clock.now(); certificate.expired /
 *     certificate.not_yet_valid) → not revoked (the «revoked» variants are revoked from generation
 *     on, in every run; plus the run's own `Revocations`; certificate.revoked) → key usage has
 *     digitalSignature or nonRepudiation (certificate.key_usage) → subject has a СНИЛС
 *     (certificate.not_linked). Matching the СНИЛС to an account is the caller's job; when no
 *     account has it, raise certificate.not_linked too.
 *   new Revocations() — a run's live revocations (idp/runs.ts gives every Run one: run.revocations);
 *     revoke(serial, at, reason?), has(serial), list(), clear().
 *   verifySignature(certPem, data, signature) → boolean: ECDSA P-256 with SHA-256 over `data`;
 *     the signature may be IEEE P1363 (r‖s, 64 bytes, what WebCrypto's subtle.sign produces) or DER
 *     (what openssl/Node's crypto.sign produce by default) — both are accepted.
 *
 * Validity. G = the generation instant (manifest.generatedAt), A = scenarioAnchor (2026-11-25T09:00Z,
 * the scenarios' default clock), E = min(G, A), L = max(G, A) — so every variant means the same at
 * the scenarios' clock and at the real time:
 *   CAs: E−1 day … G+10 years (root), G+5 years (intermediate, untrusted root)
 *   valid / revoked / wrong-key-usage / untrusted / orphan: E−1 day … L+365 days
 *   expired: E−400 days … E−30 days;  not-yet-valid: L+30 days … L+395 days
 *   (the «revoked» ones are revoked at E)
 *   server valid / revoked / wrong-host / untrusted (issued by the untrusted root): G−1 day … G+397
 *   days;  server expired: G−60 … G−30 days
 * Server certificates follow real time only (TLS checks them against it; browsers refuse spans over
 * 398 days). Moving a run's clock past L+365 days makes every «valid» persona certificate expired,
 * and past L+30 days makes «not-yet-valid» valid.
 *
 * GOST: certificateFor(persona, 'gost') is a GOST R 34.10-2012 (256) certificate from a separate
 * GOST test CA (pki.gostRoot); checkCertificate and verifySignature handle it too (any signature
 * layout); the CRL and OCSP answer for the ECDSA intermediate only, live revocation works for both.
 *
 * Error codes: the certificate.* constants (`certificateErrorCodes`) are what checkCertificate
 * returns. The PKI only defines them; their entries in the emulator's error catalogue (Russian
 * texts, support texts) come with the certificate sign-in that raises them.
 *
 * This module is the API; each concern has its file: certificates.ts (the loaded PKI, TestPki),
 * certificate_check.ts (validation), revocation_state.ts (live revocations), persons.ts (persona
 * certificate subjects, run-time issuing), generate.ts (generation), pki_folder.ts (the folder on
 * disk, under the lock of lib/store). revocation.ts (CRL, OCSP) and x509.ts build on them.
 */
export {
  gostVariant,
  type IssuedCertificate,
  type PersonCertificateVariant,
  personVariants,
  type PersonVariant,
  serverVariants,
  type ServerVariant,
  TestPki,
} from './certificates.ts';
export {
  type CertificateCheck,
  certificateErrorCodes,
  type CertificateErrorCode,
  checkCertificate,
  formatSnils,
  verifySignature,
} from './certificate_check.ts';
export { scenarioAnchor } from './generate.ts';
export { orphanPersona } from './certificates.ts';
export { issuePersonCertificate, type PersonaSubject, readPersonaSubjects, signingKeyOf } from './persons.ts';
export { loadTestPki } from './pki_folder.ts';
export {
  normaliseSerial,
  type RevocationEntry,
  type RevocationReason,
  revocationReasonCodes,
  Revocations,
} from './revocation_state.ts';
