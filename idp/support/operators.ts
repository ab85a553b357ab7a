/*
 * Operators of the support console and what each role may do (E2, F3). The operators file is checked
 * at start-up: one role per account, and one account per person (same ФИО or employee id twice is a
 * second role for the same person — refused with the exact entries named).
 */
import { readFile } from 'node:fs/promises';

export const roles = ['operator', 'senior', 'trainer'] as const;
export type Role = (typeof roles)[number];

export const roleTitles: Record<Role, string> = { operator: 'оператор', senior: 'старший оператор', trainer: 'тренер' };

/** Everything an operator can ask the console for; each is journaled as `support.<action>`. */
export const supportActions = ['search', 'view', 'lookup_ref', 'unlock', 'reset_password', 'temporary_code', 'note', 'edit_state', 'revoke_certificate', 'start_run',
  // Re-issue a certificate (E2), announce and end maintenance or an outage (E3).
  'reissue_certificate', 'announce_outage', 'end_outage'] as const;
export type SupportAction = (typeof supportActions)[number];

/** The role matrix, enforced on the server for every request (the pages only hide what is refused anyway). */
export const permissions: Record<Role, ReadonlySet<SupportAction>> = {
  operator: new Set(['search', 'view', 'lookup_ref', 'unlock', 'reset_password', 'temporary_code', 'note']),
  senior: new Set(['search', 'view', 'lookup_ref', 'unlock', 'reset_password', 'temporary_code', 'note', 'edit_state', 'revoke_certificate', 'reissue_certificate', 'announce_outage', 'end_outage']),
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

export class OperatorsFileError extends Error {
  override name = 'OperatorsFileError';
}

/** Validates the parsed operators file; throws naming the file, the entry and what was expected. */
export function parseOperators(value: unknown, path: string): Map<string, Operator> {
  const list = (value as { operators?: unknown } | null)?.operators;
  if (!Array.isArray(list)) throw new OperatorsFileError(`${path}: expected {"operators": [{login, name, role, passwordHash}, …]}.`);
  const byLogin = new Map<string, Operator>();
  const byPerson = new Map<string, Operator>();
  list.forEach((entry: Record<string, unknown>, i) => {
    const at = `${path} operators[${i}]`;
    if (typeof entry !== 'object' || entry === null) throw new OperatorsFileError(`${at}: expected an object.`);
    const { login, name, role, passwordHash, employeeId } = entry;
    if (typeof login !== 'string' || !/^[a-z][a-z0-9._-]{1,31}$/.test(login)) throw new OperatorsFileError(`${at}.login: expected a Latin login such as "operator"; got ${JSON.stringify(login)}.`);
    if (typeof name !== 'string' || name.trim().split(/\s+/).length < 2) throw new OperatorsFileError(`${at}.name: expected the operator's ФИО; got ${JSON.stringify(name)}.`);
    if (Array.isArray(role) || 'roles' in entry) {
      throw new OperatorsFileError(`${at} (${login}): one account has exactly one role (F3); got ${JSON.stringify(role ?? entry.roles)}. Give the person one role.`);
    }
    if (!roles.includes(role as Role)) throw new OperatorsFileError(`${at}.role: expected one of ${roles.join(', ')}; got ${JSON.stringify(role)}.`);
    if (typeof passwordHash !== 'string' || !passwordHash.startsWith('scrypt$')) {
      throw new OperatorsFileError(`${at}.passwordHash: expected a scrypt hash (node --import tsx idp/support/hash_password.ts <password>).`);
    }
    if (employeeId !== undefined && typeof employeeId !== 'string') throw new OperatorsFileError(`${at}.employeeId: expected a string.`);
    const operator: Operator = { login, name: name.trim(), role: role as Role, passwordHash, ...(employeeId ? { employeeId } : {}) };
    const same = byLogin.get(login);
    if (same) throw new OperatorsFileError(`${at}: login "${login}" is already used by another entry (role ${same.role}); logins are unique.`);
    for (const key of [`name:${operator.name.toLowerCase().replace(/\s+/g, ' ')}`, ...(employeeId ? [`id:${employeeId}`] : [])]) {
      const other = byPerson.get(key);
      if (other) {
        throw new OperatorsFileError(
          `${at}: "${login}" (${operator.role}) and "${other.login}" (${other.role}) are the same person (${key.startsWith('id:') ? `employeeId ${employeeId}` : `ФИО ${operator.name}`}). One person acts in one role only (F3): remove one of the accounts.`,
        );
      }
      byPerson.set(key, operator);
    }
    byLogin.set(login, operator);
  });
  return byLogin;
}

export async function readOperators(path: string): Promise<Map<string, Operator>> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw new OperatorsFileError(`Operators file ${path} cannot be read: ${(error as Error).message}`);
  }
  return parseOperators(parsed, path);
}
