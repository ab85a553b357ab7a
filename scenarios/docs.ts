/*
 * Generates the README's scenario and persona tables from the scenario files and the fixtures, so
 * the README never drifts: `npm run docs` rewrites them, test/docs.test.ts fails when they are stale.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseCli } from '../lib/cli.ts';
import { loadScenarios } from './load.ts';

const root = join(import.meta.dirname, '..');
const readmePath = join(root, 'README.md');

export async function generatedBlocks(): Promise<Record<string, string>> {
  const scenarios = await loadScenarios();
  const { personas } = JSON.parse(await readFile(join(root, 'config', 'personas.json'), 'utf8')) as {
    personas: Array<{ persona: string; phone: string; email: string; snils: string; password: string; demonstrates: string; catalogue: string[] }>;
  };
  const scenarioRows = scenarios.map((s) => `| \`${s.id}\` | ${s.protocol ? 'protocol' : s.catalogue.join(', ')} | ${s.title} |`);
  const personaRows = personas.map((p) => `| \`${p.persona}\` | \`${p.phone}\` | \`${p.password}\` | ${p.demonstrates} | ${p.catalogue.join(', ')} |`);
  return {
    scenarios: ['| scenario | catalogue IDs | what it shows |', '|---|---|---|', ...scenarioRows].join('\n'),
    personas: ['| persona | login (phone) | password | what it demonstrates | IDs |', '|---|---|---|---|---|', ...personaRows].join('\n'),
  };
}

export function fill(readme: string, blocks: Record<string, string>): string {
  let out = readme;
  for (const [name, body] of Object.entries(blocks)) {
    const pattern = new RegExp(`(<!-- generated:${name} -->\\n)[\\s\\S]*?(\\n<!-- /generated:${name} -->)`);
    if (!pattern.test(out)) throw new Error(`README.md has no <!-- generated:${name} --> block`);
    out = out.replace(pattern, `$1${body}$2`);
  }
  return out;
}

export async function readmeIsCurrent(): Promise<{ current: boolean; expected: string }> {
  const readme = await readFile(readmePath, 'utf8');
  const expected = fill(readme, await generatedBlocks());
  return { current: expected === readme, expected };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  parseCli({ command: 'npm run docs', summary: "Regenerates the README's scenario and persona tables from the scenario files and the fixtures.", options: {} });
  const { current, expected } = await readmeIsCurrent();
  if (!current) await writeFile(readmePath, expected);
  console.log(current ? 'README.md is up to date.' : 'README.md tables regenerated.');
}
