import test from 'ava';
import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readmeIsCurrent, schemaIsCurrent } from '../scenarios/docs.ts';

const root = join(import.meta.dirname, '..');

test('the README lists every scenario, step kind and persona as they are (run `npm run docs` to refresh)', async (t) => {
  t.true((await readmeIsCurrent()).current);
});

test('scenarios/schema.json is the schema the step modules define (run `npm run docs` to refresh)', async (t) => {
  t.true((await schemaIsCurrent()).current);
});

/** The README's «Layout» block, as written. */
async function layoutBlock(): Promise<string> {
  const readme = await readFile(join(root, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Layout'));
  return section.slice(section.indexOf('```') + 3, section.indexOf('```', section.indexOf('```') + 3));
}

test("the README's Layout names every top-level folder and every folder of the products, as they are in the tree", async (t) => {
  const layout = await layoutBlock();
  const tracked = execFileSync('git', ['ls-files'], { cwd: root, encoding: 'utf8' })
    .split('\n')
    .filter((f) => /\.(ts|mjs)$/.test(f));
  const top = new Set(tracked.filter((f) => f.includes('/')).map((f) => f.split('/')[0]!));
  const inner = new Set(
    tracked.filter((f) => /^(idp|lib|scenarios|relying-party)\/[^/]+\//.test(f)).map((f) => f.split('/')[1]!),
  );
  const missing = [
    ...[...top].filter((d) => !new RegExp(`^${d}/`, 'm').test(layout)),
    ...[...inner].filter((d) => !layout.includes(`${d}/`)),
  ];
  t.deepEqual(missing, [], 'folders the Layout does not name');
});
