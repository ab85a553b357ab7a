/*
 * The documents of a fresh run, from fixtures/documents.json at the run's instant: every person with a
 * register record gets the common set (and their own extras), dated relative to `now`, so a document
 * seeded «на проверке 9 дней» is so whenever the stand starts or a scenario resets its run.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigFileError } from '../../lib/errors.ts';
import { projectRoot } from '../../lib/project_root.ts';
import type { Seeder } from '../data.ts';
import type { RegisterRecord } from '../register.ts';
import {
  type DocumentType,
  type FileVersion,
  type HistoryEntry,
  isDocumentType,
  type PersonDocument,
  type WithDocuments,
} from './model.ts';
import { sniffedByName } from './seeded_file.ts';

interface SeedEvent {
  event: HistoryEntry['event'];
  daysAgo: number;
  by?: string;
  comment?: string;
}
interface SeedDocument {
  type: DocumentType;
  title: string;
  file: string;
  history: SeedEvent[];
}
interface DocumentsFixture {
  everyone: SeedDocument[];
  bySnils: Record<string, SeedDocument[]>;
}

export const documentsFixture = join(projectRoot, 'relying-party', 'fixtures', 'documents.json');
const dayMs = 24 * 60 * 60_000;

function readFixture(path: string): DocumentsFixture {
  const parsed = JSON.parse(readFileSync(path, 'utf8')) as Partial<DocumentsFixture>;
  const all = [...(parsed.everyone ?? []), ...Object.values(parsed.bySnils ?? {}).flat()];
  all.forEach((d, i) => {
    if (!isDocumentType(d.type))
      throw new ConfigFileError(path, { field: `documents[${i}].type`, expected: 'a document type', actual: d.type });
    if (!d.history?.length || !['uploaded'].includes(d.history[0]!.event))
      throw new ConfigFileError(path, {
        field: `documents[${i}].history`,
        expected: 'events, the first one "uploaded"',
        actual: d.history,
      });
  });
  return { everyone: parsed.everyone ?? [], bySnils: parsed.bySnils ?? {} };
}

/** A stable id per person and template, so a reset gives the same links. */
const seededId = (snils: string, index: number) =>
  createHash('sha256').update(`document:${snils}:${index}`).digest('base64url').slice(0, 12);

function build(
  record: RegisterRecord,
  owner: string,
  template: SeedDocument,
  index: number,
  now: number,
): PersonDocument {
  const id = seededId(owner, index);
  const n = owner.slice(-6);
  const title = template.title.replaceAll('{specialty}', record.specialty).replaceAll('{n}', n);
  const files: FileVersion[] = [];
  const history: HistoryEntry[] = [];
  for (const [i, e] of template.history.entries()) {
    const at = new Date(now - e.daysAgo * dayMs).toISOString();
    const entry: HistoryEntry = {
      at,
      event: e.event,
      ...(e.by ? { by: e.by } : {}),
      ...(e.comment ? { comment: e.comment } : {}),
    };
    if (e.event === 'uploaded' || e.event === 'reuploaded') {
      const file: FileVersion = {
        id: `${id}-${i}`,
        name: template.file,
        size: 0,
        contentType: sniffedByName(template.file),
        uploadedAt: at,
        seeded: true,
      };
      files.push(file);
      entry.fileId = file.id;
    }
    history.push(entry);
  }
  const lastUpload = history.findLastIndex((e) => e.event === 'uploaded' || e.event === 'reuploaded');
  const decision = history.slice(lastUpload).findLast((e) => e.event === 'accepted' || e.event === 'rejected');
  return {
    id,
    owner,
    type: template.type,
    title,
    status: decision?.event === 'accepted' ? 'accepted' : decision?.event === 'rejected' ? 'rejected' : 'review',
    ...(decision?.comment ? { comment: decision.comment } : {}),
    submittedAt: history[lastUpload]!.at,
    files,
    history,
  };
}

/** Re-reads the fixture on every fresh run, so an edit applies at the next reset without a restart. */
export function documentsSeeder(path = documentsFixture): Seeder {
  readFixture(path); // a broken file stops the start, naming the entry
  return (data, _seed, now) => {
    const fixture = readFixture(path);
    const documents: Record<string, PersonDocument> = {};
    for (const [owner, record] of Object.entries(data.records)) {
      const templates = [...fixture.everyone, ...(fixture.bySnils[owner] ?? [])];
      templates.forEach((template, i) => {
        const doc = build(record, owner, template, i, now);
        documents[doc.id] = doc;
      });
    }
    (data as WithDocuments).documents = documents;
  };
}
