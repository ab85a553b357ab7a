/* The personal-data journal without a server: versions, the stale-version rule, restore, refresh, and a data file older than the journal. */
import test from 'ava';
import type { RpData } from '../../relying-party/data.ts';
import { current, ensureFile, refreshFromGosuslugi, restore, saveEdit } from '../../relying-party/personal/journal.ts';
import type { RegisterRecord } from '../../relying-party/register.ts';
import { Workspace } from '../../relying-party/workspaces.ts';

function workspaceWith(record: RegisterRecord): Workspace {
  const data: RpData = { version: 1, records: { '11223340183': record } };
  const ws = new Workspace('main', { data, changed() {}, replace() {}, flush: async () => {} });
  ws.clock.set(Date.parse('2026-12-03T09:00:00Z'), true);
  return ws;
}

const ivanov = (): RegisterRecord => ({
  snils: '112-233-401 83',
  lastName: 'Иванов',
  firstName: 'Иван',
  middleName: 'Иваныч',
  birthDate: '1985-03-14',
  accountNumber: 'ФМРМ-0000101',
  organisation: 'ГБУЗ «Городская поликлиника № 1» (тестовая)',
  specialty: 'Терапия',
  status: 'Зарегистрирован',
  upcomingChecks: [],
});

test('a data file written before the journal existed gets version 1 from the fixtures on first use', (t) => {
  const record = ivanov();
  const file = ensureFile(workspaceWith(record), record);
  t.is(file.versions.length, 1);
  t.like(current(file), { n: 1, source: 'register', values: { phone: '+7 (916) 201-40-10', specialty: 'Терапия' } });
});

test('only a save on the current version is written; the specialty follows into the register record', (t) => {
  const record = ivanov();
  const ws = workspaceWith(record);
  const file = ensureFile(ws, record);
  const values = { ...current(file).values, specialty: 'Кардиология' };
  t.like(saveEdit(ws, record, file, values, { amr: ['pwd', 'sms', 'mfa'], base: 1 }), { kind: 'saved' });
  t.is(record.specialty, 'Кардиология');
  const stale = saveEdit(ws, record, file, { ...values, phone: '+7 (903) 000-00-01' }, { amr: [], base: 1 });
  t.is(stale.kind, 'conflict');
  t.deepEqual(stale.kind === 'conflict' ? stale.since.map((v) => v.n) : [], [2]);
  t.is(current(file).values.phone, '+7 (916) 201-40-10');
  t.deepEqual(saveEdit(ws, record, file, values, { amr: [], base: 2 }), { kind: 'unchanged' });
  t.is(restore(ws, record, file, 7, { amr: [], base: 2 }), undefined);
  t.like(restore(ws, record, file, 1, { amr: ['pwd'], base: 2 }), {
    kind: 'saved',
    version: { n: 3, source: 'restore', restoredFrom: 1, amr: ['pwd'] },
  });
  t.is(record.specialty, 'Терапия');
});

test('a refresh takes only the names and the date Госуслуги sent, and journals what differed', (t) => {
  const record = ivanov();
  const ws = workspaceWith(record);
  const file = ensureFile(ws, record);
  const written = refreshFromGosuslugi(
    ws,
    record,
    file,
    { family_name: 'Иванов', given_name: 'Иван', middle_name: 'Иванович', birthdate: '', snils: '000' },
    ['pwd', 'sms'],
  );
  t.like(written, {
    kind: 'saved',
    version: { source: 'gosuslugi', changes: [{ field: 'middleName', from: 'Иваныч', to: 'Иванович' }] },
  });
  t.is(record.birthDate, '1985-03-14', 'an empty claim changes nothing');
  t.is(record.snils, '112-233-401 83');
});
