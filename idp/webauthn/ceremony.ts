/*
 * WebAuthn ceremonies of the emulator (A3 biometrics, A5 security keys), on @simplewebauthn/server.
 * The emulator checks what makes each failure nameable itself, in this order, before the library
 * checks the signature: the challenge (timed out on the run's clock, replayed, or another sign-in's),
 * the origin, the RP ID hash, the UV flag, the credential (unknown, another account's) and the
 * signature counter (a cloned authenticator). Each is its own catalogue code.
 */
import { createHash } from 'node:crypto';
import type {
  AuthenticationResponseJSON,
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
  RegistrationResponseJSON,
} from '@simplewebauthn/server';
import type { IdpConfig } from '../config/index.ts';
import { fullName, type Account, type StoredCredential } from '../domain/account.ts';
import { EsiaError } from '../errors/esia_error.ts';
import type { Run } from '../runs.ts';
import type { Records } from '../adapters/records.ts';

/** Loaded on the first ceremony: the library and its ASN.1 stack take ~0.4 s to import, most of a cold start. */
let library: Promise<typeof import('@simplewebauthn/server')> | undefined;
const webauthn = () => (library ??= import('@simplewebauthn/server'));

/** biometric: passwordless sign-in (UV required); key: security key after the password; register-*: adding one. */
export type CeremonyPurpose = 'biometric' | 'key' | 'register-platform' | 'register-roaming';

export interface Ceremony {
  purpose: CeremonyPurpose;
  challenge: string;
  /** Run-clock instant after which the answer is refused as timed out. */
  expiresAt: number;
  /** The account whose credential must answer; absent for a discoverable (identifier-less) sign-in. */
  oid?: string;
  options: PublicKeyCredentialRequestOptionsJSON | PublicKeyCredentialCreationOptionsJSON;
}

export interface WebAuthnSite {
  rpId: string;
  rpName: string;
  origins: string[];
  timeoutMs: number;
  /** Answered challenges, across emulator processes on Redis: an answer to one of them again is a replay. */
  spent?: Records<true>;
}

export function siteOf(config: IdpConfig, issuer: string, spent?: Records<true>): WebAuthnSite {
  const w = config.webauthn;
  return {
    rpId: w.rpId,
    rpName: w.rpName,
    origins: w.origins.length ? w.origins : [new URL(issuer).origin],
    timeoutMs: w.timeoutSeconds * 1000,
    ...(spent ? { spent } : {}),
  };
}

/** Marks an answered challenge spent, here and in the shared records: the first answer only goes on. */
async function spend(site: WebAuthnSite, run: Run, challenge: string): Promise<void> {
  spentIn(run).add(challenge);
  if (site.spent && !(await site.spent.spend(`${run.id}:${challenge}`, 2 * site.timeoutMs + 60_000)))
    throw new EsiaError('webauthn.challenge_replayed', { challenge: `${challenge.slice(0, 12)}…` });
}

/** Challenges already answered, per run: an answer to one of them again is a replay. */
const spent = new WeakMap<Run, Set<string>>();
function spentIn(run: Run): Set<string> {
  let set = spent.get(run);
  if (!set) spent.set(run, (set = new Set()));
  if (set.size > 50_000) set.clear();
  return set;
}

/** user.id of an account: its persona key (stable across isolated runs, whose oids differ). */
export function userHandleOf(account: Account): string {
  return Buffer.from(account.persona, 'utf8').toString('base64url');
}

const credentialsOf = (account: Account, kind?: StoredCredential['kind']) =>
  (account.credentials ?? []).filter((c) => !kind || c.kind === kind);

export async function startAuthentication(
  site: WebAuthnSite,
  now: number,
  purpose: 'biometric' | 'key',
  account?: Account,
): Promise<Ceremony> {
  const allowed = account ? credentialsOf(account, purpose === 'key' ? 'roaming' : 'platform') : [];
  const options = await (await webauthn()).generateAuthenticationOptions({
    rpID: site.rpId,
    timeout: site.timeoutMs,
    userVerification: purpose === 'biometric' ? 'required' : 'discouraged',
    allowCredentials: allowed.map((c) => ({ id: c.id, transports: c.transports as never })),
  });
  return {
    purpose,
    challenge: options.challenge,
    expiresAt: now + site.timeoutMs,
    ...(account ? { oid: account.oid } : {}),
    options,
  };
}

