/*
 * THE SIGNING-PLUGIN STAND-IN: a "virtual token" (A4, A5).
 *
 * A real CryptoPro/Рутокен set-up is local software: the browser plugin lists the certificates on a
 * token, the token itself checks the PIN (and blocks its keys after too many wrong ones), and the
 * private key never leaves it; the web page receives only {certificate, signature}. The emulator
 * cannot reach into a person's computer, so the stand-in lives inside the emulator, under its own
 * path (/plugin/…, every page and answer labelled as the stand-in), and behaves like that software:
 *
 * - one virtual token per run (a run is one test machine; the main run is the stand's own machine),
 *   holding certificates with their private keys, a user PIN (default 12345678, as Рутокен ships),
 *   a PUK (87654321) and a counter of PIN attempts (3 by default; real tokens often allow 10, the
 *   stand keeps scenarios short — set it per token through the control API);
 * - a person loads a test key file from their disk into it (PEM bundle: certificate + PKCS#8 key),
 *   or the control API hands a persona's certificate in any variant to it
 *   (POST /__control/personas/:persona/token {variant});
 * - signing needs the PIN; a wrong PIN costs an attempt, the last one blocks the token; only the PUK
 *   (or a new token) unblocks it.
 *
 * The sign-in SERVER never trusts the stand-in: it verifies the signature over its own challenge,
 * the certificate chain, validity, key usage, revocation and the account by itself
 * (idp/esign/verify.ts), exactly as it would for a signature from real plugin software.
 */
import { createHash, X509Certificate } from 'node:crypto';
import { EsiaError } from '../errors/esia_error.ts';
import { signWithKey, verifyWithCertificate } from './crypto.ts';
import { InputError } from '../../lib/errors.ts';

export interface TokenEntry {
  /** Stable id on this token: `<persona>-<variant>` when handed by the control API, `file-<hash>` when loaded from a file. */
  id: string;
  /** Shown in the plugin's list: subject, validity. */
  label: string;
  certificatePem: string;
  keyPem: string;
  source: 'file' | 'control';
}

export const defaultPin = '12345678';
export const defaultPuk = '87654321';
export const defaultPinAttempts = 3;

export class VirtualToken {
  pin = defaultPin;
  puk = defaultPuk;
  maxAttempts = defaultPinAttempts;
  attemptsLeft = defaultPinAttempts;
  entries: TokenEntry[] = [];

  get blocked(): boolean {
    return this.attemptsLeft <= 0;
  }

  /** Adds (or replaces, by id) a certificate with its key; refuses a key that does not match the certificate. */
  add(certificatePem: string, keyPem: string, source: TokenEntry['source'], id?: string): TokenEntry {
    const certificate = new X509Certificate(certificatePem);
    const probe = Buffer.from('virtual token: key matches certificate');
    const signature = signWithKey(keyPem, probe);
    if (!verifyWithCertificate(certificate, probe, signature))
      throw new InputError('the private key does not belong to the certificate', 'key');
    const entry: TokenEntry = {
      id: id ?? `file-${createHash('sha256').update(certificate.raw).digest('hex').slice(0, 12)}`,
      label: `${subjectName(certificate)} · действителен с ${ruDate(certificate.validFrom)} по ${ruDate(certificate.validTo)} · выдан: ${issuerName(certificate)}`,
      certificatePem: certificate.toString(),
      keyPem,
      source,
    };
    this.entries = [...this.entries.filter((e) => e.id !== entry.id), entry];
    return entry;
  }

  /** The token's own PIN check, then a signature with the chosen key. */
  sign(id: string, pin: string, data: Buffer): { entry: TokenEntry; signature: Buffer } {
    if (this.blocked) throw new EsiaError('esign.token_blocked', { attempts: this.maxAttempts });
    const entry = this.entries.find((e) => e.id === id);
    if (!entry) throw new Error(`no certificate "${id}" on the token`);
    if (pin !== this.pin) {
      this.attemptsLeft -= 1;
      if (this.blocked) throw new EsiaError('esign.token_blocked', { attempts: this.maxAttempts });
      throw new EsiaError('esign.pin_invalid', {
        attemptsLeft: this.attemptsLeft,
        lines: [`Осталось попыток: ${this.attemptsLeft}`],
      });
    }
    this.attemptsLeft = this.maxAttempts;
    return { entry, signature: signWithKey(entry.keyPem, data) };
  }

  /** What the token's control panel does with the PUK: a new PIN and a full counter. */
  unblock(puk: string, newPin = defaultPin): boolean {
    if (puk !== this.puk) return false;
    this.pin = newPin;
    this.attemptsLeft = this.maxAttempts;
    return true;
  }

  describe(): {
    pinAttempts: number;
    attemptsLeft: number;
    blocked: boolean;
    certificates: Array<Omit<TokenEntry, 'keyPem'>>;
  } {
    return {
      pinAttempts: this.maxAttempts,
      attemptsLeft: this.attemptsLeft,
      blocked: this.blocked,
      certificates: this.entries.map(({ keyPem: _, ...rest }) => rest),
    };
  }
}

function ruDate(text: string): string {
  return new Date(text).toLocaleDateString('ru-RU', { timeZone: 'Europe/Moscow' });
}

function issuerName(certificate: X509Certificate): string {
  return /CN=([^\n]+)/.exec(certificate.issuer)?.[1] ?? certificate.issuer.replace(/\n/g, ', ');
}

function subjectName(certificate: X509Certificate): string {
  const cn = /CN=([^\n]+)/.exec(certificate.subject)?.[1];
  return cn ?? certificate.subject.replace(/\n/g, ', ');
}
