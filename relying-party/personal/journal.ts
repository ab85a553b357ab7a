/*
 * The journal of a person's data (G4): every state of the editable fields is a numbered version, the
 * last one current. An edit, a restore and a refresh from Госуслуги each add a version saying when
 * (the run's clock), what changed (field, old → new) and how the person had signed in (amr). A save
 * names the version its form was opened on; when another save came first, nothing is written and
 * the caller gets the changes made meanwhile (a conflict), never a silent overwrite.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../../lib/project_root.ts';
import type { RpData, Seeder } from '../data.ts';
import { type RegisterRecord, snilsKey } from '../register.ts';
import type { Workspace } from '../workspaces.ts';
import {
  type EditableField,
  editableFields,
  type GosuslugiField,
  gosuslugiFields,
  type PersonalValues,
} from './fields.ts';

export interface Change {
  field: EditableField | GosuslugiField;
  from: string;
  to: string;
}

export type VersionSource = 'register' | 'edit' | 'restore' | 'gosuslugi';

export interface PersonalVersion {
  n: number;
  /** ISO instant by the run's clock. */
  at: string;
  source: VersionSource;
  /** How the person had signed in to Госуслуги (amr of the session); empty for the register's own record. */
  amr: string[];
  /** For a restore: the version brought back. */
  restoredFrom?: number;
  changes: Change[];
  /** The editable fields as they stood after this version. */
  values: PersonalValues;
}

export interface PersonalFile {
  versions: PersonalVersion[];
}

type WithPersonal = RpData & { personal?: Record<string, PersonalFile> };

/**
 * The register's seed of each person's data, by СНИЛС digits (workStart etc. as ISO dates). Found from
 * the project root, not this file: in the bundle `npm start` runs, this module lives in build/.
 */
const fixtures = JSON.parse(readFileSync(join(projectRoot, 'relying-party', 'fixtures', 'personal.json'), 'utf8')) as {
  people: Record<string, Omit<PersonalValues, 'specialty'>>;
};

/** Version 1 of a person: what the register holds (the fixtures, else blank but the specialty), dated `now`. */
function firstFile(key: string, record: RegisterRecord, now: number): PersonalFile {
  const blank = Object.fromEntries(editableFields.map((f) => [f, ''])) as PersonalValues;
  const values = { ...blank, ...fixtures.people[key], specialty: record.specialty };
  return { versions: [{ n: 1, at: new Date(now).toISOString(), source: 'register', amr: [], changes: [], values }] };
}

/** A fresh run: each person's journal starts with the register's record, dated at the run's start. */
export const seedPersonal: Seeder = (data, _seed, now) => {
  (data as WithPersonal).personal = Object.fromEntries(
    Object.entries(data.records).map(([key, record]) => [key, firstFile(key, record, now)]),
  );
};

/**
 * The person's journal. It is made on first use when the run's data has none: a main-run data file
 * written before personal data existed, or a record added to it by hand.
 */
export function ensureFile(ws: Workspace, record: RegisterRecord): PersonalFile {
  const all = ((ws.data as WithPersonal).personal ??= {});
  const key = snilsKey(record.snils);
  const found = all[key];
  if (found) return found;
  const file = firstFile(key, record, ws.clock.now());
  all[key] = file;
  ws.changed();
  return file;
}

export function current(file: PersonalFile): PersonalVersion {
  return file.versions.at(-1)!;
}

export function diff(before: PersonalValues, after: PersonalValues): Change[] {
  return editableFields.filter((f) => before[f] !== after[f]).map((f) => ({ field: f, from: before[f], to: after[f] }));
}

/** The result of a write: the new version, nothing to write, or the versions saved since the form was opened. */
export type Written =
  | { kind: 'saved'; version: PersonalVersion }
  | { kind: 'unchanged' }
  | { kind: 'conflict'; since: PersonalVersion[] };

interface Author {
  amr: readonly string[];
  /** The version the person's page was opened on. */
  base: number;
}