export async function startRegistration(
  site: WebAuthnSite,
  now: number,
  account: Account,
  kind: StoredCredential['kind'],
): Promise<Ceremony> {
  const options = await (await webauthn()).generateRegistrationOptions({
    rpName: site.rpName,
    rpID: site.rpId,
    userName: account.phone,
    userDisplayName: fullName(account),
    userID: new Uint8Array(Buffer.from(account.persona, 'utf8')),
    timeout: site.timeoutMs,
    attestationType: 'none',
    excludeCredentials: credentialsOf(account).map((c) => ({ id: c.id, transports: c.transports })),
    authenticatorSelection:
      kind === 'platform'
        ? { authenticatorAttachment: 'platform', residentKey: 'required', userVerification: 'required' }
        : { authenticatorAttachment: 'cross-platform', residentKey: 'discouraged', userVerification: 'discouraged' },
  });
  return {
    purpose: kind === 'platform' ? 'register-platform' : 'register-roaming',
    challenge: options.challenge,
    expiresAt: now + site.timeoutMs,
    oid: account.oid,
    options,
  };
}

/**
 * What the page posts back: the credential as JSON, or the name of the browser's error
 * (NotAllowedError when cancelled, timed out or no key; InvalidStateError when already registered).
 */
export function parseAnswer<T>(responseField: string, errorField: string): T {
  if (errorField) {
    if (errorField === 'InvalidStateError')
      throw new EsiaError('webauthn.already_registered', { browserError: errorField });
    throw new EsiaError('webauthn.cancelled', { browserError: errorField.slice(0, 80) });
  }
  try {
    const value = JSON.parse(responseField) as T & { id?: unknown; response?: unknown };
    if (typeof value.id !== 'string' || typeof value.response !== 'object' || value.response === null)
      throw new Error('no id or response');
    return value;
  } catch (error) {
    throw new EsiaError('webauthn.verification_failed', {
      reason: `the response field is not a PublicKeyCredential as JSON (${(error as Error).message})`,
    });
  }
}

interface ClientData {
  type?: string;
  challenge?: string;
  origin?: string;
}

function clientDataOf(b64: unknown): ClientData {
  try {
    return JSON.parse(Buffer.from(String(b64), 'base64url').toString('utf8')) as ClientData;
  } catch {
    throw new EsiaError('webauthn.verification_failed', { reason: 'clientDataJSON is not base64url JSON' });
  }
}

/** The checks before the signature: not answered before (here or by another process), the ceremony is live, this answer is for it, from our origin. */
async function checkClientData(
  site: WebAuthnSite,
  ceremony: Ceremony | undefined,
  clientData: ClientData,
  run: Run,
  now: number,
): Promise<Ceremony> {
  const challenge = String(clientData.challenge ?? '');
  // A replay sent to another process finds its ceremony gone there too: the shared record says why.
  if (spentIn(run).has(challenge) || (challenge && (await site.spent?.spent(`${run.id}:${challenge}`))))
    throw new EsiaError('webauthn.challenge_replayed', { challenge: `${challenge.slice(0, 12)}…` });
  if (!ceremony)
    throw new EsiaError('webauthn.verification_failed', { reason: 'no WebAuthn ceremony was started in this sign-in' });
  if (challenge !== ceremony.challenge) {
    throw new EsiaError('webauthn.verification_failed', {
      reason: 'the answer signs a challenge this sign-in did not issue',
      expected: `${ceremony.challenge.slice(0, 12)}…`,
      actual: `${challenge.slice(0, 12)}…`,
    });
  }
  if (now > ceremony.expiresAt) {
    throw new EsiaError('webauthn.timed_out', {
      expiredAt: new Date(ceremony.expiresAt).toISOString(),
      now: new Date(now).toISOString(),
    });
  }
  if (!clientData.origin || !site.origins.includes(clientData.origin)) {
    throw new EsiaError('webauthn.wrong_origin', {
      expected: site.origins.join(' or '),
      actual: clientData.origin ?? 'none',
    });
  }
  return ceremony;
}

interface AuthData {
  rpIdHash: Buffer;
  flags: number;
  counter: number;
}

function authDataOf(b64: unknown): AuthData {
  const bytes = Buffer.from(String(b64), 'base64url');
  if (bytes.length < 37)
    throw new EsiaError('webauthn.verification_failed', {
      reason: `authenticatorData is ${bytes.length} bytes, expected at least 37`,
    });
  return { rpIdHash: bytes.subarray(0, 32), flags: bytes[32]!, counter: bytes.readUInt32BE(33) };
}

const flagUserVerified = 0x04;

function checkAuthData(site: WebAuthnSite, data: AuthData, requireUv: boolean): void {
  if (!data.rpIdHash.equals(createHash('sha256').update(site.rpId).digest())) {
    throw new EsiaError('webauthn.wrong_rp_id', {
      expected: `SHA-256 of "${site.rpId}"`,
      actual: `${data.rpIdHash.toString('hex').slice(0, 16)}…`,
    });
  }
  if (requireUv && !(data.flags & flagUserVerified))
    throw new EsiaError('webauthn.user_not_verified', {
      flags: `0x${data.flags.toString(16)}`,
      expected: 'UV bit (0x04) set',
    });
}

export interface Assertion {
  account: Account;
  credential: StoredCredential;
}

