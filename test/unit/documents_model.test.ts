/* The documents' rules by the run's clock (7 days on review, 12 months of history) and the notification of every change. */
import test from 'ava';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  addDocument,
  allDocuments,
  decisionProblem,
  type FileVersion,
  historyHorizon,
  replaceFile,
  requestStatus,
  review,
  statusRequestRule,
  visibleHistory,
} from '../../relying-party/documents/model.ts';
import { documentsSeeder } from '../../relying-party/documents/seed.ts';
import { notificationsOf } from '../../relying-party/notifications.ts';
import { loadFixtures } from '../../relying-party/register.ts';
import { rpDefaults } from '../../relying-party/config.ts';
import { Workspaces } from '../../relying-party/workspaces.ts';

const day = 24 * 60 * 60_000;
const start = Date.parse('2026-12-01T09:00:00Z');
const snils = '112-233-401 83';

async function workspace(t: import('ava').ExecutionContext) {
  const dir = await mkdtemp(join(tmpdir(), 'rp-docs-model-'));
  const records = await loadFixtures(rpDefaults.registerFixtures);
  const all = await Workspaces.open(join(dir, 'data.json'), {
    seed: async () => ({ records }),
    seeders: [documentsSeeder()],
  });
  t.teardown(async () => {
    await all.close();
    await rm(dir, { recursive: true, force: true });
  });
  await all.reset(all.main, { instant: start, frozen: true });
  return all.main;
}

const file = (ws: { clock: { now(): number } }, id: string): FileVersion => ({
  id,
  name: `${id}.pdf`,
  size: 10,
  contentType: 'application/pdf',
  uploadedAt: new Date(ws.clock.now()).toISOString(),
});

test('the 7-day rule: refused with the days so far, allowed at 7 days, then again only 7 days after the request', async (t) => {
  const ws = await workspace(t);
  const doc = addDocument(ws, snils, { type: 'diploma', title: 'Диплом' }, file(ws, 'a'));
  t.regex(String((statusRequestRule(doc, ws.clock.now()) as { reason: string }).reason), /на проверке 0 дней/);
  ws.clock.advance(7 * day - 1000);
  const early = statusRequestRule(doc, ws.clock.now());
  t.false(early.allowed);
  t.regex(early.allowed ? '' : early.reason, /на проверке 6 дней/);
  t.is(early.allowed ? 0 : early.from, start + 7 * day);
  ws.clock.advance(1000);
  t.true(statusRequestRule(doc, ws.clock.now()).allowed);
  requestStatus(ws, doc);
  t.regex(String((statusRequestRule(doc, ws.clock.now()) as { reason: string }).reason), /уже запрошен/);
  ws.clock.advance(7 * day);
  t.true(statusRequestRule(doc, ws.clock.now()).allowed);
  review(ws, doc, 'accepted', '', 'Громова Ирина Павловна');
  t.regex(String((statusRequestRule(doc, ws.clock.now()) as { reason: string }).reason), /уже проверен: принят/);
});

test('history older than 12 months leaves the page as the clock moves, the entries themselves are not edited', async (t) => {
  const ws = await workspace(t);
  const doc = addDocument(ws, snils, { type: 'license', title: 'Лицензия' }, file(ws, 'a'));
  ws.clock.advance(30 * day);
  review(ws, doc, 'rejected', 'Нет печати.', 'Громова Ирина Павловна');
  t.deepEqual(
    visibleHistory(doc, ws.clock.now()).map((e) => e.event),
    ['rejected', 'uploaded'],
  );
  ws.clock.advance(340 * day);
  t.deepEqual(
    visibleHistory(doc, ws.clock.now()).map((e) => e.event),
    ['rejected'],
  );
  ws.clock.advance(40 * day);
  t.deepEqual(visibleHistory(doc, ws.clock.now()), []);
  t.is(doc.history.length, 2);
  t.is(historyHorizon(Date.parse('2027-03-01T00:00:00Z')), Date.parse('2026-03-01T00:00:00Z'));
});

test('every change notifies the person: uploaded, rejected with its reason, re-uploaded, accepted, status requested', async (t) => {
  const ws = await workspace(t);
  const doc = addDocument(ws, snils, { type: 'statement', title: 'Справка' }, file(ws, 'a'));
  t.is(
    decisionProblem(doc, 'rejected', ' '),
    'Для отклонения нужен комментарий: человек прочитает в нём, что исправить.',
  );
  review(ws, doc, 'rejected', 'Справка устарела.', 'Тихонов Роман Евгеньевич');
  replaceFile(ws, doc, file(ws, 'b'));
  ws.clock.advance(8 * day);
  requestStatus(ws, doc);
  review(ws, doc, 'accepted', '', 'Громова Ирина Павловна');
  const kinds = notificationsOf(ws, snils)
    .slice(0, 5)
    .map((n) => n.kind);
  t.deepEqual(kinds, [
    'document.accepted',
    'document.status_requested',
    'document.uploaded',
    'document.rejected',
    'document.uploaded',
  ]);
  t.regex(notificationsOf(ws, snils)[3]!.text, /Причина: Справка устарела\./);
  t.is(notificationsOf(ws, snils)[0]!.link, `/documents/${doc.id}`);
  t.deepEqual(
    doc.files.map((f) => f.id),
    ['a', 'b'],
  );
});

test('the seed gives every person with a register record documents in each status, some long on review, some with old history', async (t) => {
  const ws = await workspace(t);
  const docs = allDocuments(ws);
  const owners = new Set(docs.map((d) => d.owner));
  t.is(owners.size, Object.keys(ws.data.records).length);
  for (const owner of owners) {
    const mine = docs.filter((d) => d.owner === owner);
    for (const status of ['accepted', 'review', 'rejected'])
      t.true(mine.filter((d) => d.status === status).length >= 2, `${owner} ${status}`);
    t.true(mine.some((d) => d.status === 'review' && start - Date.parse(d.submittedAt) > 7 * day));
    t.true(mine.some((d) => d.history.some((e) => Date.parse(e.at) < historyHorizon(start))));
  }
});
