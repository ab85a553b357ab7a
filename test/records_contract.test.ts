/*
 * One contract, two implementations: the short-lived records (idp/adapters/records.ts) behave the
 * same in memory and on Redis — kept, found, taken once, spent once (even by concurrent callers),
 * deleted by tag, replaced only while present, gone after their lifetime; and on Redis a record whose
 * codec cannot name what it refers to any more counts as absent.
 */
import test from 'ava';
import { randomUUID } from 'node:crypto';
import { MemoryRecords, plainJson, type Records } from '../idp/adapters/records.ts';
import { RedisRecords } from '../idp/adapters/redis_records.ts';
import { Keyspace } from '../lib/store/keyspace.ts';
import { sharedRedisConnection } from './helpers/redis_connection.ts';

const { redis, missing } = sharedRedisConnection();

interface Value {
  n: number;
  list: string[];
}
const backends: [string, () => Records<Value>][] = [
  ['memory', () => new MemoryRecords<Value>(1000)],
  ['redis', () => new RedisRecords<Value>(new Keyspace(redis(), `t-${randomUUID()}:`), 'kind', plainJson<Value>())],
];

function contract(title: string, body: (t: import('ava').ExecutionContext, r: Records<Value>) => Promise<void>) {
  for (const [name, make] of backends)
    (name === 'redis' && missing ? test.skip : test)(`${name}: ${title}`, (t) => body(t, make()));
}
const minute = 60_000;

contract('put then get; an unknown id is undefined; delete removes it', async (t, r) => {
  await r.put('a', { n: 1, list: [] }, { ttlMs: minute });
  t.deepEqual(await r.get('a'), { n: 1, list: [] });
  t.is(await r.get('b'), undefined);
  await r.delete('a');
  t.is(await r.get('a'), undefined);
});

contract('take gives the record to one of many concurrent callers, and removes it', async (t, r) => {
  await r.put('code', { n: 7, list: ['x'] }, { ttlMs: minute });
  const got = await Promise.all(Array.from({ length: 20 }, () => r.take('code')));
  t.is(got.filter(Boolean).length, 1);
  t.is(await r.get('code'), undefined);
});

contract('spend is true for the first of many concurrent callers only, and spent says so', async (t, r) => {
  t.false(await r.spent('c1'));
  const wins = await Promise.all(Array.from({ length: 20 }, () => r.spend('c1', minute)));
  t.is(wins.filter(Boolean).length, 1);
  t.true(await r.spent('c1'));
  t.false(await r.spent('c2'));
});

contract('deleteTagged removes the records of that tag and no other', async (t, r) => {
  await r.put('a', { n: 1, list: [] }, { ttlMs: minute, tags: ['run:1'] });
  await r.put('b', { n: 2, list: [] }, { ttlMs: minute, tags: ['run:1', 'sid:s'] });
  await r.put('c', { n: 3, list: [] }, { ttlMs: minute, tags: ['run:2'] });
  await r.deleteTagged('run:1');
  t.deepEqual([await r.get('a'), await r.get('b'), (await r.get('c'))?.n], [undefined, undefined, 3]);
});

contract('put with existing replaces a record that is there, and does not bring back one deleted', async (t, r) => {
  await r.put('j', { n: 1, list: [] }, { ttlMs: minute });
  await r.put('j', { n: 2, list: [] }, { ttlMs: minute, existing: true });
  t.is((await r.get('j'))?.n, 2);
  await r.delete('j');
  await r.put('j', { n: 3, list: [] }, { ttlMs: minute, existing: true });
  t.is(await r.get('j'), undefined);
});

contract('a record is gone after its lifetime', async (t, r) => {
  await r.put('short', { n: 1, list: [] }, { ttlMs: 50 });
  await new Promise((ok) => setTimeout(ok, 120));
  t.is(await r.get('short'), undefined);
});

(missing ? test.skip : test)(
  'redis: a record the codec cannot decode any more (its run is gone) is absent',
  async (t) => {
    const runs = new Set(['r1']);
    const r = new RedisRecords<{ run: string }>(new Keyspace(redis(), `t-${randomUUID()}:`), 'kind', {
      encode: (v) => v,
      decode: (j) => (runs.has((j as { run: string }).run) ? (j as { run: string }) : undefined),
    });
    await r.put('x', { run: 'r1' }, { ttlMs: minute });
    t.deepEqual(await r.get('x'), { run: 'r1' });
    runs.delete('r1');
    t.is(await r.get('x'), undefined);
  },
);
