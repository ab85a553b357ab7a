/*
 * The account as the emulator stores it, and the checks that decide whether it may sign in
 * (B1–B3, C4). Pure: no I/O.
 */
import { EsiaError } from '../errors/esia_error.ts';

export type TrustLevel = 'simplified' | 'standard' | 'confirmed';
export type AccountStatus = 'active' | 'inactive' | 'restricted';

export interface Account {
  /** ESIA object id (oid): numeric, stable; the OIDC `sub`. */
  oid: string;
  /** Short Latin key of the persona, e.g. `ivanov`. */
  persona: string;
  lastName: string;
  firstName: string;
  middleName: string;
  gender: 'male' | 'female';
  birthDate: string;
  /** 123-456-789 01 */
  snils: string;
  /** 12 digits. */
  inn: string;
  /** +79001234567 */
  phone: string;
  phoneConfirmed: boolean;
  /** lower case */
  email: string;
  emailConfirmed: boolean;
  trust: TrustLevel;
  status: AccountStatus;
  /** scrypt$N$r$p$salt$hash */
  passwordHash: string;
  /** Hashes of the last passwords, newest first, the current one excluded. */
  previousPasswordHashes: string[];
  passwordChangedAt: string;
  passwordMustChange: boolean;
  failedAttempts: number;
  lockedAt: string | null;
  agreementAcceptedAt: string | null;
  lastSignInAt: string | null;
  /** Set while the password is a temporary one from support (D2): it stops working after this instant. */
  temporaryPasswordExpiresAt?: string | null;
  /** Support's notes on the account, oldest first (E2). */
  notes?: Array<{ at: string; by: string; text: string }>;
  /** WebAuthn credentials (A3, A5): biometrics of a phone or computer, and security keys. */
  credentials?: StoredCredential[];
  /** The app-code secret (A2, TOTP), once enrolled. */
  totp?: TotpEnrolment | null;
  /** What this persona demonstrates, for the personas table. */
  demonstrates: string;
  /** Catalogue IDs the persona is made for. */
  catalogue: string[];
  /** Electronic signature (A4, A5): this persona's certificate of this variant is on the stand's virtual token after every reset. */
  esignToken?: 'valid' | 'expired' | 'not-yet-valid' | 'revoked' | 'untrusted' | 'wrong-key-usage';
}

/** A WebAuthn credential bound to the account: its public key and what it was last seen to count. */
export interface StoredCredential {
  /** Credential id, base64url. */
  id: string;
  /** COSE public key, base64url. */
  publicKey: string;
  /** Signature counter of the last accepted use (a lower one later means a cloned authenticator). */
  counter: number;
  /** platform: the device's own biometrics (A3); roaming: a security key (A5). */
  kind: 'platform' | 'roaming';
  /** How the user is verified on a platform authenticator, as an RFC 8176 amr value. */
  biometric?: 'fpt' | 'face';
  transports?: string[];
  /** The user's name for it («Телефон», «Ключ на связке»). */
  name: string;
  createdAt: string;
  lastUsedAt: string | null;
}

/** App codes (TOTP, RFC 6238): the shared secret and the last time step accepted (a code is single use). */
export interface TotpEnrolment {
  /** base32 */
  secret: string;
  enrolledAt: string;
  lastStep: number | null;
}

/** Refuses an account that may not sign in even with the right password, naming why (B1–B3, C4). */
export function assertMaySignIn(account: Account): void {
  if (account.status === 'inactive') throw new EsiaError('account.inactive', { actual: 'status=inactive' });
  if (account.status === 'restricted') throw new EsiaError('account.restricted', { actual: 'status=restricted' });
  if (!account.phoneConfirmed)
    throw new EsiaError('account.phone_unconfirmed', { actual: `phone ${maskPhone(account.phone)} unconfirmed` });
  if (!account.emailConfirmed)
    throw new EsiaError('account.email_unconfirmed', { actual: `e-mail ${maskEmail(account.email)} unconfirmed` });
}

export function fullName(account: Pick<Account, 'lastName' | 'firstName' | 'middleName'>): string {
  return [account.lastName, account.firstName, account.middleName].filter(Boolean).join(' ');
}

/** +7 900 ***-**-01: enough for the user to recognise the number, not enough to leak it. */
export function maskPhone(phone: string): string {
  return `${phone.slice(0, 2)} ${phone.slice(2, 5)} ***-**-${phone.slice(-2)}`;
}

export function maskEmail(email: string): string {
  const [name = '', domain = ''] = email.split('@');
  return `${name.slice(0, 2)}***@${domain}`;
}
