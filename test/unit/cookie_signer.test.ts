/* The cookie signer must be a drop-in for Keygrip: same signatures, same key-index semantics. */
import test from 'ava';
import { createRequire } from 'node:module';
import { CookieSigner } from '../../idp/provider/cookie_signer.ts';

const Keygrip = createRequire(import.meta.url)('keygrip') as new (
  keys: string[],
) => { sign(d: string): string; index(d: string, s: string): number };
const keys = ['first-key-0123456789', 'older-key-9876543210'];

test('signs exactly as Keygrip does, so cookies signed before an upgrade stay valid', (t) => {
  const ours = new CookieSigner(keys);
  const theirs = new Keygrip(keys);
  for (const data of ['_session=abc', '_interaction=Zm9v-bar_baz', 'esia_run=', 'ü=ö; ;=']) {
    t.is(ours.sign(data), theirs.sign(data), data);
    t.is(ours.sign(data), theirs.sign(data), `${data} (remembered)`);
  }
});

test('index names the key that signed, -1 for a forged or truncated signature', (t) => {
  const ours = new CookieSigner(keys);
  const data = '_session=abc';
  t.is(ours.index(data, new Keygrip([keys[0]!]).sign(data)), 0);
  t.is(ours.index(data, new Keygrip([keys[1]!]).sign(data)), 1);
  const good = ours.sign(data);
  t.is(ours.index(data, `${good.slice(0, -1)}${good.endsWith('A') ? 'B' : 'A'}`), -1);
  t.is(ours.index(data, good.slice(0, -2)), -1);
  t.is(ours.index(data, ''), -1);
  t.is(ours.index('_session=abd', good), -1, 'a signature of another value');
  t.true(ours.verify(data, good));
  t.false(ours.verify(data, 'x'));
});

test('refuses an empty key list', (t) => {
  t.throws(() => new CookieSigner([]), { message: /at least one key/ });
});
