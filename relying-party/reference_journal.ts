/*
 * Reference codes across systems (E1): every error screen of the relying party shows a code in the
 * emulator's format (lib/reference_code.ts), and the code is journaled where support looks codes up,
 * the emulator's audit journal. The relying party never imports the emulator: it reports the record
 * over HTTP (POST /__control/references on the emulator's loopback control API), with the catalogue's
 * texts, so the support console can say what the person saw and what it means. When the emulator
 * cannot be reached (it is down, its control API is off, the run has ended), the record goes to a
 * local journal, <dataDir>/rp-<clientId>-references.jsonl, and the error page renders all the same.
 */
import { appendFile, mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { RpConfig } from './config.ts';
import type { BackChannelFetch } from './tls_fetch.ts';

/** What the person saw, as the emulator's POST /__control/references takes it. */
export interface ReferenceRecord {
  ref: string;
  /** The relying party's client id (or ESIA system mnemonic) and its name. */
  system: string;
  systemTitle: string;
  /** Its error catalogue's code (relying-party/errors.ts) and texts. */
  code: string;
  status: number;
  title: string;
  message: string;
  remedy: string;
  support: string;
  method: string;
  path: string;
  /** ISO instant by the run's clock: when the person saw the screen. */
  at: string;
  ip: string;
  /** The signed-in person's СНИЛС, when there is one: the console then links the record to their account. */
  snils?: string;
  /** For developers: what exactly went wrong, never shown to the person. */
  detail?: string;
}

/** How long an error page waits for the emulator to take the record before writing it locally. */
const reportTimeoutMs = 2_000;

export function localJournalPath(config: Pick<RpConfig, 'dataDir' | 'clientId'>): string {
  return join(config.dataDir, `rp-${config.clientId}-references.jsonl`);
}

export class ReferenceJournal {
  readonly localPath: string;

  constructor(
    private readonly config: Pick<RpConfig, 'idpIssuer' | 'dataDir' | 'clientId'>,
    private readonly fetchOver: BackChannelFetch = fetch as BackChannelFetch,
  ) {
    this.localPath = localJournalPath(config);
  }

  /** Journals the record in the emulator for the run, else locally; says where. Never throws. */
  async record(record: ReferenceRecord, run: string): Promise<'emulator' | 'local'> {
    let why: string;
    try {
      const res = await this.fetchOver(`${this.config.idpIssuer}/__control/references`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-esia-run': run },
        body: JSON.stringify(record),
        signal: AbortSignal.timeout(reportTimeoutMs),
      });
      if (res.ok) return 'emulator';
      why = `the emulator answered ${res.status}: ${(await res.text()).slice(0, 300)}`;
    } catch (err) {
      why = `the emulator could not be reached: ${(err as Error).message}`;
    }
    try {
      await mkdir(dirname(this.localPath), { recursive: true });
      await appendFile(this.localPath, `${JSON.stringify({ ...record, run, notReported: why })}\n`);
    } catch (err) {
      console.error(
        `[rp:${this.config.clientId}] reference ${record.ref} journaled nowhere: ${why}; ${(err as Error).message}`,
      );
    }
    return 'local';
  }
}
