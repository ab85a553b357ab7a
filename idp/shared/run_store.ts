/*
 * Where runs live in Redis, and the few atomic operations on them (Lua, so each is one round trip).
 *
 *   run:<id>:v     version, bumped by every commit
 *   run:<id>       hash: part → JSON (idp/shared/run_snapshot.ts)
 *   run:<id>:pv    hash: part → the version that last wrote it (so a sync fetches only what changed)
 *   run:<id>:base  version of the last full rewrite (a commit that removed parts): older readers reload all
 *   run:<id>:lock  the token of the request that may change the run now (SET NX PX)
 *   runs           hash: run id → {number}; runs:v its version; runs:next the last number given;
 *   runs:used      sorted set: run id → when it was last used (idle runs expire)
 *
 * A commit checks it still holds the lock before it writes (a request that outlived its lock must
 * not overwrite a newer state), bumps the version and writes the parts in the same script: the
 * write and the bump are one atomic step, as a MULTI would make them, and the lock check with them.
 *
 * A compare-and-set (runSwap) needs no lock: it writes its parts only if none changed since the
 * versions the caller read them at and no request holds the run's lock; two processes changing
 * different accounts of one run thus never wait for each other (idp/shared/run_sync.ts transact).
 */
import type { Redis } from 'ioredis';
import type { Keyspace } from '../../lib/store/keyspace.ts';

/** What a sync found: the version now, and the parts changed since the caller's (all of them when `full`), each with the version that wrote it. */
export interface Fetched {
  version: number;
  full: boolean;
  parts: Map<string, string>;
  versions: Map<string, number>;
}

/** A compare-and-set's outcome: written at `version`, or refused (a part changed meanwhile, or the run is locked). */
export type Swapped = { version: number } | { refused: 'changed' | 'locked' };

// After the lock (acquire) or alone (sync): the caller's version → nothing, or the changed parts
// (every part when the caller's version is older than the last full rewrite) as part, version, JSON.
// changes(o, known): the run whose keys start after KEYS[o] (lock, v, parts, pv, base).
const changesOf = `
local function changes(o, known)
  local v = redis.call('GET', KEYS[o + 2])
  if not v then return {'0'} end
  if v == known then return {v} end
  local from = tonumber(known) or -1
  local full = from < tonumber(redis.call('GET', KEYS[o + 5]) or '0')
  local pv = redis.call('HGETALL', KEYS[o + 4])
  local out = {}
  for i = 1, #pv, 2 do
    if full or tonumber(pv[i + 1]) > from then
      out[#out + 1] = pv[i]
      out[#out + 1] = pv[i + 1]
      out[#out + 1] = redis.call('HGET', KEYS[o + 3], pv[i])
    end
  end
  return {v, full and '1' or '0', out}
end`;
const readChanges = `${changesOf}\nreturn changes(0, ARGV[1])`;

const scripts = {
  // KEYS: lock, v, parts, pv, base; ARGV: known version
  runSync: { numberOfKeys: 5, lua: readChanges },
  // KEYS: the registry's version, each run's five keys, then locks to take with them (none or more);
  // ARGV: the number of runs, each run's known version, the locks' lifetime ms, then each lock's token
  // → {registry version, {1 or 0: each lock taken or not}, changes…}
  runsSync: {
    numberOfKeys: null,
    lua: `${changesOf}
local runs = tonumber(ARGV[1])
local first = 2 + runs * 5
local taken = {}
for k = first, #KEYS do
  taken[#taken + 1] = redis.call('SET', KEYS[k], ARGV[runs + 3 + k - first], 'NX', 'PX', ARGV[runs + 2]) and 1 or 0
end
local out = {redis.call('GET', KEYS[1]) or '0', taken}
for i = 1, runs do out[#out + 1] = changes(1 + (i - 1) * 5, ARGV[i + 1]) end
return out`,
  },
  // ARGV: known version, token, ttl ms → {'locked'} when another request holds the lock
  runAcquire: {
    numberOfKeys: 5,
    lua: `if not redis.call('SET', KEYS[1], ARGV[2], 'NX', 'PX', ARGV[3]) then return {'locked'} end\n${readChanges}`,
  },
  // ARGV: token, full ('1': the parts given are all there is), release ('1'), then part, JSON, part, JSON…
  runCommit: {
    numberOfKeys: 5,
    lua: `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return -1 end
local v = redis.call('INCR', KEYS[2])
if ARGV[2] == '1' then
  redis.call('DEL', KEYS[3], KEYS[4])
  redis.call('SET', KEYS[5], v)
end
for i = 4, #ARGV, 2 do
  redis.call('HSET', KEYS[3], ARGV[i], ARGV[i + 1])
  redis.call('HSET', KEYS[4], ARGV[i], v)
end
if ARGV[3] == '1' then redis.call('DEL', KEYS[1]) end
return v`,
  },
  // ARGV: part, the version the caller read it at (0: none), JSON, … → {version}, {'changed'} or {'locked'}
  runSwap: {
    numberOfKeys: 5,
    lua: `
if redis.call('EXISTS', KEYS[1]) == 1 then return {'locked'} end
for i = 1, #ARGV, 3 do
  if (tonumber(redis.call('HGET', KEYS[4], ARGV[i])) or 0) ~= tonumber(ARGV[i + 1]) then return {'changed'} end
end
local v = redis.call('INCR', KEYS[2])
for i = 1, #ARGV, 3 do
  redis.call('HSET', KEYS[3], ARGV[i], ARGV[i + 2])
  redis.call('HSET', KEYS[4], ARGV[i], v)
end
return {v}`,
  },
  // Compare-and-delete: only the holder's token releases the lock.
  runRelease: {
    numberOfKeys: 1,
    lua: `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`,
  },
} as const;

