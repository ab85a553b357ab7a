/*
 * Revocation state of the test PKI: the live revocations of one run (idp/runs.ts gives every Run its
 * own; the main run's are what the CRL and OCSP publish), and the serial format they are keyed by.
 */

export interface RevocationEntry {
  serial: string;
  /** Epoch ms. */
  revokedAt: number;
  reason: RevocationReason;
}
/** RFC 5280 CRLReason names we use. */
export type RevocationReason =
  | 'unspecified'
  | 'keyCompromise'
  | 'affiliationChanged'
  | 'superseded'
  | 'cessationOfOperation';
export const revocationReasonCodes: Record<RevocationReason, number> = {
  unspecified: 0,
  keyCompromise: 1,
  affiliationChanged: 3,
  superseded: 4,
  cessationOfOperation: 5,
};

/** Live revocations of one run (the main run's are what the CRL and OCSP publish). */
export class Revocations {
  readonly #entries = new Map<string, RevocationEntry>();
  revoke(serial: string, at: number, reason: RevocationReason = 'unspecified'): RevocationEntry {
    const key = normaliseSerial(serial);
    const existing = this.#entries.get(key);
    if (existing) return existing;
    const entry = { serial: key, revokedAt: at, reason };
    this.#entries.set(key, entry);
    return entry;
  }
  has(serial: string): boolean {
    return this.#entries.has(normaliseSerial(serial));
  }
  get(serial: string): RevocationEntry | undefined {
    return this.#entries.get(normaliseSerial(serial));
  }
  list(): RevocationEntry[] {
    return [...this.#entries.values()];
  }
  clear(): void {
    this.#entries.clear();
  }
  /** Replaces the revocations with these (another process's), in their order. */
  restore(entries: RevocationEntry[]): void {
    this.#entries.clear();
    for (const entry of entries) this.#entries.set(entry.serial, entry);
  }
}

/** Upper-case hex without colons, spaces or leading zero bytes: how serials are compared everywhere. */
export function normaliseSerial(serial: string): string {
  return serial
    .replace(/[:\s]/g, '')
    .toUpperCase()
    .replace(/^(00)+(?=.)/, '');
}
