/*
 * The audit journal on Redis (ESIA_STORE=redis://…): every emulator process appends to its own
 * chain, a Redis list `<prefix>audit:chain:<id>` of the same keyed-hash lines as the file journal
 * (audit_journal.ts: `prev`, `hash`), with its signed head beside it (`audit:head:<id>`); the chains
 * are listed in `audit:chains` by the time they began, and `npm run audit:verify` checks them all.
 * One chain per process keeps appends free of any lock between processes. The lookups are shared:
 * a record with a trace (a sign-in) is also pushed to `audit:trace:<trace>`, a reference code names
 * its trace, and each account keeps its latest records, so any process's support console finds what
 * any other one showed.
 *
 * Lines wait 20 ms and go in one MULTI, in order, one batch at a time. While Redis is down they wait
 * in memory (up to `maxWaiting`, newer ones are then dropped, unchained, and the loss is said once)
 * and go as soon as it is back: the chain never has a hole.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Keyspace } from '../../lib/store/keyspace.ts';
import { isStoreUnavailable } from '../../lib/store/redis.ts';
import { type AuditRecord, chainLine, genesisHash, type Journal, signHead } from './audit_journal.ts';

const writeDelayMs = 20;
const retryMs = 500;
const maxWaiting = 100_000;
/** How long a trace and a reference code can be looked up (the chains themselves are kept). */
const lookupMs = 30 * 24 * 3600_000;
/** Records kept per account for the console's history. */
const perAccount = 200;

/** The Redis keys of the journal, shared by the journal and audit:verify. */
export const auditKeys = {
  chains: (k: Keyspace) => k.key('audit', 'chains'),
  chain: (k: Keyspace, id: string) => k.key('audit', 'chain', id),
  head: (k: Keyspace, id: string) => k.key('audit', 'head', id),
  trace: (k: Keyspace, trace: string) => k.key('audit', 'trace', trace),
  ref: (k: Keyspace, ref: string) => k.key('audit', 'ref', ref),
  account: (k: Keyspace, oid: string) => k.key('audit', 'account', oid),
};

export class RedisAuditJournal implements Journal {
  /** This process's chain. */
  readonly chain = `${hostname()}-${process.pid}-${randomBytes(4).toString('hex')}`;
  #last = genesisHash;
  #waiting: { line: string; record: AuditRecord }[] = [];
  #timer: NodeJS.Timeout | undefined;
  #writing: Promise<void> = Promise.resolve();
  #registered = false;
  #dropped = 0;

  constructor(
    readonly keys: Keyspace,
    readonly key: Buffer,
    readonly log: (line: string) => void = (line) => console.error(line),
  ) {}

  get head(): string {
    return this.#last;
  }

  append(record: AuditRecord): void {
    if (this.#waiting.length >= maxWaiting) {
      if (this.#dropped++ === 0)
        this.log(
          `[esia-emulator] audit journal: Redis is away and ${maxWaiting} records wait; newer ones are not journaled until it is back`,
        );
      return;
    }
    const { line, hash } = chainLine(record, this.#last, this.key);
    this.#last = hash;
    this.#waiting.push({ line, record });
    this.#timer ??= setTimeout(() => this.#write().catch(() => {}), writeDelayMs);
  }

  /** Writes what waits, after the batch before it; on failure the batch waits again, in front. */
  #write(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#writing = this.#writing.then(async () => {
      const batch = this.#waiting;
      if (batch.length === 0) return;
      this.#waiting = [];
      try {
        await this.#send(batch);
        if (this.#dropped) this.log(`[esia-emulator] audit journal: ${this.#dropped} records were not journaled`);
        this.#dropped = 0;
      } catch (error) {
        this.#waiting = [...batch, ...this.#waiting];
        this.#timer ??= setTimeout(() => this.#write().catch(() => {}), retryMs);
        if (!isStoreUnavailable(error)) this.log(`[esia-emulator] audit journal: ${(error as Error).message}`);
        throw error;
      }
    });
    const written = this.#writing;
    // The chain of writes goes on after a failure; whoever waits on this one hears of it.
    this.#writing = written.catch(() => {});
    return written;
  }

  async #send(batch: { line: string; record: AuditRecord }[]): Promise<void> {
    const k = this.keys;
    const multi = k.redis.multi();
    if (!this.#registered) multi.zadd(auditKeys.chains(k), 'NX', Date.now(), this.chain);
    multi.rpush(auditKeys.chain(k, this.chain), ...batch.map((b) => b.line));
    const last = batch.at(-1)!.line;
    const head = signHead(this.key, /"hash":"([0-9a-f]{64})"\}$/.exec(last)![1]!, new Date().toISOString());
    multi.set(auditKeys.head(k, this.chain), JSON.stringify(head));
    for (const { line, record } of batch) {
      const trace = record.trace ?? record.ref;
      if (trace) multi.rpush(auditKeys.trace(k, trace), line).pexpire(auditKeys.trace(k, trace), lookupMs);
      if (trace && record.ref) multi.set(auditKeys.ref(k, record.ref), trace, 'PX', lookupMs);
      if (record.account)
        multi
          .lpush(auditKeys.account(k, record.account), line)
          .ltrim(auditKeys.account(k, record.account), 0, perAccount - 1);
    }
    await multi.exec();
    this.#registered = true;
  }

  async flush(): Promise<void> {
    await this.#write();
  }

  async findByRef(ref: string): Promise<{ record: AuditRecord; story: AuditRecord[] } | null> {
    await this.flush();
    const trace = await this.keys.redis.get(auditKeys.ref(this.keys, ref));
    if (!trace) return null;
    const story = (await this.keys.redis.lrange(auditKeys.trace(this.keys, trace), 0, -1)).map(
      (line) => JSON.parse(line) as AuditRecord,
    );
    story.sort((a, b) => a.ts.localeCompare(b.ts));
    const record = story.find((r) => r.ref === ref);
    return record ? { record, story } : null;
  }

  async recentForAccount(oid: string, limit: number): Promise<AuditRecord[]> {
    await this.flush();
    const lines = await this.keys.redis.lrange(auditKeys.account(this.keys, oid), 0, limit - 1);
    return lines.map((line) => JSON.parse(line) as AuditRecord);
  }

  async close(): Promise<void> {
    await this.flush().catch(() => {});
    clearTimeout(this.#timer);
  }
}
