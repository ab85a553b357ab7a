/*
 * The reviewers of the relying party's console: a fixtures file of logins, names and scrypt password
 * hashes (fixtures/reviewers.json), read and checked once at start so a broken file stops the stand
 * with the entry named instead of failing at the first sign-in.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { absent, ConfigFileError, unreadable } from '../../lib/errors.ts';
import { projectRoot } from '../../lib/project_root.ts';

export const defaultReviewersFile = join(projectRoot, 'relying-party', 'fixtures', 'reviewers.json');

export interface Reviewer {
  login: string;
  /** ФИО, shown in the console and in a document's history. */
  name: string;
  passwordHash: string;
}

export function parseReviewers(value: unknown, path: string): Map<string, Reviewer> {
  const list = (value as { reviewers?: unknown } | null)?.reviewers;
  const bad = (field: string, expected: string, actual?: unknown) =>
    new ConfigFileError(path, { field, expected, actual });
  if (!Array.isArray(list))
    throw bad('reviewers', 'a list of reviewers: {"reviewers": [{login, name, passwordHash}, …]}', list ?? absent);
  const byLogin = new Map<string, Reviewer>();
  list.forEach((entry: Record<string, unknown> | null, i) => {
    const at = `reviewers[${i}]`;
    const { login, name, passwordHash } = entry ?? {};
    if (typeof login !== 'string' || !/^[a-z][a-z0-9._-]{1,31}$/.test(login))
      throw bad(`${at}.login`, 'a Latin login such as "reviewer"', login ?? absent);
    if (byLogin.has(login)) throw bad(`${at}.login`, `a login no other entry uses; "${login}" is taken`, login);
    if (typeof name !== 'string' || name.trim().split(/\s+/).length < 2)
      throw bad(`${at}.name`, "the reviewer's ФИО", name ?? absent);
    if (typeof passwordHash !== 'string' || !passwordHash.startsWith('scrypt$'))
      throw bad(`${at}.passwordHash`, 'a scrypt hash (node --import tsx idp/support/hash_password.ts <password>)');
    byLogin.set(login, { login, name: name.trim(), passwordHash });
  });
  return byLogin;
}

export function readReviewers(path: string): Map<string, Reviewer> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw unreadable(path, error);
  }
  return parseReviewers(parsed, path);
}
