/* The relying party's sign-ins in flight per browser: keyed by state, single use, bounded, expiring. */
import test from 'ava';
import {
  MAX_COMPLETED_PER_BROWSER,
  MAX_PENDING_PER_BROWSER,
  PendingLogins,
} from '../../relying-party/pending_logins.ts';

const login = (state: string) => ({ state, nonce: `n-${state}`, codeVerifier: `v-${state}` });

test('each sign-in is found by its own state, in any order, once', (t) => {
  const logins = new PendingLogins(60_000);
  const browser = logins.add(undefined, login('one'));
  t.is(logins.add(browser, login('two')), browser, 'the same browser keeps its id');
  t.deepEqual(logins.take(browser, 'two'), login('two'));
  t.deepEqual(logins.take(browser, 'one'), login('one'));
  t.is(logins.take(browser, 'one'), undefined, 'single use');
  t.is(logins.take(browser, undefined), undefined);
  t.is(logins.take('someone-else', 'two'), undefined);
});

test('another browser cannot use a state it did not start, and a made-up browser id gets a new one', (t) => {
  const logins = new PendingLogins(60_000);
  const a = logins.add(undefined, login('a'));
  const b = logins.add('chosen-by-the-client', login('b'));
  t.not(b, 'chosen-by-the-client');
  t.is(logins.take(b, 'a'), undefined);
  t.truthy(logins.take(a, 'a'));
});

test(`at most ${MAX_PENDING_PER_BROWSER} sign-ins per browser: the oldest is forgotten`, (t) => {
  const logins = new PendingLogins(60_000);
  let browser: string | undefined;
  for (let i = 0; i <= MAX_PENDING_PER_BROWSER; i++) browser = logins.add(browser, login(`s${i}`));
  t.is(logins.take(browser, 's0'), undefined);
  for (let i = 1; i <= MAX_PENDING_PER_BROWSER; i++) t.truthy(logins.take(browser, `s${i}`));
});

test('finished states are remembered, bounded, and expire with the run of the clock', (t) => {
  let now = 1_000_000;
  const logins = new PendingLogins(10 * 60_000, () => now);
  const browser = logins.add(undefined, login('x'));
  t.false(logins.completed(browser, 'x'));
  logins.complete(browser, 'x');
  t.true(logins.completed(browser, 'x'));
  for (let i = 0; i < MAX_COMPLETED_PER_BROWSER; i++) logins.complete(browser, `later${i}`);
  t.false(logins.completed(browser, 'x'), 'the oldest finished state was forgotten');
  t.true(logins.completed(browser, `later${MAX_COMPLETED_PER_BROWSER - 1}`));

  const pending = logins.add(browser, login('slow'));
  now += 10 * 60_000;
  t.is(logins.take(pending, 'slow'), undefined, 'a sign-in older than its lifetime is gone');
  t.false(logins.completed(pending, `later${MAX_COMPLETED_PER_BROWSER - 1}`));
});
