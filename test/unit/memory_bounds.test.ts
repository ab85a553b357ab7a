/*
 * Every in-memory store that grows with sign-ins keeps at most its cap, dropping the oldest, and
 * forgets entries past their lifetime: a stand under a load test for hours stays bounded. Time is
 * given explicitly (`now` arguments, the run's clock, an injected now()), never slept.
 */
import test from 'ava';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { AccountRepository, type DataFile } from '../../idp/adapters/account_repository.ts';
import { AuditJournal } from '../../idp/adapters/audit_journal.ts';
import { configFromEnv, loadConfig } from '../../idp/config/index.ts';
import { ConfigFileError } from '../../lib/errors.ts';
import { SignIns, type Pending } from '../../idp/esia/sign_ins.ts';
import { MemoryRecords, memoryRecords, type RecordsFactory } from '../../idp/adapters/records.ts';
import { defaultSettings, loadOrCreateSigningKeys } from '../../idp/esia/systems.ts';
import { TokenService } from '../../idp/esia/tokens.ts';
import { EsignRunState, maxChallenges } from '../../idp/esign/run_state.ts';
import { journeyLifetimeMs, Journeys } from '../../idp/interactions/journeys.ts';
import { ProviderStorage } from '../../idp/provider/memory_adapter.ts';
import { Run } from '../../idp/runs.ts';
import { ExpiringMap } from '../../relying-party/sessions.ts';

const t0 = Date.parse('2026-12-03T09:00:00Z');
const hour = 3600_000;

const storage = (cap: number) => new ProviderStorage({ cap, purgeEveryMs: hour });

test('provider storage keeps at most its cap per model, the least recently written going first', (t) => {
  const s = storage(3);
  t.teardown(() => s.close());
  for (const id of ['a', 'b', 'c']) s.set('Session', id, { uid: `uid-${id}` }, t0 + hour);
  s.set('Session', 'a', { uid: 'uid-a' }, t0 + hour); // rewritten: now the most recent
  s.set('Session', 'd', { uid: 'uid-d' }, t0 + hour);
  t.is(s.get('Session', 'b', t0), undefined, 'b was the least recently written');
  t.truthy(s.get('Session', 'a', t0));
  t.deepEqual(s.sizes(), { Session: 3 });
  t.is(s.sessionIdByUid('uid-b'), undefined, 'the uid index forgets an evicted session');
  t.is(s.sessionIdByUid('uid-a'), 'a');
  // Each model has its own cap: grants do not push sessions out.
  for (const id of ['g1', 'g2', 'g3', 'g4']) s.set('Grant', id, { jti: id }, t0 + hour);
  t.deepEqual(s.sizes(), { Session: 3, Grant: 3 });
});

test('provider storage never evicts clients, and forgets the grant index of an evicted token', (t) => {
  const s = storage(2);
  t.teardown(() => s.close());
  for (let i = 0; i < 5; i++) s.set('Client', `c${i}`, { client_id: `c${i}` }, Number.POSITIVE_INFINITY);
  for (let i = 0; i < 5; i++) s.set('AccessToken', `at${i}`, { grantId: `g${i}` }, t0 + hour);
  t.deepEqual(s.sizes(), { Client: 5, AccessToken: 2 });
  t.deepEqual([...s.grantMembers.keys()], ['g3', 'g4']);
  s.revokeByGrantId('g4');
  t.deepEqual(s.sizes(), { Client: 5, AccessToken: 1 });
});

test('provider storage forgets entries at their lifetime: on reading, and in the sweep', async (t) => {
  const s = storage(100);
  t.teardown(() => s.close());
  s.set('Session', 'short', { uid: 'u1' }, t0 + 1000);
  s.set('Session', 'long', { uid: 'u2' }, t0 + 8 * hour);
  s.set('Grant', 'g', { jti: 'g', accountId: '1', clientId: 'rp' }, t0 + 1000);
  t.truthy(s.get('Session', 'short', t0 + 999));
  t.is(s.get('Session', 'short', t0 + 1000), undefined, 'expired at its lifetime');
  t.is(await s.grantIdOf('1', 'rp', t0 + 500), 'g');
  t.is(await s.grantIdOf('1', 'rp', t0 + 1000), undefined);
  s.purge(t0 + 1000);
  t.deepEqual(s.sizes(), { Session: 1, Grant: 0 });
  s.purge(t0 + 8 * hour);
  t.deepEqual(s.sizes(), { Session: 0, Grant: 0 });
  t.is(s.sessionsByUid.size, 0);
});

