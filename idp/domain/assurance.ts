/*
 * How the user signed in, as tokens say it: `amr` values from RFC 8176 and an `acr` per level.
 * Every sign-in path records the factors it checked; the level follows from them.
 *
 *   pwd  password               sms  code by SMS           otp  app code (TOTP)
 *   hwk  key in an authenticator (WebAuthn: biometrics of a phone, or a security key)
 *   fpt / face  the biometric check that unlocked a platform authenticator
 * Electronic signature (A4, A5): a certificate whose key signed the server's challenge is `sc`
 * (RFC 8176 "smart card": proof of possession of a key on a token — the stand-in plugin's virtual
 * token, or the key behind a TLS client certificate); when the token checked a PIN it adds `pin`.
 * Any `sc` sign-in is at the signature level `urn:esia:acr:signature`, the level a relying party
 * asks for with acr_values before a legally significant action (A8).
 */
export const acrValues = {
  password: 'urn:esia:acr:pwd',
  multiFactor: 'urn:esia:acr:mfa',
  signature: 'urn:esia:acr:signature',
  /** Two factors, one of them a WebAuthn key bound to the site (phishing-resistant). */
  keyBound: 'urn:esia:acr:mfa:hwk',
} as const;

/** The amr of a proof by a certificate's key. */
export const signatureAmr = 'sc';

/** Factors that are not counted as a factor of their own. */
const notFactors = new Set(['mfa', 'user']);

export function acrFor(amr: readonly string[]): string {
  if (amr.includes(signatureAmr)) return acrValues.signature;
  const factors = amr.filter((m) => !notFactors.has(m));
  if (factors.length < 2) return acrValues.password;
  return factors.includes('hwk') ? acrValues.keyBound : acrValues.multiFactor;
}

/** Whether acr_values (space-separated) ask for the signature level. */
export function asksForSignature(acrValuesParam: unknown): boolean {
  return typeof acrValuesParam === 'string' && acrValuesParam.split(' ').includes(acrValues.signature);
}

/** Adds `mfa` when two or more factors were used, as RFC 8176 suggests. */
export function withMfa(amr: readonly string[]): string[] {
  const factors = [...new Set(amr.filter((m) => m !== 'mfa'))];
  return factors.filter((m) => !notFactors.has(m)).length >= 2 ? [...factors, 'mfa'] : factors;
}