/**
 * Checks a sign-in answer and returns the account and credential it proves; updates the credential's
 * counter. `ceremony.oid` set: the credential must be that account's (else foreign_credential).
 */
export async function finishAuthentication(
  site: WebAuthnSite,
  ceremony: Ceremony | undefined,
  answer: AuthenticationResponseJSON,
  run: Run,
  now: number,
): Promise<Assertion> {
  const live = await checkClientData(site, ceremony, clientDataOf(answer.response?.clientDataJSON), run, now);
  await spend(site, run, live.challenge);
  const requireUv = live.purpose === 'biometric';
  const data = authDataOf(answer.response.authenticatorData);
  checkAuthData(site, data, requireUv);
  const owner = run.accounts.all().find((a) => credentialsOf(a).some((c) => c.id === answer.id));
  if (!owner) throw new EsiaError('webauthn.unknown_credential', { credentialId: `${answer.id.slice(0, 16)}…` });
  if (live.oid && owner.oid !== live.oid)
    throw new EsiaError('webauthn.foreign_credential', { expectedAccount: live.oid, credentialOf: owner.oid });
  const handle = answer.response.userHandle;
  if (handle && handle !== userHandleOf(owner))
    throw new EsiaError('webauthn.foreign_credential', {
      reason: 'userHandle names another account',
      credentialOf: owner.oid,
    });
  const credential = credentialsOf(owner).find((c) => c.id === answer.id)!;
  if ((data.counter !== 0 || credential.counter !== 0) && data.counter <= credential.counter) {
    throw new EsiaError('webauthn.counter_regressed', { stored: credential.counter, presented: data.counter });
  }
  let verified = false;
  try {
    const result = await (await webauthn()).verifyAuthenticationResponse({
      response: answer,
      expectedChallenge: live.challenge,
      expectedOrigin: site.origins,
      expectedRPID: site.rpId,
      requireUserVerification: requireUv,
      credential: {
        id: credential.id,
        publicKey: new Uint8Array(Buffer.from(credential.publicKey, 'base64url')),
        counter: credential.counter,
      },
    });
    verified = result.verified;
  } catch (error) {
    throw new EsiaError('webauthn.verification_failed', { reason: (error as Error).message });
  }
  if (!verified)
    throw new EsiaError('webauthn.verification_failed', {
      reason: 'signature does not verify with the registered public key',
    });
  credential.counter = data.counter;
  credential.lastUsedAt = new Date(now).toISOString();
  run.accounts.changed();
  return { account: owner, credential };
}

/** Checks a registration answer and returns the credential to store (not yet stored). */
export async function finishRegistration(
  site: WebAuthnSite,
  ceremony: Ceremony | undefined,
  answer: RegistrationResponseJSON,
  run: Run,
  now: number,
  naming: { name: string; biometric?: 'fpt' | 'face' },
): Promise<StoredCredential> {
  const live = await checkClientData(site, ceremony, clientDataOf(answer.response?.clientDataJSON), run, now);
  await spend(site, run, live.challenge);
  const platform = live.purpose === 'register-platform';
  let result: Awaited<ReturnType<Awaited<ReturnType<typeof webauthn>>['verifyRegistrationResponse']>>;
  try {
    result = await (await webauthn()).verifyRegistrationResponse({
      response: answer,
      expectedChallenge: live.challenge,
      expectedOrigin: site.origins,
      expectedRPID: site.rpId,
      requireUserVerification: platform,
    });
  } catch (error) {
    const message = (error as Error).message;
    if (/user could not be verified/i.test(message))
      throw new EsiaError('webauthn.user_not_verified', { reason: message });
    if (/RP ID/i.test(message)) throw new EsiaError('webauthn.wrong_rp_id', { reason: message });
    throw new EsiaError('webauthn.verification_failed', { reason: message });
  }
  if (!result.verified) throw new EsiaError('webauthn.verification_failed', { reason: 'registration did not verify' });
  const { credential } = result.registrationInfo;
  if (run.accounts.all().some((a) => credentialsOf(a).some((c) => c.id === credential.id))) {
    throw new EsiaError('webauthn.already_registered', { credentialId: `${credential.id.slice(0, 16)}…` });
  }
  return {
    id: credential.id,
    publicKey: Buffer.from(credential.publicKey).toString('base64url'),
    counter: credential.counter,
    kind: platform ? 'platform' : 'roaming',
    ...(platform ? { biometric: naming.biometric ?? 'fpt' } : {}),
    ...(credential.transports?.length ? { transports: credential.transports } : {}),
    name: naming.name,
    createdAt: new Date(now).toISOString(),
    lastUsedAt: null,
  };
}

/** RFC 8176 amr values of a WebAuthn factor: the key, and for biometrics how the user was verified. */
export function amrOf(credential: StoredCredential, purpose: CeremonyPurpose): string[] {
  return purpose === 'biometric' ? ['hwk', credential.biometric ?? 'fpt'] : ['hwk'];
}
