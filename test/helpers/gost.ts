/*
 * Shared by the lib/gost tests (test/gost/): the committed OpenSSL fixtures and how to read them, and
 * the live OpenSSL gost engine when this machine has it (tests that need it are skipped otherwise).
 */
import test from 'ava';
import type { ExecutionContext } from 'ava';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { importKeyPair, parseCertificate } from '../../lib/gost/index.ts';
import type { GostKeyPair, ParsedCertificate } from '../../lib/gost/index.ts';
import { toHex } from '../../lib/gost/bytes.ts';

export const FIXTURES = fileURLToPath(new URL('../fixtures/gost/', import.meta.url));
export const GENERATE = join(FIXTURES, 'generate.sh');
/** OpenSSL gost engine `paramset:` names and the OIDs they must map to. */
export const ENGINE_SETS: Record<string, string> = {
  A: '1.2.643.2.2.35.1',
  B: '1.2.643.2.2.35.2',
  C: '1.2.643.2.2.35.3',
  XA: '1.2.643.2.2.36.0',
  XB: '1.2.643.2.2.36.1',
  TCA: '1.2.643.7.1.2.1.1.1',
  TCB: '1.2.643.7.1.2.1.1.2',
  TCC: '1.2.643.7.1.2.1.1.3',
  TCD: '1.2.643.7.1.2.1.1.4',
};

export const hex = (u: Uint8Array) => toHex(u);
export const read = (dir: string, name: string) => new Uint8Array(readFileSync(join(dir, name)));
export const readText = (dir: string, name: string) => readFileSync(join(dir, name), 'utf8');
export const flip = (u: Uint8Array, at: number) => {
  const c = Uint8Array.from(u);
  c[at]! ^= 0x01;
  return c;
};

function engineWorks(): boolean {
  const r = spawnSync('openssl', ['engine', 'gost', '-t'], { encoding: 'utf8' });
  return r.status === 0 && /available/.test(r.stdout);
}
const LIVE = engineWorks();
export const liveTest = LIVE ? test : test.skip;

export function openssl(args: string[], input?: Uint8Array | string): string {
  return execFileSync('openssl', args, { input, stdio: ['pipe', 'pipe', 'pipe'] }).toString();
}

export function tempDir(t: ExecutionContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'esia-gost-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export function fixtureCert(name = 'A'): { cert: ParsedCertificate; der: Uint8Array; keys: GostKeyPair } {
  return {
    cert: parseCertificate(read(FIXTURES, `test-only-cert-${name}.der`)),
    der: read(FIXTURES, `test-only-cert-${name}.der`),
    keys: importKeyPair(readText(FIXTURES, `test-only-key-${name}.pem`)),
  };
}
