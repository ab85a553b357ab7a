/*
 * The audit journal: one JSON line per request or sign-in step (time, IP, account, action, outcome,
 * reference code), appended to a file. A reference code shown on an error screen finds its record
 * and, through the record's trace (the sign-in's interaction id), the whole story of that attempt (E1).
 * Recent traces are indexed in memory; older ones are found by scanning the files.
 *
 * Tamper evidence (F5): every line carries `prev` (the hash of the line before it) and `hash`, the
 * HMAC-SHA256, with the journal's key (audit_key.ts, in the keys folder), of the line's own JSON up
 * to and including `prev` (the exact bytes before `,"hash":`). An edited line no longer matches its
 * hash; a deleted, inserted or reordered line breaks the next line's `prev`; a chain recomputed
 * without the key matches nothing. The head file beside the journal (audit.head.json) names the
 * newest record written, with its own HMAC, so records cut off the end are missed too. When the file outgrows `rotateBytes` it is renamed audit.<n>.jsonl (n grows, the
 * highest is the newest) and the new file's first line chains to the last hash of the old one, so
 * the chain runs through the whole series. idp/audit/verify.ts checks it (npm run audit:verify).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import {
  closeSync,
  createReadStream,
  createWriteStream,
  existsSync,
  fstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readSync,
  renameSync,
  statSync,
  type WriteStream,
} from 'node:fs';
import { rename, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { createInterface } from 'node:readline';

export interface AuditRecord {
  ts: string;
  ip: string;
  /** What was done: `login.password`, `otp.check`, `GET /auth`, `support.unlock`… */
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
  /** Support console: the operator who acted, and their role. */
  operator?: string;
  role?: string;
  details?: Record<string, unknown>;
}

/** `prev` of the very first record of a journal. */
export const genesisHash = '0'.repeat(64);

const hashSuffix = /,"hash":"([0-9a-f]{64})"\}$/;

/** The journal's keyed hash of a text. */
export function mac(key: Buffer, text: string): string {
  return createHmac('sha256', key).update(text).digest('hex');
}

export function sameMac(a: string, b: string): boolean {
  return a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));
}

/** The JSON line for a record chained to `prev`, and its hash. */
export function chainLine(record: AuditRecord, prev: string, key: Buffer): { line: string; hash: string } {
  const body = JSON.stringify({ ...record, prev });
  const hash = mac(key, body);
  return { line: `${body.slice(0, -1)},"hash":"${hash}"}`, hash };
}

/** Splits a stored line into the hashed body and the hash it claims; null when it has no hash. */
export function splitLine(line: string): { body: string; hash: string } | null {
  const match = hashSuffix.exec(line);
  if (!match) return null;
  return { body: `${line.slice(0, match.index)}}`, hash: match[1] as string };
}

/** The newest record written, as the head file beside the journal keeps it. */
export interface JournalHead {
  head: string;
  at: string;
  mac: string;
}

export function headPath(journalPath: string): string {
  return journalPath.replace(/\.jsonl$/, '.head.json');
}

export function signHead(key: Buffer, head: string, at: string): JournalHead {
  return { head, at, mac: mac(key, `audit-head:${head}:${at}`) };
}

/** Rotated files of a journal, oldest first: audit.1.jsonl, audit.2.jsonl, … */
export function rotatedFiles(path: string): string[] {
  const dir = dirname(path);
  const stem = basename(path).replace(/\.jsonl$/, '');
  const pattern = new RegExp(`^${stem.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\.(\\d+)\\.jsonl$`);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .map((name) => ({ name, n: Number(pattern.exec(name)?.[1] ?? Number.NaN) }))
    .filter((f) => Number.isInteger(f.n))
    .sort((a, b) => a.n - b.n)
    .map((f) => join(dir, f.name));
}

/** The last non-empty line of a file (reads only its tail). */
function lastLine(path: string): string | null {
  if (!existsSync(path)) return null;
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    let tail = '';
    for (let end = size, chunk = 64 * 1024; end > 0; end -= chunk) {
      const start = Math.max(0, end - chunk);
      const buffer = Buffer.alloc(end - start);
      readSync(fd, buffer, 0, buffer.length, start);
      tail = buffer.toString('utf8') + tail;
      const lines = tail.split('\n').filter(Boolean);
      if (lines.length > 1 || start === 0) return lines.at(-1) ?? null;
    }
    return null;
  } finally {
    closeSync(fd);
  }
}

