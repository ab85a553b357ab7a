/*
 * The test PKI as loaded: every issued certificate with its files and PEMs, looked up by persona and
 * variant, by server variant or by serial, the CA certificates, and which serials are revoked.
 */
import { X509Certificate } from 'node:crypto';
import type * as pkijs from 'pkijs';
import { normaliseSerial, type RevocationEntry, type Revocations } from './revocation_state.ts';
import { parseCertificate } from './x509.ts';

/** The persona key of the certificate whose СНИЛС belongs to no account (persons.ts makes its subject). */
export const orphanPersona = 'nobody';

export const personVariants = ['valid', 'expired', 'not-yet-valid', 'revoked', 'untrusted', 'wrong-key-usage'] as const;
export type PersonVariant = (typeof personVariants)[number];
/**
 * A GOST R 34.10-2012 (256) / Streebog certificate per persona, valid, from a separate GOST test CA
 * (pki.gostRoot; lib/gost builds it): certificateFor(persona, 'gost'). Not in personVariants, so
 * loops over the ECDSA variants stay as they are. The CRL and OCSP cover the ECDSA intermediate only.
 */
export const gostVariant = 'gost';
export type PersonCertificateVariant = PersonVariant | typeof gostVariant;
export const serverVariants = ['valid', 'expired', 'revoked', 'wrong-host', 'untrusted'] as const;
export type ServerVariant = (typeof serverVariants)[number];

export interface IssuedCertificate {
  /** Upper-case hex, as openssl and Node print it. */
  serial: string;
  kind: 'root' | 'intermediate' | 'untrusted-root' | 'gost-root' | 'person' | 'server';
  persona?: string;
  variant?: string;
  subject: string;
  issuer: string;
  notBefore: string;
  notAfter: string;
  /** Absolute paths; empty for a certificate issued at run time (issuePersonCertificate). */
  certificateFile: string;
  keyFile: string;
  certificatePem: string;
  /** PKCS#8 PEM, unencrypted (test keys). */
  privateKeyPem: string;
  /** Set for certificates revoked from generation on (the «revoked» variants). */
  revokedAt?: string;
}

export class TestPki {
  readonly #bySerial = new Map<string, IssuedCertificate>();
  #parsedIntermediate: pkijs.Certificate | undefined;
  readonly #x509Intermediate: X509Certificate;
  readonly #x509Root: X509Certificate;

  constructor(
    readonly dir: string,
    readonly generatedAt: Date,
    /** Origin written into CDP/AIA at generation (http://localhost:3000 unless told). */
    readonly origin: string,
    readonly certificates: IssuedCertificate[],
  ) {
    for (const c of certificates) this.#bySerial.set(c.serial, c);
    this.#x509Intermediate = new X509Certificate(this.intermediate.certificatePem);
    this.#x509Root = new X509Certificate(this.root.certificatePem);
  }

  #only(kind: IssuedCertificate['kind']): IssuedCertificate {
    const found = this.certificates.find((c) => c.kind === kind);
    if (!found)
      throw new Error(`The test PKI in ${this.dir} has no ${kind} certificate; delete the folder to regenerate it.`);
    return found;
  }
  get root(): IssuedCertificate {
    return this.#only('root');
  }
  get intermediate(): IssuedCertificate {
    return this.#only('intermediate');
  }
  get untrustedRoot(): IssuedCertificate {
    return this.#only('untrusted-root');
  }
  /** The GOST test CA that issues the `gost` persona certificates. */
  get gostRoot(): IssuedCertificate {
    return this.#only('gost-root');
  }
  /** What a TLS server sends: its certificate and the issuing chain (none for the untrusted variant, whose root nobody has). */
  serverCertificateChain(variant: ServerVariant): string {
    const server = this.server(variant);
    return variant === 'untrusted' ? server.certificatePem : server.certificatePem + this.intermediate.certificatePem;
  }

  /** Intermediate then root, PEM: the chain a server or signer sends with its certificate. */
  get chainPem(): string {
    return this.intermediate.certificatePem + this.root.certificatePem;
  }
  get x509Root(): X509Certificate {
    return this.#x509Root;
  }
  get x509Intermediate(): X509Certificate {
    return this.#x509Intermediate;
  }
  /** Parsed when first needed (CRL, OCSP, issuing at run time), not at start-up: pkijs takes a while the first time. */
  get parsedIntermediate(): pkijs.Certificate {
    return (this.#parsedIntermediate ??= parseCertificate(this.intermediate.certificatePem));
  }

  certificateFor(persona: string, variant: PersonCertificateVariant = 'valid'): IssuedCertificate {
    const found = this.certificates.find((c) => c.kind === 'person' && c.persona === persona && c.variant === variant);
    if (!found)
      throw new Error(
        `No test certificate for persona "${persona}", variant "${variant}". Personas: ${[...new Set(this.certificates.filter((c) => c.kind === 'person').map((c) => c.persona))].join(', ')}; variants: ${personVariants.join(', ')}, ${gostVariant} (${orphanPersona}: valid only).`,
      );
    return found;
  }

  server(variant: ServerVariant = 'valid'): IssuedCertificate {
    const found = this.certificates.find((c) => c.kind === 'server' && c.variant === variant);
    if (!found) throw new Error(`No server certificate "${variant}"; expected one of ${serverVariants.join(', ')}.`);
    return found;
  }

  bySerial(serial: string): IssuedCertificate | undefined {
    return this.#bySerial.get(normaliseSerial(serial));
  }

  /** Revocation of a serial issued by our intermediate: revoked from generation, or live in `revocations`. */
  revocationOf(serial: string, revocations?: Revocations): RevocationEntry | undefined {
    const live = revocations?.get(serial);
    if (live) return live;
    const issued = this.bySerial(serial);
    if (issued?.revokedAt)
      return { serial: issued.serial, revokedAt: Date.parse(issued.revokedAt), reason: 'keyCompromise' };
    return undefined;
  }

  /** Every revoked certificate of the intermediate for one run: generation-time ones and the run's. */
  revokedList(revocations?: Revocations): RevocationEntry[] {
    const live = revocations?.list() ?? [];
    const seen = new Set(live.map((e) => e.serial));
    const baseline = this.certificates
      .filter((c) => c.revokedAt && !seen.has(c.serial))
      .map((c) => ({ serial: c.serial, revokedAt: Date.parse(c.revokedAt!), reason: 'keyCompromise' as const }));
    return [...baseline, ...live];
  }
}