type ScriptName = keyof typeof scripts;
type Scripted = Redis & Record<ScriptName, (...args: Array<string | number>) => Promise<unknown>>;

/** What one sync of every run found: the registry's version, each run's changes (in the order asked), which locks asked for were taken. */
export interface FetchedAll {
  registryVersion: number;
  runs: Fetched[];
  taken: boolean[];
}

/** A lock of its own (takeLock) to take in the same round trip as a sync. */
export interface LockAsked {
  name: string;
  token: string;
}

export class RunStore {
  readonly #redis: Scripted;

  constructor(readonly keyspace: Keyspace) {
    const redis = keyspace.redis;
    for (const [name, { numberOfKeys, lua }] of Object.entries(scripts))
      if (!(name in redis)) redis.defineCommand(name, numberOfKeys === null ? { lua } : { numberOfKeys, lua });
    this.#redis = redis as Scripted;
  }

  get redis(): Redis {
    return this.#redis;
  }

  key(...parts: string[]): string {
    return this.keyspace.key(...parts);
  }

  #runKeys(id: string): string[] {
    const k = (suffix: string) => this.key('run', id + suffix);
    return [k(':lock'), k(':v'), k(''), k(':pv'), k(':base')];
  }

  /** What changed since `known` (0: never seen); version 0 means the run has no snapshot yet. */
  async sync(id: string, known: number): Promise<Fetched> {
    return fetched(await this.#redis.runSync(...this.#runKeys(id), String(known)));
  }

  /** What changed of each run since its known version, and the registry's version: one round trip. */
  async syncAll(
    registryKey: string,
    known: Array<{ id: string; version: number }>,
    locks: LockAsked[] = [],
    lockTtlMs = 10_000,
  ): Promise<FetchedAll> {
    const lockKeys = locks.map((l) => this.key('lock', l.name));
    const keys = [registryKey, ...known.flatMap(({ id }) => this.#runKeys(id)), ...lockKeys];
    const args = [String(known.length), ...known.map(({ version }) => String(version)), String(lockTtlMs)];
    args.push(...locks.map((l) => l.token));
    const reply = (await this.#redis.runsSync(keys.length, ...keys, ...args)) as unknown[];
    return {
      registryVersion: Number(reply[0]),
      taken: (reply[1] as number[]).map((flag) => flag === 1),
      runs: reply.slice(2).map(fetched),
    };
  }

  /** Takes the run's lock if free, and reads what changed since `known` in the same step; undefined when it is held. */
  async acquire(id: string, known: number, token: string, ttlMs: number): Promise<Fetched | undefined> {
    const reply = (await this.#redis.runAcquire(...this.#runKeys(id), String(known), token, ttlMs)) as unknown[];
    return reply[0] === 'locked' ? undefined : fetched(reply);
  }

  /** Writes parts and bumps the version if the lock is still `token`'s; the new version, or -1 when the lock was lost. */
  async commit(
    id: string,
    token: string,
    parts: Map<string, string>,
    full: boolean,
    release: boolean,
  ): Promise<number> {
    const args = [token, full ? '1' : '0', release ? '1' : '0', ...[...parts].flat()];
    return Number(await this.#redis.runCommit(...this.#runKeys(id), ...args));
  }

  /** Writes `parts` (name → [the version it was read at, JSON]) unless one changed since or the run is locked; no lock taken. */
  async swap(id: string, parts: Map<string, [number, string]>): Promise<Swapped> {
    const args = [...parts].flatMap(([name, [version, text]]) => [name, version, text]);
    const [first] = (await this.#redis.runSwap(...this.#runKeys(id), ...args)) as [string | number];
    return first === 'changed' || first === 'locked' ? { refused: first } : { version: Number(first) };
  }

  async release(id: string, token: string): Promise<void> {
    await this.#redis.runRelease(this.#runKeys(id)[0]!, token);
  }

  /** A lock of its own for `name` (one sign-in's steps), not the run's: true when taken. */
  async takeLock(name: string, token: string, ttlMs: number): Promise<boolean> {
    return (await this.#redis.set(this.key('lock', name), token, 'PX', ttlMs, 'NX')) === 'OK';
  }

  async dropLock(name: string, token: string): Promise<void> {
    await this.#redis.runRelease(this.key('lock', name), token);
  }

  /** Every key of the run: gone with it. */
  async remove(id: string): Promise<void> {
    await this.#redis.del(...this.#runKeys(id));
  }
}

function fetched(reply: unknown): Fetched {
  const [version, full, flat] = reply as [string, string?, string[]?];
  const parts = new Map<string, string>();
  const versions = new Map<string, number>();
  for (let i = 0; flat && i < flat.length; i += 3) {
    parts.set(flat[i]!, flat[i + 2]!);
    versions.set(flat[i]!, Number(flat[i + 1]));
  }
  return { version: Number(version), full: full === '1', parts, versions };
}
