/* Reads config/organisations.json (A9): organisations, their allowed sign-in methods and members. */
import { readFile } from 'node:fs/promises';
import type { Organisation } from '../domain/policy.ts';

export class OrganisationsFileError extends Error {
  override name = 'OrganisationsFileError';
}

export async function readOrganisations(path: string): Promise<Organisation[]> {
  let parsed: { organisations?: unknown };
  try {
    parsed = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new OrganisationsFileError(`Organisations file ${path} cannot be read: ${(error as Error).message}`);
  }
  if (!Array.isArray(parsed.organisations)) throw new OrganisationsFileError(`Organisations file ${path}: expected {"organisations": [...]}`);
  parsed.organisations.forEach((o: Partial<Organisation>, i: number) => {
    const at = `Organisations file ${path}: organisations[${i}]`;
    if (typeof o.id !== 'string' || !o.id) throw new OrganisationsFileError(`${at}.id is missing`);
    if (typeof o.name !== 'string' || !o.name) throw new OrganisationsFileError(`${at} (${o.id}).name is missing`);
    if (!Array.isArray(o.members)) throw new OrganisationsFileError(`${at} (${o.id}).members: expected an array of persona keys`);
    if (o.allowed_methods !== undefined && (!Array.isArray(o.allowed_methods) || o.allowed_methods.length === 0)) {
      throw new OrganisationsFileError(`${at} (${o.id}).allowed_methods: expected a non-empty array such as ["esign"], or leave it out`);
    }
  });
  return parsed.organisations as Organisation[];
}
