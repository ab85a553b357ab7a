/* The second factors an account has, and the WebAuthn site (RP ID, origins) of this emulator. */
import type { Account } from '../domain/account.ts';
import type { SecondFactor } from '../views/webauthn.ts';
import { siteOf } from '../webauthn/ceremony.ts';
import type { Step } from './step.ts';

export function availableFactors(account: Account): SecondFactor[] {
  return [
    'sms',
    ...(account.totp ? (['totp'] as const) : []),
    ...((account.credentials ?? []).some((c) => c.kind === 'roaming') ? (['key'] as const) : []),
  ];
}

export function siteFor(step: Step) {
  return siteOf(step.s.config, step.s.provider.issuer, step.s.webauthnSpent);
}
