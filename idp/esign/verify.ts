/*
 * The server's own checks of a signed sign-in challenge (A4, C6), in this order: the challenge
 * (issued by this emulator to this sign-in, unused, younger than 5 minutes by the run's clock; used
 * up by the check), the signature over it with the certificate's key, the certificate
 * (lib/pki checkCertificate: chain to the stand's root, validity at the run's clock, revocation,
 * key usage, a СНИЛС in the subject), then the account by that СНИЛС. Each failure is a named
 * catalogue error; the details (for the journal and developers) say exactly what was wrong.
 */
import { X509Certificate } from 'node:crypto';
import { checkCertificate, type TestPki, verifySignature } from '../../lib/pki/test_pki.ts';
import type { Account } from '../domain/account.ts';
import { EsiaError } from '../errors/esia_error.ts';
import type { Run } from '../runs.ts';

export interface SignedChallenge {
  challenge: string;
  certificatePem: string;
  /** base64 */
  signature: string;
}

/** PEM, or the base64 of the DER as CryptoPro's plugin hands a certificate over. */
export function parseCertificate(pem: string): X509Certificate {
  try {
    return new X509Certificate(pem.includes('-----BEGIN') ? pem : Buffer.from(pem.replace(/\s+/g, ''), 'base64'));
  } catch {
    throw new EsiaError('oauth.invalid_request', {
      field: 'certificate',
      expected: 'an X.509 certificate in PEM',
      actual: pem ? `${pem.length} characters that do not parse` : 'empty',
    });
  }
}

/**
 * The certificate checks of lib/pki, then the account by the certificate's СНИЛС; in a step-up the
 * certificate must belong to the account of the live session.
 */
export function accountOfCertificate(
  pki: TestPki,
  run: Run,
  certificate: X509Certificate | string,
  sessionAccountId?: string,
): Account {
  const checked = checkCertificate(pki, typeof certificate === 'string' ? certificate : certificate.toString(), {
    at: run.clock.now(),
    revocations: run.revocations,
  });
  if (!checked.ok) {
    if (checked.code === 'certificate.malformed')
      throw new EsiaError('oauth.invalid_request', { field: 'certificate', reason: checked.details });
    throw new EsiaError(checked.code, { reason: checked.details, serial: checked.serial });
  }
  const account = run.accounts.find([{ kind: 'snils', value: checked.snils }]);
  if (!account)
    throw new EsiaError('certificate.not_linked', {
      reason: 'no account has the СНИЛС of the certificate',
      snils: checked.snils,
      serial: checked.serial,
    });
  if (sessionAccountId && account.oid !== sessionAccountId) {
    throw new EsiaError('certificate.not_linked', {
      reason: 'step-up: the certificate belongs to another account than the one signed in',
      expected: sessionAccountId,
      actual: account.oid,
      serial: checked.serial,
    });
  }
  return account;
}

/** `spend` marks a challenge used across emulator processes: true for the one signature that wins. */
export async function verifySignedChallenge(
  pki: TestPki,
  spend: (challenge: string) => Promise<boolean>,
  run: Run,
  uid: string,
  input: SignedChallenge,
  sessionAccountId?: string,
): Promise<Account> {
  run.esign.consumeChallenge(input.challenge, uid, run.clock.now());
  // The run's own mark is this process's; this one holds across processes (Redis): one signature wins.
  if (!(await spend(input.challenge)))
    throw new EsiaError('esign.challenge_replayed', {
      reason: 'challenge already presented (to another emulator process)',
    });
  const certificate = parseCertificate(input.certificatePem);
  const signature = Buffer.from(input.signature, 'base64');
  if (signature.length === 0 || !verifySignature(certificate.toString(), input.challenge, signature)) {
    throw new EsiaError('esign.signature_invalid', {
      reason: "the signature does not verify over the challenge with the certificate's public key",
      serial: certificate.serialNumber,
    });
  }
  return accountOfCertificate(pki, run, certificate, sessionAccountId);
}