function append(
  ws: Workspace,
  record: RegisterRecord,
  file: PersonalFile,
  entry: Omit<PersonalVersion, 'n' | 'at'>,
): PersonalVersion {
  const version: PersonalVersion = { n: current(file).n + 1, at: new Date(ws.clock.now()).toISOString(), ...entry };
  file.versions.push(version);
  // The register's own record and the cabinet's home page show the specialty too: one value.
  record.specialty = version.values.specialty;
  ws.changed();
  return version;
}

function stale(file: PersonalFile, base: number): Written | undefined {
  const head = current(file);
  return base === head.n ? undefined : { kind: 'conflict', since: file.versions.filter((v) => v.n > base) };
}

/** Saves the edited fields as a new version, unless the form was opened on an older one. */
export function saveEdit(
  ws: Workspace,
  record: RegisterRecord,
  file: PersonalFile,
  values: PersonalValues,
  by: Author,
): Written {
  const conflict = stale(file, by.base);
  if (conflict) return conflict;
  const changes = diff(current(file).values, values);
  if (!changes.length) return { kind: 'unchanged' };
  return { kind: 'saved', version: append(ws, record, file, { source: 'edit', amr: [...by.amr], changes, values }) };
}

/** Brings version `n` back as a new version (itself journaled); undefined when there is no such version. */
export function restore(
  ws: Workspace,
  record: RegisterRecord,
  file: PersonalFile,
  n: number,
  by: Author,
): Written | undefined {
  const earlier = file.versions.find((v) => v.n === n);
  if (!earlier) return undefined;
  const conflict = stale(file, by.base);
  if (conflict) return conflict;
  const values = { ...earlier.values };
  const changes = diff(current(file).values, values);
  if (!changes.length) return { kind: 'unchanged' };
  return {
    kind: 'saved',
    version: append(ws, record, file, { source: 'restore', amr: [...by.amr], restoredFrom: n, changes, values }),
  };
}

/** The register's operator changed the record: journaled as the register's version, with no sign-in. */
export function recordRegisterChange(
  ws: Workspace,
  record: RegisterRecord,
  file: PersonalFile,
  values: PersonalValues,
  own: Partial<Record<GosuslugiField, string>>,
): PersonalVersion | undefined {
  const changes: Change[] = [
    ...gosuslugiFields
      .filter((f) => own[f] !== undefined && own[f] !== record[f])
      .map((f) => ({ field: f, from: record[f], to: own[f]! })),
    ...diff(current(file).values, values),
  ];
  if (!changes.length) return undefined;
  for (const f of gosuslugiFields) if (own[f] !== undefined) record[f] = own[f]!;
  return append(ws, record, file, { source: 'register', amr: [], changes, values });
}

/** What Госуслуги say of the person (claims of the session), by the register's field names. */
export function gosuslugiValues(claims: Record<string, unknown>): Partial<Record<GosuslugiField, string>> {
  const named: Record<GosuslugiField, unknown> = {
    lastName: claims.family_name,
    firstName: claims.given_name,
    middleName: claims.middle_name,
    birthDate: claims.birthdate,
  };
  return Object.fromEntries(
    Object.entries(named).filter((e): e is [GosuslugiField, string] => typeof e[1] === 'string' && e[1] !== ''),
  );
}

/** Takes ФИО and the date of birth from Госуслуги into the record; journaled when anything differed. */
export function refreshFromGosuslugi(
  ws: Workspace,
  record: RegisterRecord,
  file: PersonalFile,
  claims: Record<string, unknown>,
  amr: readonly string[],
): Written {
  const fresh = gosuslugiValues(claims);
  const changes: Change[] = gosuslugiFields
    .filter((f) => fresh[f] !== undefined && fresh[f] !== record[f])
    .map((f) => ({ field: f, from: record[f], to: fresh[f]! }));
  if (!changes.length) return { kind: 'unchanged' };
  for (const c of changes) record[c.field as GosuslugiField] = c.to;
  const values = { ...current(file).values };
  return { kind: 'saved', version: append(ws, record, file, { source: 'gosuslugi', amr: [...amr], changes, values }) };
}