/**
 * Opened at once (not on the next tick), so a rotation right after never renames a file not yet created.
 * A failed write (a full disk) loses that batch, says so on stderr, and never brings the emulator
 * down; the next batch opens the file again (#writePending).
 */
function openStream(path: string): WriteStream {
  const stream = createWriteStream(path, { fd: openSync(path, 'a') });
  stream.on('error', (error) =>
    console.error(`[esia-emulator] audit journal ${path}: lines not written (${error.message})`),
  );
  return stream;
}

/**
 * Appended lines wait this long, or until this many bytes, and are then written together. One write
 * per request (setImmediate) cost 7 % of the main thread at one sign-in at a time; readers (findByRef,
 * recentForAccount, audit:verify through the control API) flush first, so nothing waits on this.
 */
const writeDelayMs = 20;
const writeBatchBytes = 64 * 1024;

export interface JournalOptions {
  /** The journal's key (audit_key.ts): every hash is an HMAC with it. */
  key: Buffer;
  /** Rename the file to audit.<n>.jsonl once it would grow past this many bytes. */
  rotateBytes?: number;
  /** Recent traces indexed in memory (default 5000); reference codes, four times as many. Older ones are found by scanning the files. */
  tracesKept?: number;
}

/** What the emulator does with its journal, kept in files (AuditJournal) or on Redis (redis_audit_journal.ts). */
export interface Journal {
  /** Appends a record (written within milliseconds, not awaited by the request). */
  append(record: AuditRecord): void;
  /** The record carrying this reference code and every record of the same attempt, oldest first. */
  findByRef(ref: string): Promise<{ record: AuditRecord; story: AuditRecord[] } | null>;
  /** Records of one account (its oid), newest first. */
  recentForAccount(oid: string, limit: number): Promise<AuditRecord[]>;
  /** Resolves when every record appended so far is written. */
  flush(): Promise<void>;
  close(): Promise<void>;
}

export class AuditJournal implements Journal {
  #stream: WriteStream;
  /** Lines appended and not yet handed to the stream (see writeDelayMs). */
  #pending: string[] = [];
  #pendingBytes = 0;
  #timer: NodeJS.Timeout | undefined;
  #size: number;
  #last: string;
  readonly #rotateBytes: number;
  readonly #key: Buffer;
  /** The head file is rewritten after each batch of lines; one write at a time, the newest head wins. */
  #headWrite: Promise<void> = Promise.resolve();
  #headDirty = false;
  readonly #traces = new Map<string, AuditRecord[]>();
  readonly #refs = new Map<string, string>();
  readonly #tracesKept: number;

  constructor(
    readonly path: string,
    options: JournalOptions,
  ) {
    mkdirSync(dirname(path), { recursive: true });
    this.#key = options.key;
    this.#rotateBytes = options.rotateBytes ?? 10 * 1024 * 1024;
    this.#tracesKept = options.tracesKept ?? 5000;
    let last = lastLine(path);
    if (last !== null && !splitLine(last)) {
      // A journal written before records were chained: kept aside, outside the chained series.
      renameSync(path, `${path}.unchained-${statSync(path).mtimeMs.toFixed(0)}`);
      last = null;
    }
    if (last === null) {
      const previous = rotatedFiles(path).at(-1);
      last = previous ? lastLine(previous) : null;
    }
    this.#last = (last && splitLine(last)?.hash) || genesisHash;
    this.#stream = openStream(path);
    this.#size = existsSync(path) ? statSync(path).size : 0;
  }

  /** The hash of the newest record: note it elsewhere to detect a truncated tail later (audit:verify --head). */
  get head(): string {
    return this.#last;
  }

