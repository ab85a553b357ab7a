/*
 * The audit journal: one JSON line per request or sign-in step (time, IP, account, action, outcome,
 * reference code), appended to a file. A reference code shown on an error screen finds its record
 * and, through the record's trace (the sign-in's interaction id), the whole story of that attempt (E1).
 * Recent traces are indexed in memory; older ones are found by scanning the file.
 */
import { createReadStream, createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { dirname } from 'node:path';
import { createInterface } from 'node:readline';

export interface AuditRecord {
  ts: string;
  ip: string;
  /** What was done: `login.password`, `otp.check`, `GET /auth`… */
  action: string;
  outcome: 'ok' | 'refused' | 'error';
  /** Correlates the steps of one sign-in (the interaction uid), or one request. */
  trace?: string;
  /** Isolated run the request belonged to; absent for the main run. */
  run?: string;
  account?: string;
  client?: string;
  status?: number;
  /** Catalogue code of a refusal. */
  code?: string;
  /** Reference code shown to the user. */
  ref?: string;
  details?: Record<string, unknown>;
}

const tracesKept = 5000;

export class AuditJournal {
  readonly #stream: WriteStream;
  readonly #traces = new Map<string, AuditRecord[]>();
  readonly #refs = new Map<string, string>();

  constructor(readonly path: string) {
    mkdirSync(dirname(path), { recursive: true });
    this.#stream = createWriteStream(path, { flags: 'a' });
  }

  append(record: AuditRecord): void {
    this.#stream.write(`${JSON.stringify(record)}\n`);
    const trace = record.trace ?? record.ref;
    if (!trace) return;
    let list = this.#traces.get(trace);
    if (!list) {
      list = [];
      this.#traces.set(trace, list);
      if (this.#traces.size > tracesKept) {
        const oldest = this.#traces.keys().next().value as string;
        this.#traces.delete(oldest);
      }
    }
    list.push(record);
    if (record.ref) this.#refs.set(record.ref, trace);
    if (this.#refs.size > tracesKept * 4) this.#refs.delete(this.#refs.keys().next().value as string);
  }

  /** The record carrying this reference code and every record of the same attempt, oldest first. */
  async findByRef(ref: string): Promise<{ record: AuditRecord; story: AuditRecord[] } | null> {
    const trace = this.#refs.get(ref);
    const story = trace ? this.#traces.get(trace) : undefined;
    const record = story?.find((r) => r.ref === ref);
    if (record && story) return { record, story: [...story] };
    return this.#scan(ref);
  }

  async #scan(ref: string): Promise<{ record: AuditRecord; story: AuditRecord[] } | null> {
    await this.flush();
    const all: AuditRecord[] = [];
    const lines = createInterface({ input: createReadStream(this.path, 'utf8'), crlfDelay: Infinity });
    for await (const line of lines) {
      if (!line) continue;
      try {
        all.push(JSON.parse(line) as AuditRecord);
      } catch {
        // A torn last line after a crash is skipped, not fatal.
      }
    }
    const record = all.find((r) => r.ref === ref);
    if (!record) return null;
    const trace = record.trace ?? record.ref;
    return { record, story: all.filter((r) => (r.trace ?? r.ref) === trace) };
  }

  flush(): Promise<void> {
    return new Promise((resolve) => {
      if (this.#stream.writableLength === 0) resolve();
      else this.#stream.once('drain', () => resolve());
    });
  }

  forget(): void {
    this.#traces.clear();
    this.#refs.clear();
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.#stream.end(() => resolve()));
  }
}
