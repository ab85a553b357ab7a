/*
 * How the user signed in, as tokens say it: `amr` values from RFC 8176 and an `acr` per level.
 * Every sign-in path records the factors it checked; the level follows from them.
 */
export const acrValues = {
  password: 'urn:esia:acr:pwd',
  multiFactor: 'urn:esia:acr:mfa',
} as const;

export function acrFor(amr: readonly string[]): string {
  const factors = amr.filter((m) => m !== 'mfa');
  return factors.length >= 2 ? acrValues.multiFactor : acrValues.password;
}

/** Adds `mfa` when two or more factors were used, as RFC 8176 suggests. */
export function withMfa(amr: readonly string[]): string[] {
  const factors = [...new Set(amr.filter((m) => m !== 'mfa'))];
  return factors.length >= 2 ? [...factors, 'mfa'] : factors;
}