function run(): Run {
  let data: DataFile = { version: 1, accounts: [] };
  const backing = {
    get data() {
      return data;
    },
    changed() {},
    replace(d: DataFile) {
      data = d;
    },
  };
  const r = new Run('main', 0n, new AccountRepository(backing));
  r.clock.set(t0, true);
  return r;
}

test('sign-ins in progress: at most the cap, the least recently used going first', async (t) => {
  const r = run();
  const journeys = new Journeys(3);
  for (const uid of ['a', 'b', 'c']) await journeys.get(uid, 'rp', r);
  (await journeys.get('a', 'rp', r)).stage = 'otp'; // used again: now the most recent
  await journeys.get('d', 'rp', r);
  t.is(journeys.size, 3);
  t.is((await journeys.get('a', 'rp', r)).stage, 'otp', 'a stays');
  t.is((await journeys.get('b', 'rp', r)).stage, 'password', 'b was dropped and starts again');
});

test("a sign-in left past its lifetime on the run's clock starts again, and makes room for new ones", async (t) => {
  const r = run();
  const journeys = new Journeys(100);
  (await journeys.get('old', 'rp', r)).stage = 'otp';
  r.clock.advance(journeyLifetimeMs);
  t.is((await journeys.get('old', 'rp', r)).stage, 'otp', 'alive at exactly its lifetime');
  await journeys.get('other', 'rp', r);
  r.clock.advance(journeyLifetimeMs + 1);
  await journeys.get('new', 'rp', r);
  t.is(journeys.size, 1, 'the two left alone are dropped when a new one starts');
  t.is((await journeys.get('old', 'rp', r)).stage, 'password');
});

test('ESIA face: sign-ins in flight and awaiting consent keep at most the cap, the oldest going first', async (t) => {
  const records = new Map<string, MemoryRecords<unknown>>();
  const factory = (<V>(name: string) => {
    records.set(name, new MemoryRecords<unknown>(3));
    return records.get(name) as unknown as MemoryRecords<V>;
  }) as RecordsFactory;
  const r = run();
  const signIns = new SignIns(factory, { runs: { get: () => r }, systems: { get: () => undefined } });
  const pending = (state: string) => ({ state, run: r }) as unknown as Pending;
  const ids: string[] = [];
  for (const s of ['1', '2', '3', '4', '5']) ids.push(await signIns.start(pending(s)));
  t.is(records.get('esia:pending')!.size, 3);
  t.is(await signIns.finish(ids[1]), undefined, 'the second is gone');
  t.is((await signIns.finish(ids[4]))?.state, '5');
  for (let i = 0; i < 5; i++)
    await signIns.askConsent({ p: pending(String(i)), oid: '1', run: r, amr: [], authTime: t0, sid: 's' });
  t.is(records.get('esia:awaiting-consent')!.size, 3);
});

