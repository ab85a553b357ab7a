/*
 * `npm run keys`: creates the local secrets (keys/generate.ts) and the test PKI (lib/pki/test_pki.ts)
 * ahead of time, which the emulator otherwise makes on first start; --force rotates them. A file of
 * its own, not a main-module check (import.meta.url === argv[1]) inside generate.ts: `npm start`
 * runs a bundle (bundle.ts), where import.meta is no longer the module's own.
 */
import { resolve } from 'node:path';
import { parseCli } from '../lib/cli.ts';
import { loadTestPki } from '../lib/pki/test_pki.ts';
import { loadOrCreateKeys } from './generate.ts';

const dir = resolve(process.env.ESIA_KEYS_DIR ?? 'keys/local');
const { values } = parseCli({
  command: 'npm run keys --',
  summary:
    'Creates the local secrets and the test PKI in ESIA_KEYS_DIR (default keys/local), which the emulator otherwise makes on first start.',
  options: { force: { type: 'boolean', help: 'make new ones even if they exist (rotation)' } },
});
const force = Boolean(values.force);
await loadOrCreateKeys(dir, force);
const pki = await loadTestPki(dir, { force });
console.log(`Keys are in ${dir} (not tracked by git).`);
console.log(
  `Test PKI (${pki.certificates.length} certificates, generated ${pki.generatedAt.toISOString()}) is in ${pki.dir}; trust ${pki.root.certificateFile} to use HTTPS.`,
);
