/*
 * npm run audit:verify [file|folder] [--keys <folder>] [--head <hash>]: checks the audit journal's
 * keyed hash chain and its signed head, and names the first bad record. Exit 0 when intact, 1 when
 * broken, 2 on a usage error. Default: the data folder (ESIA_DATA_DIR or data/) with its rotated
 * series, and the key in the keys folder (ESIA_KEYS_DIR or keys/local).
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadAuditKey } from '../adapters/audit_key.ts';
import { configFromEnv, loadConfig } from '../config/index.ts';
import { formatReport, verifyJournal } from './verify.ts';

const usage = 'usage: npm run audit:verify -- [file|folder] [--keys <keys folder>] [--head <64 hex digits>]';
let parsed: ReturnType<typeof parse>;
function parse() {
  return parseArgs({ allowPositionals: true, options: { head: { type: 'string' }, keys: { type: 'string' }, help: { type: 'boolean' } } });
}
try {
  parsed = parse();
} catch (error) {
  console.error(`${(error as Error).message}\n${usage}`);
  process.exit(2);
}
const { values, positionals } = parsed;
if (values.help) {
  console.log(usage);
  process.exit(0);
}
if (values.head !== undefined && !/^[0-9a-f]{64}$/.test(values.head)) {
  console.error('--head needs the 64 hex digits of a record hash (printed by an earlier audit:verify).');
  process.exit(2);
}
const config = loadConfig(configFromEnv(process.env));
const target = resolve(positionals[0] ?? config.dataDir);
let key: Buffer;
try {
  key = loadAuditKey(resolve(values.keys ?? config.keysDir));
} catch (error) {
  console.error(`The journal's key cannot be read (${(error as Error).message}): give the emulator's keys folder with --keys or ESIA_KEYS_DIR.`);
  process.exit(2);
}
const report = await verifyJournal(target, { key, ...(values.head ? { head: values.head } : {}) });
console.log(formatReport(report));
process.exit(report.ok ? 0 : 1);
