/*
 * Checks the audit journal's keyed hash chain (F5): one file, or a whole rotated series in a folder
 * (audit.1.jsonl, audit.2.jsonl, …, audit.jsonl), with the journal's key. Names the first bad
 * record: its file, line and what is wrong — an edited line or a chain recomputed without the key
 * (its hash does not match its content), a deleted, inserted or reordered line (its `prev` is not
 * the hash of the line before), a torn or unparseable line — and a journal cut short at its end
 * (the signed head file beside it names a record the journal no longer has, or is missing).
 */
import { createReadStream, existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import {
  genesisHash,
  headPath,
  type JournalHead,
  mac,
  rotatedFiles,
  sameMac,
  signHead,
  splitLine,
} from '../adapters/audit_journal.ts';

export interface BadRecord {
  file: string;
  /** 1-based line number within the file. */
  line: number;
  problem: 'unparseable' | 'no-hash' | 'hash-mismatch' | 'prev-mismatch' | 'head';
  /** Precise English for the person reading the report. */
  message: string;
}

export interface VerifyReport {
  ok: boolean;
  files: string[];
  /** Records checked before the first bad one (all of them when ok). */
  records: number;
  /** Hash of the last good record. */
  head: string;
  bad?: BadRecord;
}

export interface VerifyOptions {
  /** The journal's key (idp/adapters/audit_key.ts). */
  key: Buffer;
  /** Expected hash of the newest record, noted earlier: a journal cut short at its end no longer ends with it. */
  head?: string;
}

/** The head file beside the journal, checked against the key; a string says what is wrong with it. */
function readHead(file: string, key: Buffer): JournalHead | string | undefined {
  return existsSync(file) ? checkHead(readFileSync(file, 'utf8'), file, key) : undefined;
}

/** A head's JSON checked against the key; a string says what is wrong with it. */
export function checkHead(text: string, file: string, key: Buffer): JournalHead | string {
  let head: Partial<JournalHead>;
  try {
    head = JSON.parse(text) as Partial<JournalHead>;
  } catch {
    return `the head file ${file} is not JSON`;
  }
  if (typeof head.head !== 'string' || typeof head.at !== 'string' || typeof head.mac !== 'string')
    return `the head file ${file} lacks head, at or mac`;
  if (!sameMac(signHead(key, head.head, head.at).mac, head.mac))
    return `the head file ${file} is not signed with the journal's key: it was written by someone else`;
  return head as JournalHead;
}

/** The files to check for a path: a folder's series (rotated oldest first, then audit.jsonl), or one file. */
export function journalFiles(path: string): { files: string[]; series: boolean } {
  if (existsSync(path) && statSync(path).isDirectory()) {
    const current = join(path, 'audit.jsonl');
    return { files: [...rotatedFiles(current), ...(existsSync(current) ? [current] : [])], series: true };
  }
  return { files: [path], series: false };
}

/**
 * One line of a chain, `prev` the hash of the line before it (null: the first line of a lone file,
 * which may continue a rotated one), `before` how many records came before it.
 */
export function checkLine(
  line: string,
  at: { file: string; line: number },
  prev: string | null,
  before: number,
  key: Buffer,
): { hash: string } | { bad: BadRecord } {
  if (line === '')
    return { bad: { ...at, problem: 'unparseable', message: 'Empty line: a journal has one JSON record per line.' } };
  const parts = splitLine(line);
  let parsed: { prev?: unknown } | null = null;
  try {
    parsed = JSON.parse(line) as { prev?: unknown };
  } catch {
    parsed = null;
  }
  if (!parsed || typeof parsed !== 'object')
    return {
      bad: { ...at, problem: 'unparseable', message: 'Not a JSON object: the line was cut short or edited by hand.' },
    };
  if (!parts || typeof parsed.prev !== 'string') {
    return {
      bad: {
        ...at,
        problem: 'no-hash',
        message: 'The record has no "prev" and "hash" at its end: it was inserted or rewritten outside the journal.',
      },
    };
  }
  if (!sameMac(mac(key, parts.body), parts.hash)) {
    return {
      bad: {
        ...at,
        problem: 'hash-mismatch',
        message: `Hash mismatch: this record was edited after it was written, or the chain was recomputed without the journal's key (hash ${parts.hash.slice(0, 12)}…, the key gives ${mac(key, parts.body).slice(0, 12)}…).`,
      },
    };
  }
  if (prev !== null && parsed.prev !== prev) {
    const where =
      at.line === 1 && before > 0
        ? ' at the start of a rotated file (a file of the series is missing, cut short or out of order)'
        : '';
    return {
      bad: {
        ...at,
        problem: 'prev-mismatch',
        message: `Chain broken${where}: "prev" is ${String(parsed.prev).slice(0, 12)}… but the record before it hashes to ${prev.slice(0, 12)}…: a record before this one was deleted, or this one was inserted or moved.`,
      },
    };
  }
  return { hash: parts.hash };
}

export async function verifyJournal(path: string, options: VerifyOptions): Promise<VerifyReport> {
  const { files, series } = journalFiles(path);
  const seen = new Set<string>();
  let prev: string | null = series ? genesisHash : null;
  let records = 0;
  const report = (bad?: BadRecord): VerifyReport => ({
    ok: !bad,
    files,
    records,
    head: prev ?? genesisHash,
    ...(bad ? { bad } : {}),
  });
  if (files.length === 0 || !existsSync(files[0] as string)) {
    return report({
      file: path,
      line: 0,
      problem: 'unparseable',
      message: `No journal at ${path} (expected a .jsonl file or a folder with audit.jsonl).`,
    });
  }
  for (const file of files) {
    let lineNo = 0;
    const lines = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity });
    for await (const line of lines) {
      lineNo++;
      const checked = checkLine(line, { file, line: lineNo }, prev, records, options.key);
      if ('bad' in checked) {
        lines.close();
        return report(checked.bad);
      }
      prev = checked.hash;
      seen.add(prev);
      records++;
    }
  }
  // The head file lags the journal by at most one batch of lines (it is written after them), so the
  // newest record it names must be in the chain; a journal cut before it has lost its end.
  const last = files.at(-1) as string;
  const headFile = series ? join(path, 'audit.head.json') : headPath(last);
  const head = readHead(headFile, options.key);
  if (typeof head === 'string')
    return report({ file: headFile, line: 0, problem: 'head', message: `${head[0]?.toUpperCase()}${head.slice(1)}.` });
  if (head === undefined && records > 0) {
    return report({
      file: headFile,
      line: 0,
      problem: 'head',
      message: `No head file ${headFile}: the journal writes one after every batch of records, so it was deleted, perhaps with records cut off the end.`,
    });
  }
  if (head && !seen.has(head.head) && !(head.head === genesisHash && records === 0)) {
    return report({
      file: last,
      line: 0,
      problem: 'head',
      message: `The signed head (${head.head.slice(0, 12)}…, ${head.at}) names a record the journal does not have: records were cut off its end, or it was rewritten.`,
    });
  }
  if (options.head && prev !== options.head) {
    return report({
      file: last,
      line: 0,
      problem: 'prev-mismatch',
      message: `The journal ends at ${String(prev).slice(0, 12)}…, not at the noted head ${options.head.slice(0, 12)}…: records were cut off its end.`,
    });
  }
  return report();
}

export function formatReport(r: VerifyReport, unit = 'file(s)'): string {
  if (r.ok) return `audit journal intact: ${r.records} records in ${r.files.length} ${unit}; head ${r.head}`;
  const bad = r.bad as BadRecord;
  return `audit journal BROKEN at ${bad.file}${bad.line ? `:${bad.line}` : ''} (${bad.problem}): ${bad.message}\n${r.records} record(s) before it are intact.`;
}