test('ESIA face: codes, refresh tokens and issued access tokens keep at most the cap each, the oldest going first', async (t) => {
  const r = run();
  const tokens = new TokenService(
    await loadOrCreateSigningKeys(join(tmpdir(), 'esia-emulator-test-keys')),
    defaultSettings,
    memoryRecords(3),
    { get: () => r },
  );
  const grant = {
    clientId: 'sys',
    redirectUri: 'http://localhost/cb',
    scopes: ['openid'],
    oid: '1000',
    run: r,
    amr: ['pwd'],
    authTime: t0,
    sid: 's',
    offline: true,
  };
  const codes: string[] = [];
  for (let i = 0; i < 4; i++) codes.push(await tokens.newCode(grant));
  t.deepEqual((tokens.codes as MemoryRecords<unknown>).ids(), codes.slice(1), 'the first code went');
  for (let i = 0; i < 5; i++) await tokens.newRefreshToken(grant);
  t.is((tokens.refreshTokens as MemoryRecords<unknown>).size, 3);
  const first = await tokens.accessToken({ clientId: 'sys', scopes: ['openid'], sid: 's', alg: 'RS256', run: r });
  for (let i = 0; i < 3; i++)
    await tokens.accessToken({ clientId: 'sys', scopes: ['openid'], sid: 's', alg: 'RS256', run: r });
  const refused = await tokens.verifyAccess(first.token);
  t.false(refused.ok);
  t.regex(refused.ok ? '' : refused.reason, /forgotten: ESIA_STORE_CAP newer ones came/);
});

test(`electronic signature challenges: at most ${maxChallenges} per run, the oldest going first`, (t) => {
  const esign = new EsignRunState();
  const first = esign.issueChallenge('uid-0', t0);
  for (let i = 1; i < maxChallenges; i++) esign.issueChallenge(`uid-${i}`, t0 + i);
  const fresh = esign.issueChallenge('uid-new', t0 + maxChallenges);
  const gone = t.throws(() => esign.consumeChallenge(first, 'uid-0', t0 + maxChallenges));
  t.is(
    (gone as unknown as { details: { reason: string } }).details.reason,
    'this challenge was never issued by the emulator',
    'the oldest went to make room',
  );
  t.notThrows(() => esign.consumeChallenge(fresh, 'uid-new', t0 + maxChallenges));
});

test('relying party: sessions keep at most the cap, the least recently stored going first, and expire', (t) => {
  let now = t0;
  const sessions = new ExpiringMap<string>(hour, () => now, 3);
  const ids = ['a', 'b', 'c'].map((v) => sessions.add(v));
  sessions.put(ids[0], 'a2');
  sessions.add('d');
  t.is(sessions.size, 3);
  t.is(sessions.get(ids[1]), undefined, 'b was the least recently stored');
  t.is(sessions.get(ids[0]), 'a2');
  now += hour;
  t.is(sessions.get(ids[0]), undefined, 'expired at its lifetime');
});

test('audit journal: the in-memory index of traces and reference codes keeps at most its cap', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'memory-audit-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const journal = new AuditJournal(join(dir, 'audit.jsonl'), { key: randomBytes(32), tracesKept: 10 });
  for (let i = 0; i < 100; i++)
    journal.append({
      ts: new Date(t0 + i).toISOString(),
      ip: '127.0.0.1',
      action: 'login.password',
      outcome: 'refused',
      ref: `REF${i}`,
      trace: `trace-${i}`,
    });
  t.deepEqual(journal.indexed, { traces: 10, refs: 40 });
  t.is((await journal.findByRef('REF0'))?.record.ref, 'REF0', 'an older one is still found in the file');
  await journal.close();
});

test('lifetimes and the cap come from ESIA_SESSION_TTL, ESIA_REFRESH_TOKEN_TTL and ESIA_STORE_CAP, checked', (t) => {
  t.deepEqual(loadConfig().memory, { sessionTtlSeconds: 8 * 3600, refreshTokenTtlSeconds: 8 * 3600, storeCap: 20_000 });
  t.deepEqual(configFromEnv({ ESIA_SESSION_TTL: '3600', ESIA_STORE_CAP: '500' }).memory, {
    sessionTtlSeconds: 3600,
    refreshTokenTtlSeconds: 8 * 3600,
    storeCap: 500,
  });
  t.throws(() => configFromEnv({ ESIA_STORE_CAP: '10' }), {
    instanceOf: ConfigFileError,
    message: /ESIA_STORE_CAP: expected a whole number from 100 to 10000000, got "10"/,
  });
  t.throws(() => configFromEnv({ ESIA_SESSION_TTL: '8h' }), {
    instanceOf: ConfigFileError,
    message: /ESIA_SESSION_TTL: expected a whole number.*got "8h"/,
  });
});
