/*
 * Generates the README's scenario, step and persona tables from the scenario files, the step
 * modules and the fixtures, and scenarios/schema.json from the scenario schema, so neither drifts:
 * `npm run docs` rewrites them, test/docs.test.ts fails when they are stale.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseCli } from '../lib/cli.ts';
import { loadScenarios } from './load.ts';
import { casesLabel, scenarioJsonSchema } from './schema.ts';
import { stepKinds } from './steps/index.ts';

const root = join(import.meta.dirname, '..');
const readmePath = join(root, 'README.md');
export const schemaPath = join(root, 'scenarios', 'schema.json');

export async function generatedBlocks(): Promise<Record<string, string>> {
  const scenarios = await loadScenarios();
  const { personas } = JSON.parse(await readFile(join(root, 'config', 'personas.json'), 'utf8')) as {
    personas: Array<{
      persona: string;
      phone: string;
      email: string;
      snils: string;
      password: string;
      demonstrates: string;
      catalogue: string[];
    }>;
  };
  const scenarioRows = scenarios.map((s) => `| \`${s.id}\` | ${casesLabel(s)} | ${s.title} |`);
  const personaRows = personas.map(
    (p) => `| \`${p.persona}\` | \`${p.phone}\` | \`${p.password}\` | ${p.demonstrates} | ${p.catalogue.join(', ')} |`,
  );
  const stepRows = stepKinds.map((k) => `| \`${k.kind}\` | ${k.description.replace(/\|/g, '\\|')} |`);
  return {
    steps: ['| step | what it does |', '|---|---|', ...stepRows].join('\n'),
    scenarios: ['| scenario | catalogue IDs | what it shows |', '|---|---|---|', ...scenarioRows].join('\n'),
    personas: [
      '| persona | login (phone) | password | what it demonstrates | IDs |',
      '|---|---|---|---|---|',
      ...personaRows,
    ].join('\n'),
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

/** Whether scenarios/schema.json is what the scenario schema gives now. */
export async function schemaIsCurrent(): Promise<{ current: boolean; expected: string }> {
  const expected = scenarioJsonSchema();
  const written = await readFile(schemaPath, 'utf8').catch(() => '');
  return { current: written === expected, expected };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  parseCli({
    command: 'npm run docs',
    summary:
      "Regenerates the README's scenario, step-kind and persona tables and scenarios/schema.json from the step modules, the scenario files and the fixtures.",
    options: {},
  });
  const readme = await readmeIsCurrent();
  if (!readme.current) await writeFile(readmePath, readme.expected);
  console.log(readme.current ? 'README.md is up to date.' : 'README.md tables regenerated.');
  const schema = await schemaIsCurrent();
  if (!schema.current) await writeFile(schemaPath, schema.expected);
  console.log(schema.current ? 'scenarios/schema.json is up to date.' : 'scenarios/schema.json regenerated.');
}
