/*
 * Imports point one way (research/style-anchors.md): the relying party talks to the emulator only
 * over HTTP, domain rules know no framework, the catalogue is a leaf, and the emulator never reaches
 * into scenarios or tests.
 */
import test from 'ava';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = join(import.meta.dirname, '..');

function files(dir: string): string[] {
  return readdirSync(join(root, dir)).flatMap((name) => {
    const path = join(dir, name);
    return statSync(join(root, path)).isDirectory() ? files(path) : path.endsWith('.ts') ? [path] : [];
  });
}

function imports(file: string): string[] {
  const source = readFileSync(join(root, file), 'utf8');
  return [...source.matchAll(/(?:^|\n)\s*(?:import|export)[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)].map((m) => {
    const spec = (m[1] ?? m[2]) as string;
    return spec.startsWith('.') ? relative(root, join(root, file, '..', spec)) : spec;
  });
}

function violations(dir: string, forbidden: (target: string) => boolean): string[] {
  return files(dir).flatMap((file) => imports(file).filter(forbidden).map((target) => `${file} → ${target}`));
}

test('relying-party never imports the emulator or the scenarios', (t) => {
  t.deepEqual(violations('relying-party', (x) => x.startsWith('idp/') || x.startsWith('scenarios/')), []);
});

test('domain rules import neither Koa, oidc-provider nor adapters', (t) => {
  t.deepEqual(violations('idp/domain', (x) => ['koa', 'oidc-provider', '@koa/router'].includes(x) || x.startsWith('idp/adapters') || x.startsWith('idp/interactions')), []);
});

test('the error catalogue is a leaf', (t) => {
  t.deepEqual(imports('idp/errors/catalogue.ts'), []);
});

test('the emulator never imports scenarios, tests or the relying party', (t) => {
  t.deepEqual(violations('idp', (x) => x.startsWith('scenarios/') || x.startsWith('test/') || x.startsWith('relying-party/')), []);
});

test('lib/ is generic: it imports nothing of the products', (t) => {
  t.deepEqual(violations('lib', (x) => /^(idp|relying-party|scenarios)\//.test(x)), []);
});

test('the trainer reaches the emulator only through its control API (and reads the catalogue)', (t) => {
  t.deepEqual(violations('trainer', (x) => x.startsWith('idp/') && x !== 'idp/errors/catalogue.ts'), []);
});
