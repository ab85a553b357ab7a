/*
 * The audit journal's keyed hash chain (F5): every way of tampering with a journal — an edited field,
 * a deleted, inserted or swapped line, a cut-short line, a file of a rotated series lost or cut, a
 * chain recomputed without the key, the last records cut off, the head file deleted or forged — is
 * found by verification, which names the first bad record; an untouched journal, rotated or not, passes.
 */
import test from 'ava';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createHash, randomBytes } from 'node:crypto';
import { AuditJournal, chainLine, genesisHash, signHead, type AuditRecord } from '../../idp/adapters/audit_journal.ts';
import { verifyJournal as verifyWith } from '../../idp/audit/verify.ts';

const run = promisify(execFile);
const key = randomBytes(32);
/** A rewriter's key: anything but the journal's. */
const otherKey = randomBytes(32);
const verifyJournal = (path: string, options: { head?: string } = {}) => verifyWith(path, { key, ...options });

function record(i: number): AuditRecord {
  return {
    ts: new Date(Date.UTC(2026, 10, 25, 9, 0, i)).toISOString(),
    ip: '127.0.0.1',
    action: 'login.password',
    outcome: i % 3 ? 'ok' : 'refused',
    account: `10000${i}`,
    ref: `REF${i}`,
  };
}

async function journal(count: number, rotateBytes?: number): Promise<{ dir: string; file: string; head: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'audit-chain-'));
  const file = join(dir, 'audit.jsonl');
  const j = new AuditJournal(file, { key, ...(rotateBytes ? { rotateBytes } : {}) });
  for (let i = 1; i <= count; i++) j.append(record(i));
  const head = j.head;
  await j.close();
  return { dir, file, head };
}

async function lines(file: string): Promise<string[]> {
  return (await readFile(file, 'utf8')).split('\n').filter(Boolean);
}

async function rewrite(file: string, edit: (lines: string[]) => string[]): Promise<void> {
  await writeFile(file, `${edit(await lines(file)).join('\n')}\n`);
}

test('an untouched journal verifies, each line chained to the one before', async (t) => {
  const { dir, file } = await journal(20);
  const parsed = (await lines(file)).map((l) => JSON.parse(l) as { prev: string; hash: string });
  t.is(parsed[0]!.prev, genesisHash);
  for (let i = 1; i < parsed.length; i++) t.is(parsed[i]!.prev, parsed[i - 1]!.hash);
  const report = await verifyJournal(file);
  t.true(report.ok);
  t.is(report.records, 20);
  t.is((await verifyJournal(dir)).records, 20);
  await rm(dir, { recursive: true });
});

test('an edited field is a hash mismatch at that line', async (t) => {
  const { dir, file } = await journal(10);
  await rewrite(file, (l) =>
    l.map((line, i) => (i === 6 ? line.replace('"account":"100007"', '"account":"100008"') : line)),
  );
  const report = await verifyJournal(file);
  t.false(report.ok);
  t.is(report.bad?.line, 7);
  t.is(report.bad?.problem, 'hash-mismatch');
  t.is(report.records, 6);
  await rm(dir, { recursive: true });
});

test('a field edited and its hash recomputed still breaks the next line', async (t) => {
  const { dir, file } = await journal(10);
  await rewrite(file, (l) => {
    const parsed = JSON.parse(l[3]!) as AuditRecord & { prev: string; hash?: string };
    const { prev, hash: _, ...rest } = parsed;
    l[3] = chainLine({ ...rest, account: '999' }, prev, key).line;
    return l;
  });
  const report = await verifyJournal(file);
  t.is(report.bad?.line, 5);
  t.is(report.bad?.problem, 'prev-mismatch');
  await rm(dir, { recursive: true });
});

test('a deleted line breaks the chain at the line after it', async (t) => {
  const { dir, file } = await journal(10);
  await rewrite(file, (l) => l.filter((_, i) => i !== 4));
  const report = await verifyJournal(file);
  t.is(report.bad?.line, 5);
  t.is(report.bad?.problem, 'prev-mismatch');
  t.regex(report.bad?.message ?? '', /deleted/);
  await rm(dir, { recursive: true });
});