  append(record: AuditRecord): void {
    const { line, hash } = chainLine(record, this.#last, this.#key);
    const bytes = Buffer.byteLength(line) + 1;
    if (this.#size > 0 && this.#size + bytes > this.#rotateBytes) this.#rotate();
    this.#pending.push(`${line}\n`);
    this.#pendingBytes += bytes;
    if (this.#pendingBytes >= writeBatchBytes) this.#writePending();
    else this.#timer ??= setTimeout(() => this.#writePending(), writeDelayMs);
    this.#size += bytes;
    this.#last = hash;
    const trace = record.trace ?? record.ref;
    if (!trace) return;
    let list = this.#traces.get(trace);
    if (!list) {
      list = [];
      this.#traces.set(trace, list);
      if (this.#traces.size > this.#tracesKept) {
        const oldest = this.#traces.keys().next().value as string;
        this.#traces.delete(oldest);
      }
    }
    list.push(record);
    if (record.ref) this.#refs.set(record.ref, trace);
    if (this.#refs.size > this.#tracesKept * 4) this.#refs.delete(this.#refs.keys().next().value as string);
  }

  #writePending(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#pending.length === 0) return;
    if (this.#stream.destroyed) this.#stream = openStream(this.path);
    const head = signHead(this.#key, this.#last, new Date().toISOString());
    this.#stream.write(this.#pending.join(''), () => this.#writeHead(head));
    this.#pending = [];
    this.#pendingBytes = 0;
  }

  /** After the lines it names are written: atomically, so a crash leaves the old head or the new one. */
  #writeHead(head: JournalHead): void {
    this.#latestHead = head;
    if (this.#headDirty) return;
    this.#headDirty = true;
    this.#headWrite = this.#headWrite
      .then(async () => {
        this.#headDirty = false;
        const file = headPath(this.path);
        await writeFile(`${file}.tmp`, `${JSON.stringify(this.#latestHead)}\n`);
        await rename(`${file}.tmp`, file);
      })
      .catch((error) =>
        console.error(`[esia-emulator] audit head ${headPath(this.path)} not written: ${(error as Error).message}`),
      );
  }

  #latestHead: JournalHead | undefined;

  /** Renames the current file (its stream keeps writing its queued lines into it) and starts a new one. */
  #rotate(): void {
    this.#writePending();
    const n = Number(/\.(\d+)\.jsonl$/.exec(rotatedFiles(this.path).at(-1) ?? '')?.[1] ?? 0) + 1;
    renameSync(this.path, this.path.replace(/\.jsonl$/, `.${n}.jsonl`));
    this.#stream.end();
    this.#stream = openStream(this.path);
    this.#size = 0;
  }

  /** The record carrying this reference code and every record of the same attempt, oldest first. */
  async findByRef(ref: string): Promise<{ record: AuditRecord; story: AuditRecord[] } | null> {
    const trace = this.#refs.get(ref);
    const story = trace ? this.#traces.get(trace) : undefined;
    const record = story?.find((r) => r.ref === ref);
    if (record && story) return { record, story: [...story] };
    return this.#scan((r) => r.ref === ref);
  }

  /** Records of one account (its oid), newest first, from memory and then the files. */
  async recentForAccount(oid: string, limit: number): Promise<AuditRecord[]> {
    await this.flush();
    const found: AuditRecord[] = [];
    for (const file of [this.path, ...rotatedFiles(this.path).reverse()]) {
      const records = await readRecords(file);
      for (let i = records.length - 1; i >= 0 && found.length < limit; i--)
        if (records[i]!.account === oid) found.push(records[i]!);
      if (found.length >= limit) break;
    }
    return found;
  }

  async #scan(match: (r: AuditRecord) => boolean): Promise<{ record: AuditRecord; story: AuditRecord[] } | null> {
    await this.flush();
    for (const file of [this.path, ...rotatedFiles(this.path).reverse()]) {
      const all = await readRecords(file);
      const record = all.find(match);
      if (!record) continue;
      const trace = record.trace ?? record.ref;
      return { record, story: all.filter((r) => (r.trace ?? r.ref) === trace) };
    }
    return null;
  }

  /** Resolves when every line appended so far is in the file (a write's callback runs after those before it). */
  async flush(): Promise<void> {
    this.#writePending();
    await new Promise<void>((resolve) => {
      if (this.#stream.writableLength === 0) resolve();
      else this.#stream.write('', () => resolve());
    });
    await this.#headWrite;
  }

  /** How many traces and reference codes the in-memory index holds (bounded by tracesKept). */
  get indexed(): { traces: number; refs: number } {
    return { traces: this.#traces.size, refs: this.#refs.size };
  }

  forget(): void {
    this.#traces.clear();
    this.#refs.clear();
  }

  async close(): Promise<void> {
    this.#writePending();
    await new Promise<void>((resolve) => this.#stream.end(() => resolve()));
    await this.#headWrite;
  }
}

async function readRecords(file: string): Promise<AuditRecord[]> {
  if (!existsSync(file)) return [];
  const all: AuditRecord[] = [];
  const lines = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity });
  for await (const line of lines) {
    if (!line) continue;
    try {
      all.push(JSON.parse(line) as AuditRecord);
    } catch {
      // A torn last line after a crash is skipped, not fatal.
    }
  }
  return all;
}
