/*
 * npm run audit:verify [file|folder] [--head <hash>]: checks the audit journal's hash chain and
 * names the first bad record. Exit 0 when intact, 1 when broken, 2 on a usage error.
 * Default: the data folder (ESIA_DATA_DIR or data/) with its rotated series.
 */
import { resolve } from 'node:path';
import { configFromEnv, loadConfig } from '../config/index.ts';
import { formatReport, verifyJournal } from './verify.ts';

const args = process.argv.slice(2);
const headAt = args.indexOf('--head');
const head = headAt >= 0 ? args[headAt + 1] : undefined;
if (headAt >= 0 && !/^[0-9a-f]{64}$/.test(head ?? '')) {
  console.error('--head needs the 64 hex digits of a record hash (printed by an earlier audit:verify).');
  process.exit(2);
}
const positional = args.filter((_, i) => headAt < 0 || (i !== headAt && i !== headAt + 1));
const target = resolve(positional[0] ?? loadConfig(configFromEnv(process.env)).dataDir);
const report = await verifyJournal(target, head ? { head } : {});
console.log(formatReport(report));
process.exit(report.ok ? 0 : 1);
