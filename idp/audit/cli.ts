/*
 * npm run audit:verify [file|folder] [--keys <folder>] [--head <hash>]: checks the audit journal's
 * keyed hash chain and its signed head, and names the first bad record. Exit 0 when intact, 1 when
 * broken, 2 on a usage error. Default: the data folder (ESIA_DATA_DIR or data/) with its rotated
 * series, and the journal's key in the keys folder (ESIA_KEYS_DIR or keys/local). With
 * ESIA_STORE=redis://… (and no path given) the chains of every emulator process in that Redis.
 */
import { resolve } from 'node:path';
import { parseCli } from '../../lib/cli.ts';
import { loadAuditKey } from '../adapters/audit_key.ts';
import { configFromEnv, loadConfig } from '../config/index.ts';
import { Keyspace } from '../../lib/store/keyspace.ts';
import { connectRedis, StoreConnectError } from '../../lib/store/redis.ts';
import { formatReport, verifyJournal, type VerifyReport } from './verify.ts';
import { verifyRedisJournal } from './verify_redis.ts';

const { values, positionals } = parseCli({
  command: 'npm run audit:verify --',
  summary:
    "Checks the audit journal's keyed hash chain and its signed head (a file, or a folder with its rotated series; default: the data folder) and names the first bad record. Exit code 0 when intact, 1 when broken, 2 on a usage error.",
  options: {
    keys: {
      type: 'string',
      value: 'FOLDER',
      help: "the emulator's keys folder, which holds the journal's key audit.key (default: ESIA_KEYS_DIR or keys/local)",
    },
    head: {
      type: 'string',
      value: 'HASH',
      help: "the last record's hash printed by an earlier run: records cut off the end are found against it too",
    },
  },
  positionals: { usage: '[FILE|FOLDER]', max: 1 },
});
const head = values.head;
if (head !== undefined && !/^[0-9a-f]{64}$/.test(head)) {
  console.error('--head needs the 64 hex digits of a record hash (printed by an earlier audit:verify).');
  process.exit(2);
}
const config = loadConfig(configFromEnv(process.env));
const target = resolve(positionals[0] ?? config.dataDir);
let key: Buffer;
try {
  key = loadAuditKey(resolve(values.keys ?? config.keysDir));
} catch (error) {
  console.error(
    `The journal's key cannot be read (${(error as Error).message}): give the emulator's keys folder with --keys or ESIA_KEYS_DIR.`,
  );
  process.exit(2);
}
let report: VerifyReport;
if (config.store !== 'lowdb' && positionals[0] === undefined) {
  if (head) {
    console.error('--head checks a file journal; on Redis every chain is checked against its own signed head.');
    process.exit(2);
  }
  let keys: Keyspace;
  try {
    keys = new Keyspace(await connectRedis(config.store, { log: () => {} }), config.redisPrefix);
  } catch (error) {
    console.error(error instanceof StoreConnectError ? error.message : String(error));
    process.exit(2);
  }
  report = await verifyRedisJournal(keys, key);
  keys.redis.disconnect();
  console.log(formatReport(report, 'chain(s) on Redis'));
} else {
  report = await verifyJournal(target, { key, ...(head ? { head } : {}) });
  console.log(formatReport(report));
}
process.exit(report.ok ? 0 : 1);
