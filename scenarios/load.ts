/* Reads and validates every scenario file; an invalid file stops the run with the exact field named. */
import { readdir, readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { projectRoot } from '../lib/project_root.ts';
import { type Scenario, validateScenario } from './schema.ts';

export const catalogueDir = join(projectRoot, 'scenarios', 'catalogue');

export async function loadScenarios(dir = catalogueDir): Promise<Scenario[]> {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.json')).sort();
  return Promise.all(
    files.map(async (file) => {
      const id = basename(file, '.json');
      let json: unknown;
      try {
        json = JSON.parse(await readFile(join(dir, file), 'utf8'));
      } catch (error) {
        throw new Error(`scenarios/catalogue/${file}: not valid JSON (${(error as Error).message})`);
      }
      return validateScenario(json, id);
    }),
  );
}
