/*
 * Operators of the support console and what each role may do (E2, F3). The operators file is checked
 * at start-up: one role per account, and one account per person (same ФИО or employee id twice is a
 * second role for the same person — refused with the exact entries named).
 */
import { readConfigFile } from '../../lib/config_file.ts';
import { absent, ConfigFileError } from '../../lib/errors.ts';

export const roles = ['operator', 'senior', 'trainer'] as const;
export type Role = (typeof roles)[number];

export const roleTitles: Record<Role, string> = { operator: 'оператор', senior: 'старший оператор', trainer: 'тренер' };

/** Everything an operator can ask the console for; each is journaled as `support.<action>`. */
export const supportActions = [
  'search',
  'view',
  'lookup_ref',
  'unlock',
  'reset_password',
  'temporary_code',
  'note',
  'edit_state',
  'revoke_certificate',
  'start_run',
  // Re-issue a certificate (E2), announce and end maintenance or an outage (E3).
  'reissue_certificate',
  'announce_outage',
  'end_outage',
] as const;
export type SupportAction = (typeof supportActions)[number];

/** The role matrix, enforced on the server for every request (the pages only hide what is refused anyway). */
export const permissions: Record<Role, ReadonlySet<SupportAction>> = {
  operator: new Set(['search', 'view', 'lookup_ref', 'unlock', 'reset_password', 'temporary_code', 'note']),
  senior: new Set([
    'search',
    'view',
    'lookup_ref',
    'unlock',
    'reset_password',
    'temporary_code',
    'note',
    'edit_state',
    'revoke_certificate',
    'reissue_certificate',
    'announce_outage',
    'end_outage',
  ]),
  trainer: new Set(['search', 'view', 'lookup_ref', 'start_run']),
};

export function may(role: Role, action: SupportAction): boolean {
  return permissions[role].has(action);
}

export interface Operator {
  login: string;
  /** ФИО */
  name: string;
  employeeId?: string;
  role: Role;
  passwordHash: string;
}

/** Validates the parsed operators file; throws naming the file, the entry and what was expected. */
export function parseOperators(value: unknown, path: string): Map<string, Operator> {
  const list = (value as { operators?: unknown } | null)?.operators;
  const bad = (field: string, expected: string, actual?: unknown) =>
    new ConfigFileError(path, { field, expected, actual });
  if (!Array.isArray(list))
    throw bad(
      'operators',
      'a list of operators: {"operators": [{login, name, role, passwordHash}, …]}',
      list ?? absent,
    );
  const byLogin = new Map<string, Operator>();
  const byPerson = new Map<string, Operator>();
  list.forEach((entry: Record<string, unknown>, i) => {
    const at = `operators[${i}]`;
    if (typeof entry !== 'object' || entry === null)
      throw bad(at, 'an operator object {login, name, role, passwordHash}', entry);
    const { login, name, role, passwordHash, employeeId } = entry;
    if (typeof login !== 'string' || !/^[a-z][a-z0-9._-]{1,31}$/.test(login))
      throw bad(`${at}.login`, 'a Latin login such as "operator"', login ?? absent);
    if (typeof name !== 'string' || name.trim().split(/\s+/).length < 2)
      throw bad(`${at}.name`, "the operator's ФИО", name ?? absent);
    if (Array.isArray(role) || 'roles' in entry) {
      throw bad(
        `${at}.role`,
        `exactly one role for "${login}" (one account, one role: F3), not a list or "roles"`,
        role ?? entry.roles,
      );
    }
    if (!roles.includes(role as Role)) throw bad(`${at}.role`, `one of ${roles.join(', ')}`, role ?? absent);
    if (typeof passwordHash !== 'string' || !passwordHash.startsWith('scrypt$')) {
      throw bad(`${at}.passwordHash`, 'a scrypt hash (node --import tsx idp/support/hash_password.ts <password>)');
    }
    if (employeeId !== undefined && typeof employeeId !== 'string')
      throw bad(`${at}.employeeId`, 'a string', employeeId);
    const operator: Operator = {
      login,
      name: name.trim(),
      role: role as Role,
      passwordHash,
      ...(employeeId ? { employeeId } : {}),
    };
    const same = byLogin.get(login);
    if (same) throw bad(`${at}.login`, `a login no other entry uses; "${login}" is already the ${same.role}'s`);
    for (const key of [
      `name:${operator.name.toLowerCase().replace(/\s+/g, ' ')}`,
      ...(employeeId ? [`id:${employeeId}`] : []),
    ]) {
      const other = byPerson.get(key);
      if (other) {
        throw bad(
          key.startsWith('id:') ? `${at}.employeeId` : `${at}.name`,
          `one account per person (F3): "${login}" (${operator.role}) and "${other.login}" (${other.role}) are the same person (${key.startsWith('id:') ? `employeeId ${employeeId}` : `ФИО ${operator.name}`}); remove one of the accounts`,
        );
      }
      byPerson.set(key, operator);
    }
    byLogin.set(login, operator);
  });
  return byLogin;
}

export async function readOperators(path: string): Promise<Map<string, Operator>> {
  return parseOperators(await readConfigFile(path), path);
}
