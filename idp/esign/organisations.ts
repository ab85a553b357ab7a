/* Reads config/organisations.json (A9): organisations, their allowed sign-in methods and members. */
import { readConfigFile } from '../../lib/config_file.ts';
import { absent, ConfigFileError } from '../../lib/errors.ts';
import type { Organisation } from '../domain/policy.ts';

/** The organisations of the file; none when there is no file. */
export async function readOrganisations(path: string): Promise<Organisation[]> {
  const parsed = (await readConfigFile(path, { organisations: [] })) as { organisations?: unknown } | null;
  const bad = (field: string, expected: string, actual: unknown) =>
    new ConfigFileError(path, { field, expected, actual: actual ?? absent });
  if (!Array.isArray(parsed?.organisations))
    throw bad('organisations', 'a list of organisations: {"organisations": [...]}', parsed?.organisations);
  parsed.organisations.forEach((o: Partial<Organisation>, i: number) => {
    const at = `organisations[${i}]`;
    if (typeof o !== 'object' || o === null)
      throw bad(at, 'an organisation object {id, name, members, allowed_methods?}', o);
    if (typeof o.id !== 'string' || !o.id) throw bad(`${at}.id`, 'the organisation\'s id, e.g. "gkb1"', o.id);
    if (typeof o.name !== 'string' || !o.name) throw bad(`${at}.name`, "the organisation's name", o.name);
    if (!Array.isArray(o.members)) throw bad(`${at}.members`, 'a list of persona keys', o.members);
    if (o.allowed_methods !== undefined && (!Array.isArray(o.allowed_methods) || o.allowed_methods.length === 0)) {
      throw bad(`${at}.allowed_methods`, 'a non-empty list such as ["esign"], or no field at all', o.allowed_methods);
    }
  });
  return parsed.organisations as Organisation[];
}
