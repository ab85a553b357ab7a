/*
 * Rules that refuse a way of signing in, shared by the password step, recovery and biometrics: they
 * return the refusal instead of throwing, so each step shows it on its own screen.
 */
import type { Account } from '../domain/account.ts';
import { asksForSignature } from '../domain/assurance.ts';
import { assertClientAllows, assertOrganisationAllows, type SignInMethod } from '../domain/policy.ts';
import { EsiaError } from '../errors/esia_error.ts';
import type { Step } from './step.ts';

/** Refusals of the password itself, before any account is looked at: step-up and client rules. */
export function passwordRefusal(step: Step): EsiaError | undefined {
  if (asksForSignature(step.params.acr_values))
    return new EsiaError('stepup.signature_required', { acr_values: step.params.acr_values });
  try {
    assertClientAllows('password', {
      clientMethods: step.s.esign.clientMethods(step.run, step.journey.clientId),
      clientName: step.clientName,
    });
  } catch (error) {
    if (error instanceof EsiaError) return error;
    throw error;
  }
  return undefined;
}

/** The organisation's rule for a sign-in of this account by `method` (after the password, or the biometric check, was right). */
export function organisationRefusal(
  step: Step,
  account: Account,
  method: SignInMethod = 'password',
): EsiaError | undefined {
  try {
    assertOrganisationAllows(method, step.s.esign.organisationOf(account));
  } catch (error) {
    if (error instanceof EsiaError) return error;
    throw error;
  }
  return undefined;
}
