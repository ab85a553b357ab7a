/* Where a notification's e-mail goes: the register's address and the Госуслуги one, each once; none without either. */
import test from 'ava';
import type { RpData } from '../../relying-party/data.ts';
import {
  clearNotifications,
  mailboxesOf,
  notificationsOf,
  notify,
  rememberEsiaEmail,
} from '../../relying-party/notifications.ts';
import { Workspace } from '../../relying-party/workspaces.ts';

const snils = '112-233-401 83';

function workspace(extra: Record<string, unknown> = {}): Workspace {
  const data = { version: 1, records: { '11223340183': { snils, email: undefined } }, ...extra } as unknown as RpData;
  return new Workspace('main', { data, changed() {}, replace() {}, async flush() {} });
}

test('no address known: no e-mail, the page only', (t) => {
  t.deepEqual(mailboxesOf(workspace(), snils), []);
});

test('the Госуслуги e-mail of the last sign-in, and the register’s current personal data, each once', (t) => {
  const personal = {
    '11223340183': { versions: [{ values: { email: 'old@clinic.test' } }, { values: { email: 'work@clinic.test' } }] },
  };
  const ws = workspace({ personal });
  rememberEsiaEmail(ws, snils, 'ivanov@example.test');
  t.deepEqual(mailboxesOf(ws, snils), ['work@clinic.test', 'ivanov@example.test']);
  rememberEsiaEmail(ws, snils, 'WORK@clinic.test');
  t.deepEqual(mailboxesOf(ws, snils), ['work@clinic.test'], 'the same address in another case is one mailbox');
  rememberEsiaEmail(ws, snils, 'not an address');
  t.deepEqual(mailboxesOf(ws, snils), ['work@clinic.test']);
});

test('clearing empties only that person’s list', (t) => {
  const ws = workspace();
  notify(ws, snils, { kind: 'check.upcoming', title: 't', text: 'x' });
  notify(ws, '112-233-402 84', { kind: 'check.upcoming', title: 't', text: 'x' });
  t.is(clearNotifications(ws, snils), 1);
  t.deepEqual(notificationsOf(ws, snils), []);
  t.is(notificationsOf(ws, '112-233-402 84').length, 1);
});