test('an inserted line is found, whether it carries a chain or not', async (t) => {
  const { dir, file } = await journal(10);
  await rewrite(file, (l) => [...l.slice(0, 3), JSON.stringify(record(99)), ...l.slice(3)]);
  const plain = await verifyJournal(file);
  t.is(plain.bad?.line, 4);
  t.is(plain.bad?.problem, 'no-hash');
  const forged = await journal(10);
  await rewrite(forged.file, (l) => {
    const prev = (JSON.parse(l[2]!) as { hash: string }).hash;
    return [...l.slice(0, 3), chainLine(record(99), prev, key).line, ...l.slice(3)];
  });
  const report = await verifyJournal(forged.file);
  t.is(report.bad?.line, 5, 'the forged line chains, the genuine line after it does not');
  t.is(report.bad?.problem, 'prev-mismatch');
  await rm(dir, { recursive: true });
  await rm(forged.dir, { recursive: true });
});

test('two swapped lines are found at the first of them', async (t) => {
  const { dir, file } = await journal(10);
  await rewrite(file, (l) => {
    [l[2], l[3]] = [l[3]!, l[2]!];
    return l;
  });
  const report = await verifyJournal(file);
  t.is(report.bad?.line, 3);
  t.is(report.bad?.problem, 'prev-mismatch');
  await rm(dir, { recursive: true });
});

test('a line cut short is unparseable; a tail cut off is found against the noted head', async (t) => {
  const { dir, file, head } = await journal(10);
  const text = await readFile(file, 'utf8');
  await writeFile(file, text.slice(0, text.length - 40));
  const torn = await verifyJournal(file);
  t.is(torn.bad?.line, 10);
  t.is(torn.bad?.problem, 'unparseable');
  await rewrite(file, (l) => l.slice(0, 7));
  const cut = await verifyJournal(file);
  t.false(cut.ok, 'whole lines cut off the end are found by the signed head file');
  t.is(cut.bad?.problem, 'head');
  t.regex(cut.bad?.message ?? '', /cut off its end/);
  const anchored = await verifyJournal(file, { head });
  t.false(anchored.ok, '…and against a head noted before');
  await rm(dir, { recursive: true });
});

test('rotation by size keeps one chain across files; a lost or cut file breaks it', async (t) => {
  const { dir, head } = await journal(60, 2048);
  const files = (await readdir(dir)).sort();
  t.true(files.length >= 3, `rotated into ${files.join(', ')}`);
  t.true(files.includes('audit.1.jsonl') && files.includes('audit.2.jsonl'));
  const ok = await verifyJournal(dir, { head });
  t.true(ok.ok, ok.bad?.message);
  t.is(ok.records, 60);
  const first = await lines(join(dir, 'audit.2.jsonl'));
  const endOfOne = await lines(join(dir, 'audit.1.jsonl'));
  t.is((JSON.parse(first[0]!) as { prev: string }).prev, (JSON.parse(endOfOne.at(-1)!) as { hash: string }).hash);

  await rewrite(join(dir, 'audit.1.jsonl'), (l) => l.slice(0, -1));
  const cut = await verifyJournal(dir);
  t.is(cut.bad?.file, join(dir, 'audit.2.jsonl'));
  t.is(cut.bad?.line, 1);
  t.regex(cut.bad?.message ?? '', /rotated file/);

  await unlink(join(dir, 'audit.1.jsonl'));
  const lost = await verifyJournal(dir);
  t.is(
    lost.bad?.file,
    join(dir, 'audit.2.jsonl'),
    'the series now starts at a file that does not chain to the genesis',
  );
  t.is(lost.bad?.line, 1);
  await rm(dir, { recursive: true });
});

