/*
 * One contract, two implementations: the same cases of oidc-provider's adapter semantics (expiry,
 * find, findByUid, findByUserCode, consume, destroy, revokeByGrantId) and of the emulator's own
 * needs (an account's grant per client, forgetting a run's accounts) run against the memory adapter
 * and the Redis one (a private redis-server, a fresh key prefix per case).
 */
import test from 'ava';
import { randomUUID } from 'node:crypto';
import type { AdapterPayload } from 'oidc-provider';
import { ProviderStorage } from '../idp/provider/memory_adapter.ts';
import type { ProviderState } from '../idp/provider/provider_state.ts';
import { RedisProviderState } from '../idp/provider/redis_adapter.ts';
import { Keyspace } from '../lib/store/keyspace.ts';
import { sharedRedisConnection } from './helpers/redis_connection.ts';

const { redis, missing } = sharedRedisConnection();

const backends: [string, () => ProviderState][] = [
  ['memory', () => new ProviderStorage({ cap: 1000 })],
  ['redis', () => new RedisProviderState(new Keyspace(redis(), `t-${randomUUID()}:`))],
];

function contract(title: string, body: (state: ProviderState) => Promise<void>) {
  for (const [name, make] of backends) {
    const run = name === 'redis' && missing ? test.skip : test;
    run(`${name}: ${title}`, async (t) => {
      const state = make();
      t.teardown(() => state.close());
      await body(state);
      t.pass();
    });
  }
}

