/*
 * Imports point one way. Every top-level folder (and each source file at the root) has the list of
 * folders it may reach, directly or through any chain of imports: the relying party talks to the
 * emulator only over HTTP, lib/ knows no product, the emulator never reaches scenarios, tests or the
 * relying party, and nothing under the scenarios knows what is built on them (trainer, bench). Finer
 * rules inside a folder follow; the checker itself is tested on planted files at the end.
 */
import test from 'ava';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  cycles,
  folderGraph,
  folderOf,
  folderViolations,
  importsOf,
  moduleGraph,
  readSources,
  reachable,
  type FolderRules,
  type Sources,
} from './helpers/import_graph.ts';

const root = join(import.meta.dirname, '..');
const sources = readSources(root);
const graph = moduleGraph(sources);

/** What each folder may reach, transitively. Closed: a folder lists everything its allowed folders reach. */
const rules: FolderRules = {
  lib: [],
  harness: [],
  keys: ['lib'],
  'relying-party': ['lib'],
  idp: ['lib', 'keys'],
  scenarios: ['idp', 'relying-party', 'keys', 'lib'],
  trainer: ['scenarios', 'idp', 'relying-party', 'keys', 'lib'],
  bench: ['scenarios', 'idp', 'relying-party', 'keys', 'lib'],
  'start.ts': ['trainer', 'scenarios', 'idp', 'relying-party', 'keys', 'lib'],
  'bundle.ts': [],
  test: ['*'],
};

/**
 * Module-level import cycles allowed, type-only imports included, each named by its members. One: the
 * `repeat` step kind holds steps of every kind, so it and the registry of kinds name each other.
 */
const knownModuleCycles: string[][] = [['scenarios/steps/index.ts', 'scenarios/steps/repeat.ts']];

const under = (prefix: string) => [...sources.keys()].filter((f) => f.startsWith(prefix));
const packagesReached = (file: string) =>
  [file, ...reachable(graph, file)].flatMap((m) =>
    importsOf(m, sources.get(m)!)
      .filter((spec) => !sources.has(spec))
      .map((spec) => `${m} → ${spec}`),
  );

test('every folder reaches only the folders its rule allows, through any chain of imports', (t) => {
  t.deepEqual(folderViolations(sources, rules), []);
});

test('every folder with sources has a rule, and every rule names a folder that exists', (t) => {
  const folders = new Set(folderGraph(sources).keys());
  t.deepEqual(
    Object.keys(rules).filter((f) => !folders.has(f)),
    [],
  );
  t.deepEqual(
    [...folders].filter((f) => !(f in rules)),
    [],
  );
});

test('every folder with TypeScript is type-checked by npm test (tsconfig.json include)', (t) => {
  const { include } = JSON.parse(readFileSync(join(root, 'tsconfig.json'), 'utf8')) as { include: string[] };
  const folders = new Set(
    [...sources.keys()]
      .filter((f) => f.endsWith('.ts'))
      .map((f) => (f.includes('/') ? `${folderOf(f)}/**/*.ts` : '*.ts')),
  );
  t.deepEqual(
    [...folders].filter((glob) => !include.includes(glob)),
    [],
  );
});

test('the rules are closed: a folder may reach everything the folders it may reach can reach', (t) => {
  const missing = Object.entries(rules).flatMap(([folder, allowed]) =>
    allowed.includes('*')
      ? []
      : allowed.flatMap((to) =>
          (rules[to] ?? [])
            .filter((x) => x !== folder && !allowed.includes(x))
            .map((x) => `${folder} reaches ${x} through ${to}`),
        ),
  );
  t.deepEqual(missing, []);
});

test('the folders import one another without a cycle', (t) => {
  t.deepEqual(cycles(folderGraph(sources)), []);
});

test('no module import cycle beyond the known ones', (t) => {
  t.deepEqual(cycles(graph), knownModuleCycles);
});

test('domain rules reach only domain rules, the error type and catalogue and lib/, and no web framework', (t) => {
  const errors = new Set(['idp/errors/esia_error.ts', 'idp/errors/catalogue.ts']);
  const bad = under('idp/domain/').flatMap((file) => [
    ...[...reachable(graph, file)]
      .filter((m) => !m.startsWith('idp/domain/') && !m.startsWith('lib/') && !errors.has(m))
      .map((m) => `${file} → ${m}`),
    ...packagesReached(file).filter((edge) => /→ (koa|@koa\/|oidc-provider)/.test(edge)),
  ]);
  t.deepEqual(bad, []);
});

test('the error catalogue is a leaf', (t) => {
  t.deepEqual(importsOf('idp/errors/catalogue.ts', sources.get('idp/errors/catalogue.ts')!), []);
});

test('the trainer reaches the emulator only through its control API, and reads the error catalogues', (t) => {
  const catalogues = new Set(['idp/errors/catalogue.ts', 'relying-party/errors.ts']);
  const bad = under('trainer/').flatMap((file) =>
    (graph.get(file) ?? [])
      .filter((m) => /^(idp|relying-party)\//.test(m) && !catalogues.has(m))
      .map((m) => `${file} → ${m}`),
  );
  t.deepEqual(bad, []);
});

// The checker on planted files: a rule it cannot break would prove nothing.
const planted = (files: Record<string, string>): Sources => new Map(Object.entries(files));

test('checker: every kind of import is seen (named, type-only, re-export, side effect, dynamic)', (t) => {
  const source = [
    "import { a } from '../lib/a.ts';",
    "import type { B } from '../lib/b.ts';",
    "export * from './c.ts';",
    "export { d } from '../keys/d.ts';",
    "import '../lib/e.ts';",
    'import {\n  f,\n  g,\n} from "../lib/f.ts";',
    "const h = await import('../lib/h.ts');",
    "import x from 'koa';",
  ].join('\n');
  t.deepEqual(importsOf('idp/x.ts', source), [
    'lib/a.ts',
    'lib/b.ts',
    'idp/c.ts',
    'keys/d.ts',
    'lib/f.ts',
    'koa',
    'lib/e.ts',
    'lib/h.ts',
  ]);
});

test('checker: a planted wrong import fails, directly and through an allowed folder', (t) => {
  const files = planted({
    'lib/util.ts': "import { x } from '../idp/secret.ts';\n",
    'idp/secret.ts': 'export const x = 1;\n',
    'relying-party/app.ts': "import '../lib/util.ts';\n",
  });
  t.deepEqual(folderViolations(files, { lib: [], idp: ['lib'], 'relying-party': ['lib'] }), [
    'lib/util.ts → idp/secret.ts',
    'relying-party/app.ts → idp/secret.ts (via lib/util.ts)',
  ]);
  t.deepEqual(folderViolations(planted({ 'tools/a.ts': '' }), {}), ['tools/a.ts: folder tools has no rule']);
});

test('checker: a planted cycle is found, between folders and between modules', (t) => {
  const files = planted({
    'scenarios/stand.ts': "import { routes } from '../trainer/routes.ts';\n",
    'trainer/routes.ts': "import { load } from '../scenarios/load.ts';\n",
    'scenarios/load.ts': "export { x } from './stand.ts';\n",
    'lib/leaf.ts': '',
  });
  t.deepEqual(cycles(folderGraph(files)), [['scenarios', 'trainer']]);
  t.deepEqual(cycles(moduleGraph(files)), [['scenarios/load.ts', 'scenarios/stand.ts', 'trainer/routes.ts']]);
  t.deepEqual(cycles(moduleGraph(planted({ 'lib/a.ts': "import './b.ts';", 'lib/b.ts': '' }))), []);
});
