/*
 * Checks the audit journal on Redis (ESIA_STORE=redis://…): every process's chain, each from the
 * genesis hash, line by line as the file journal is checked (verify.ts), and each against its signed
 * head, so a record edited, deleted, inserted or cut off the end of any chain is named.
 */
import type { Keyspace } from '../../lib/store/keyspace.ts';
import { genesisHash } from '../adapters/audit_journal.ts';
import { auditKeys } from '../adapters/redis_audit_journal.ts';
import { type BadRecord, checkHead, checkLine, type VerifyReport } from './verify.ts';

const page = 1000;

export async function verifyRedisJournal(keys: Keyspace, key: Buffer): Promise<VerifyReport> {
  const chains = await keys.redis.zrange(auditKeys.chains(keys), 0, -1);
  const files = chains.map((id) => auditKeys.chain(keys, id));
  let records = 0;
  let head = genesisHash;
  const report = (bad?: BadRecord): VerifyReport => ({ ok: !bad, files, records, head, ...(bad ? { bad } : {}) });
  if (chains.length === 0)
    return report({
      file: auditKeys.chains(keys),
      line: 0,
      problem: 'unparseable',
      message: `No audit chains in Redis under ${keys.prefix} (is ESIA_REDIS_PREFIX the emulator's?).`,
    });
  for (const [i, id] of chains.entries()) {
    const file = files[i]!;
    let prev = genesisHash;
    let count = 0;
    const seen = new Set<string>();
    for (let start = 0; ; start += page) {
      const lines = await keys.redis.lrange(file, start, start + page - 1);
      for (const line of lines) {
        const checked = checkLine(line, { file, line: ++count }, prev, count - 1, key);
        if ('bad' in checked) return report(checked.bad);
        prev = checked.hash;
        seen.add(prev);
        records++;
      }
      if (lines.length < page) break;
    }
    head = prev;
    const headKey = auditKeys.head(keys, id);
    const text = await keys.redis.get(headKey);
    const signed = text === null ? `there is no head ${headKey}` : checkHead(text, headKey, key);
    if (typeof signed === 'string')
      return report({
        file: headKey,
        line: 0,
        problem: 'head',
        message: `${signed[0]?.toUpperCase()}${signed.slice(1)}.`,
      });
    if (!seen.has(signed.head))
      return report({
        file,
        line: 0,
        problem: 'head',
        message: `The signed head (${signed.head.slice(0, 12)}…, ${signed.at}) names a record the chain does not have: records were cut off its end, or it was rewritten.`,
      });
  }
  return report();
}
