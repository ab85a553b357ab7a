/*
 * How the user signed in, as tokens say it: `amr` values from RFC 8176 and an `acr` per level.
 * Every sign-in path records the factors it checked; the level follows from them.
 *
 *   pwd  password               sms  code by SMS           otp  app code (TOTP)
 *   hwk  key in an authenticator (WebAuthn: biometrics of a phone, or a security key)
 *   fpt / face  the biometric check that unlocked a platform authenticator
 */
export const acrValues = {
  password: 'urn:esia:acr:pwd',
  multiFactor: 'urn:esia:acr:mfa',
  /** Two factors, one of them a WebAuthn key bound to the site (phishing-resistant). */
  keyBound: 'urn:esia:acr:mfa:hwk',
} as const;

/** Factors that are not counted as a factor of their own. */
const notFactors = new Set(['mfa', 'user']);

export function acrFor(amr: readonly string[]): string {
  const factors = amr.filter((m) => !notFactors.has(m));
  if (factors.length < 2) return acrValues.password;
  return factors.includes('hwk') ? acrValues.keyBound : acrValues.multiFactor;
}

/** Adds `mfa` when two or more factors were used, as RFC 8176 suggests. */
export function withMfa(amr: readonly string[]): string[] {
  const factors = [...new Set(amr.filter((m) => m !== 'mfa'))];
  return factors.filter((m) => !notFactors.has(m)).length >= 2 ? [...factors, 'mfa'] : factors;
}
