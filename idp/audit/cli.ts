/*
 * npm run audit:verify [file|folder] [--head <hash>]: checks the audit journal's hash chain and
 * names the first bad record. Exit 0 when intact, 1 when broken, 2 on a usage error.
 * Default: the data folder (ESIA_DATA_DIR or data/) with its rotated series.
 */
import { resolve } from 'node:path';
import { parseCli } from '../../lib/cli.ts';
import { configFromEnv, loadConfig } from '../config/index.ts';
import { formatReport, verifyJournal } from './verify.ts';

const { values, positionals } = parseCli({
  command: 'npm run audit:verify --',
  summary: "Checks the audit journal's hash chain (a file, or a folder with its rotated series; default: the data folder) and names the first bad record. Exit code 0 when intact, 1 when broken, 2 on a usage error.",
  options: { head: { type: 'string', value: 'HASH', help: "the last record's hash printed by an earlier run: records cut off the end are found too" } },
  positionals: { usage: '[FILE|FOLDER]', max: 1 },
});
const head = values.head;
if (head !== undefined && !/^[0-9a-f]{64}$/.test(head)) {
  console.error('--head needs the 64 hex digits of a record hash (printed by an earlier audit:verify).');
  process.exit(2);
}
const target = resolve(positionals[0] ?? loadConfig(configFromEnv(process.env)).dataDir);
const report = await verifyJournal(target, head ? { head } : {});
console.log(formatReport(report));
process.exit(report.ok ? 0 : 1);
