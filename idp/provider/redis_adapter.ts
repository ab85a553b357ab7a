/*
 * oidc-provider's models in Redis (ESIA_STORE=redis://…), shared by every emulator process: a
 * sign-in begun on one finishes on another, and a restart signs nobody out. One key per model
 * instance (`<prefix>oidc:<Model>:<id>`, JSON, PX = expiresIn) plus indexes kept in the same Lua
 * call: the session by uid, the device code by user code, the members of each grant (for
 * revokeByGrantId), each account's entries (a run's reset) and an account's grant per client. An
 * index may outlive what it names (a destroy does not chase it): every read checks the record.
 */
import type { Adapter, AdapterPayload } from 'oidc-provider';
import type { Keyspace } from '../../lib/store/keyspace.ts';
import type { ProviderState } from './provider_state.ts';

/**
 * KEYS[1] the record, KEYS[2..] its indexes; ARGV[1] JSON, ARGV[2] lifetime ms (0 = none), ARGV[3]
 * `Model:id`, ARGV[3+i] the kind of index i: `id` (a key naming the record) or `set` (a set of
 * members). An index lives as long as the longest-lived record it names.
 */
const upsertScript = `
local ttl = tonumber(ARGV[2])
if ttl > 0 then redis.call('SET', KEYS[1], ARGV[1], 'PX', ttl) else redis.call('SET', KEYS[1], ARGV[1]) end
for i = 2, #KEYS do
  local key = KEYS[i]
  local existed = redis.call('EXISTS', key) == 1
  local left = redis.call('PTTL', key)
  if ARGV[2 + i] == 'id' then
    redis.call('SET', key, string.match(ARGV[3], ':(.*)$'))
    existed = false
  else
    redis.call('SADD', key, ARGV[3])
  end
  if ttl == 0 then redis.call('PERSIST', key)
  elseif not existed or (left >= 0 and left < ttl) then redis.call('PEXPIRE', key, ttl) end
end
return 1
`;

/** Appends `"consumed": now` to the JSON (the last of two equal keys wins in JSON.parse), its lifetime kept. */
const consumeScript = `
local v = redis.call('GET', KEYS[1])
if not v then return 0 end
local body = string.sub(v, 1, -2)
local sep = ','
if body == '{' then sep = '' end
redis.call('SET', KEYS[1], body .. sep .. '"consumed":' .. ARGV[1] .. '}', 'KEEPTTL')
return 1
`;

/** KEYS[1] a set of `Model:id`; ARGV[1] the prefix of their keys: deletes them all and the set. */
const dropMembersScript = `
local members = redis.call('SMEMBERS', KEYS[1])
for _, member in ipairs(members) do redis.call('DEL', ARGV[1] .. member) end
redis.call('DEL', KEYS[1])
return #members
`;

interface Scripts {
  oidcUpsert(...args: (string | number)[]): Promise<number>;
  oidcConsume(key: string, now: number): Promise<number>;
  oidcDropMembers(set: string, prefix: string): Promise<number>;
}

export class RedisProviderState implements ProviderState {
  readonly #redis: Keyspace['redis'] & Scripts;

  constructor(readonly keys: Keyspace) {
    const redis = keys.redis;
    if (!('oidcUpsert' in redis)) {
      redis.defineCommand('oidcUpsert', { lua: upsertScript });
      redis.defineCommand('oidcConsume', { numberOfKeys: 1, lua: consumeScript });
      redis.defineCommand('oidcDropMembers', { numberOfKeys: 1, lua: dropMembersScript });
    }
    this.#redis = redis as Keyspace['redis'] & Scripts;
  }

  key(...parts: string[]): string {
    return this.keys.key('oidc', ...parts);
  }

  async upsert(model: string, id: string, payload: AdapterPayload, expiresIn: number): Promise<void> {
    const indexes: [string, 'id' | 'set'][] = [];
    if (model === 'Session' && payload.uid) indexes.push([this.key('uid', payload.uid), 'id']);
    if (payload.userCode) indexes.push([this.key('userCode', payload.userCode), 'id']);
    if (payload.grantId) indexes.push([this.key('grant', payload.grantId), 'set']);
    const owner = ownerOf(payload);
    if (owner) indexes.push([this.key('account', owner), 'set']);
    if (model === 'Grant' && payload.accountId && payload.clientId)
      indexes.push([this.key('accountGrant', payload.accountId, payload.clientId), 'id']);
    const keys = [this.key(model, id), ...indexes.map(([key]) => key)];
    await this.#redis.oidcUpsert(
      keys.length,
      ...keys,
      JSON.stringify(payload),
      expiresIn ? Math.round(expiresIn * 1000) : 0,
      `${model}:${id}`,
      ...indexes.map(([, kind]) => kind),
    );
  }

  async find(model: string, id: string): Promise<AdapterPayload | undefined> {
    const json = await this.#redis.get(this.key(model, id));
    return json ? (JSON.parse(json) as AdapterPayload) : undefined;
  }

  /** The record an `id` index names, if it still is the one the index was made for. */
  async #byIndex(
    model: string,
    index: string,
    matches: (p: AdapterPayload) => boolean,
  ): Promise<AdapterPayload | undefined> {
    const id = await this.#redis.get(index);
    const payload = id ? await this.find(model, id) : undefined;
    return payload && matches(payload) ? payload : undefined;
  }

  findByUid(model: string, uid: string): Promise<AdapterPayload | undefined> {
    return this.#byIndex(model, this.key('uid', uid), (p) => p.uid === uid);
  }

  findByUserCode(model: string, userCode: string): Promise<AdapterPayload | undefined> {
    return this.#byIndex(model, this.key('userCode', userCode), (p) => p.userCode === userCode);
  }

  async consume(model: string, id: string): Promise<void> {
    await this.#redis.oidcConsume(this.key(model, id), Math.floor(Date.now() / 1000));
  }

  async destroy(model: string, id: string): Promise<void> {
    await this.#redis.del(this.key(model, id));
  }

  async revokeByGrantId(grantId: string): Promise<void> {
    await this.#redis.oidcDropMembers(this.key('grant', grantId), this.key(''));
  }

  async grantIdOf(accountId: string, clientId: string): Promise<string | undefined> {
    const grant = await this.#byIndex(
      'Grant',
      this.key('accountGrant', accountId, clientId),
      (p) => p.accountId === accountId && p.clientId === clientId,
    );
    return grant?.jti;
  }

  async forgetAccounts(oids: Set<string>): Promise<void> {
    await Promise.all([...oids].map((oid) => this.#redis.oidcDropMembers(this.key('account', oid), this.key(''))));
  }

  close(): void {}

  adapterFor(model: string): Adapter {
    return {
      upsert: (id, payload, expiresIn) => this.upsert(model, id, payload, expiresIn ?? 0),
      find: (id) => this.find(model, id),
      findByUid: (uid) => this.findByUid(model, uid),
      findByUserCode: (userCode) => this.findByUserCode(model, userCode),
      consume: (id) => this.consume(model, id),
      destroy: (id) => this.destroy(model, id),
      revokeByGrantId: (grantId) => this.revokeByGrantId(grantId),
    };
  }
}

/** The account an entry belongs to: its own accountId, or its session's (interactions). */
function ownerOf(payload: AdapterPayload): string | undefined {
  const p = payload as { accountId?: string; session?: { accountId?: string } };
  return p.accountId ?? p.session?.accountId;
}