const assert = {
  equal(actual: unknown, expected: unknown, what: string) {
    const [a, e] = [JSON.stringify(actual), JSON.stringify(expected)];
    if (a !== e) throw new Error(`${what}: expected ${e}, got ${a}`);
  },
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

contract(
  'upsert then find gives the payload back, empty lists and Cyrillic intact; an unknown id is undefined',
  async (s) => {
    const payload: AdapterPayload = {
      jti: 's1',
      kind: 'Session',
      uid: 'u1',
      accountId: '1000',
      amr: [],
      name: 'Иванов',
    };
    await s.adapterFor('Session').upsert('s1', payload, 3600);
    assert.equal(await s.adapterFor('Session').find('s1'), payload, 'found');
    assert.equal(await s.adapterFor('Session').find('nope'), undefined, 'unknown id');
    assert.equal(await s.adapterFor('Grant').find('s1'), undefined, 'another model, same id');
  },
);

contract('an entry is gone once expiresIn seconds have passed; expiresIn 0 never expires', async (s) => {
  const tokens = s.adapterFor('AccessToken');
  await tokens.upsert('short', { jti: 'short' }, 1);
  await s.adapterFor('Client').upsert('c1', { client_id: 'c1' }, 0);
  assert.equal((await tokens.find('short'))?.jti, 'short', 'alive before its lifetime');
  await sleep(1100);
  assert.equal(await tokens.find('short'), undefined, 'expired');
  assert.equal((await s.adapterFor('Client').find('c1'))?.client_id, 'c1', 'no lifetime');
});

contract('findByUid finds a session by its uid, and only while the session has that uid', async (s) => {
  const sessions = s.adapterFor('Session');
  await sessions.upsert('s1', { jti: 's1', uid: 'uid-a' }, 3600);
  assert.equal((await sessions.findByUid('uid-a'))?.jti, 's1', 'by uid');
  await sessions.upsert('s1', { jti: 's1', uid: 'uid-b' }, 3600);
  assert.equal(await sessions.findByUid('uid-a'), undefined, 'old uid after the session took a new one');
  assert.equal((await sessions.findByUid('uid-b'))?.jti, 's1', 'new uid');
  await sessions.destroy('s1');
  assert.equal(await sessions.findByUid('uid-b'), undefined, 'after destroy');
});

contract('findByUserCode finds a device code by its user code', async (s) => {
  const codes = s.adapterFor('DeviceCode');
  await codes.upsert('d1', { jti: 'd1', userCode: 'ABCD-EFGH' }, 600);
  assert.equal((await codes.findByUserCode('ABCD-EFGH'))?.jti, 'd1', 'by user code');
  assert.equal(await codes.findByUserCode('WXYZ-0000'), undefined, 'unknown user code');
});

contract('consume marks the entry consumed (seconds, now) and keeps the rest and the lifetime', async (s) => {
  const codes = s.adapterFor('AuthorizationCode');
  await codes.upsert('c1', { jti: 'c1', grantId: 'g1', scope: 'openid' }, 1);
  const before = Math.floor(Date.now() / 1000);
  await codes.consume('c1');
  const found = await codes.find('c1');
  if (typeof found?.consumed !== 'number' || found.consumed < before || found.consumed > before + 2)
    throw new Error(`consumed is not now: ${JSON.stringify(found)}`);
  assert.equal([found.jti, found.grantId, found.scope], ['c1', 'g1', 'openid'], 'the rest kept');
  await codes.consume('unknown');
  await sleep(1100);
  assert.equal(await codes.find('c1'), undefined, 'the lifetime is kept after consume');
});

contract('destroy removes one entry only', async (s) => {
  const tokens = s.adapterFor('AccessToken');
  await tokens.upsert('a', { jti: 'a' }, 60);
  await tokens.upsert('b', { jti: 'b' }, 60);
  await tokens.destroy('a');
  assert.equal([await tokens.find('a'), (await tokens.find('b'))?.jti], [undefined, 'b'], 'a gone, b kept');
});

contract('revokeByGrantId removes every code and token of that grant, of any model, and nothing else', async (s) => {
  await s.adapterFor('AuthorizationCode').upsert('code', { jti: 'code', grantId: 'g1' }, 60);
  await s.adapterFor('AccessToken').upsert('at', { jti: 'at', grantId: 'g1' }, 60);
  await s.adapterFor('RefreshToken').upsert('rt', { jti: 'rt', grantId: 'g1' }, 3600);
  await s.adapterFor('AccessToken').upsert('other', { jti: 'other', grantId: 'g2' }, 60);
  await s.adapterFor('AccessToken').revokeByGrantId('g1');
  assert.equal(
    [
      await s.adapterFor('AuthorizationCode').find('code'),
      await s.adapterFor('AccessToken').find('at'),
      await s.adapterFor('RefreshToken').find('rt'),
      (await s.adapterFor('AccessToken').find('other'))?.jti,
    ],
    [undefined, undefined, undefined, 'other'],
    'after revoking g1',
  );
});

contract("grantIdOf finds an account's live grant to a client, not another account's or client's", async (s) => {
  await s.adapterFor('Grant').upsert('g1', { jti: 'g1', accountId: '1000', clientId: 'rp' }, 60);
  assert.equal(await s.grantIdOf('1000', 'rp'), 'g1', 'own grant');
  assert.equal(await s.grantIdOf('1000', 'other-rp'), undefined, 'other client');
  assert.equal(await s.grantIdOf('2000', 'rp'), undefined, 'other account');
  await s.adapterFor('Grant').destroy('g1');
  assert.equal(await s.grantIdOf('1000', 'rp'), undefined, 'after destroy');
});

contract(
  "forgetAccounts ends those accounts' sessions, interactions, grants and tokens, and no one else's",
  async (s) => {
    await s.adapterFor('Session').upsert('s1', { jti: 's1', uid: 'u1', accountId: '1000' }, 60);
    await s.adapterFor('Interaction').upsert('i1', { jti: 'i1', session: { accountId: '1000' } }, 60);
    await s.adapterFor('Grant').upsert('g1', { jti: 'g1', accountId: '1000', clientId: 'rp' }, 60);
    await s.adapterFor('AccessToken').upsert('at1', { jti: 'at1', accountId: '1000', grantId: 'g1' }, 60);
    await s.adapterFor('Session').upsert('s2', { jti: 's2', uid: 'u2', accountId: '2000' }, 60);
    await s.forgetAccounts(new Set(['1000']));
    assert.equal(
      [
        await s.adapterFor('Session').find('s1'),
        await s.adapterFor('Session').findByUid('u1'),
        await s.adapterFor('Interaction').find('i1'),
        await s.adapterFor('Grant').find('g1'),
        await s.adapterFor('AccessToken').find('at1'),
        await s.grantIdOf('1000', 'rp'),
        (await s.adapterFor('Session').find('s2'))?.jti,
      ],
      [undefined, undefined, undefined, undefined, undefined, undefined, 's2'],
      'after forgetting account 1000',
    );
  },
);