test('a reopened journal continues the chain of the file and of the rotated series', async (t) => {
  const { dir, file } = await journal(30, 1500);
  const again = new AuditJournal(file, { key, rotateBytes: 1500 });
  for (let i = 31; i <= 40; i++) again.append(record(i));
  await again.close();
  const report = await verifyJournal(dir);
  t.true(report.ok, report.bad?.message);
  t.is(report.records, 40);
  await rm(dir, { recursive: true });
});

test('npm run audit:verify prints the first bad record and exits 1; 0 and a count when intact', async (t) => {
  const { dir, file } = await journal(5);
  const cli = join(import.meta.dirname, '..', '..', 'idp', 'audit', 'cli.ts');
  const keys = await mkdtemp(join(tmpdir(), 'audit-keys-'));
  await writeFile(join(keys, 'audit.key'), key.toString('hex'));
  const good = await run(process.execPath, ['--import', 'tsx', cli, dir, '--keys', keys]);
  t.regex(good.stdout, /intact: 5 records/);
  await rewrite(file, (l) => l.map((line, i) => (i === 1 ? line.replace('127.0.0.1', '10.0.0.1') : line)));
  const bad = await run(process.execPath, ['--import', 'tsx', cli, file, '--keys', keys]).then(
    () => null,
    (error: { code: number; stdout: string }) => error,
  );
  t.is(bad?.code, 1);
  t.regex(bad?.stdout ?? '', /audit\.jsonl:2 \(hash-mismatch\)/);
  await rm(dir, { recursive: true });
});

test('a chain recomputed end to end without the journal key is found at its first line', async (t) => {
  const { dir, file } = await journal(10);
  for (const rewriterKey of [otherKey, undefined]) {
    await rewrite(file, (l) => {
      let prev = genesisHash;
      return l.map((line) => {
        const { prev: _p, hash: _h, ...rest } = JSON.parse(line) as AuditRecord & { prev: string; hash: string };
        const body = JSON.stringify({ ...rest, account: '999', prev });
        // With another key, or as a plain SHA-256 chain as the journal once was: neither is the journal's key.
        const hash = rewriterKey
          ? chainLine({ ...rest, account: '999' }, prev, rewriterKey).hash
          : createHash('sha256').update(body).digest('hex');
        prev = hash;
        return `${body.slice(0, -1)},"hash":"${hash}"}`;
      });
    });
    const report = await verifyJournal(file);
    t.is(report.bad?.line, 1);
    t.is(report.bad?.problem, 'hash-mismatch');
    t.regex(report.bad?.message ?? '', /without the journal's key/);
  }
  await rm(dir, { recursive: true });
});

test('the last record deleted, the head file deleted, or a head signed with another key: each is found without --head', async (t) => {
  const last = await journal(10);
  await rewrite(last.file, (l) => l.slice(0, -1));
  t.is((await verifyJournal(last.dir)).bad?.problem, 'head', 'the last record deleted');

  const gone = await journal(10);
  await rewrite(gone.file, (l) => l.slice(0, -3));
  await unlink(join(gone.dir, 'audit.head.json'));
  const noHead = await verifyJournal(gone.dir);
  t.is(noHead.bad?.problem, 'head', 'records cut and the head file deleted');
  t.regex(noHead.bad?.message ?? '', /No head file/);

  const forged = await journal(10);
  await rewrite(forged.file, (l) => l.slice(0, -3));
  const lines7 = await lines(forged.file);
  const newHead = (JSON.parse(lines7.at(-1)!) as { hash: string }).hash;
  await writeFile(
    join(forged.dir, 'audit.head.json'),
    JSON.stringify(signHead(otherKey, newHead, new Date().toISOString())),
  );
  const report = await verifyJournal(forged.dir);
  t.is(report.bad?.problem, 'head', 'a head re-signed by the rewriter');
  t.regex(report.bad?.message ?? '', /not signed with the journal's key/);
  for (const j of [last, gone, forged]) await rm(j.dir, { recursive: true });
});
