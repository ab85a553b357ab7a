/*
 * Records (records.ts) in Redis, shared by every emulator process: `<prefix><name>:<id>` holds the
 * JSON with its lifetime (PX); `<prefix><name>:<id>~spent` marks it spent (SET NX, so one caller
 * wins); `<prefix><name>~tag:<tag>` is the set of ids put with a tag, living as long as its
 * longest-lived member.
 */
import type { Keyspace } from '../../lib/store/keyspace.ts';
import type { Codec, PutOptions, Records, RecordsFactory } from './records.ts';

/** KEYS[1] a tag's set; ARGV[1] the prefix of its members' keys: deletes the members and the set. */
const deleteTaggedScript = `
local ids = redis.call('SMEMBERS', KEYS[1])
for _, id in ipairs(ids) do redis.call('DEL', ARGV[1] .. id) end
redis.call('DEL', KEYS[1])
return #ids
`;

/**
 * KEYS[1] the record, then its tags' sets; ARGV: JSON, lifetime ms, '1' to write only over one that
 * is there, the id: one round trip and one command where a MULTI of SET, SADD and PEXPIREs was six.
 */
const putScript = `
if ARGV[3] == '1' then
  if not redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2], 'XX') then return 0 end
else
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
end
for i = 2, #KEYS do
  redis.call('SADD', KEYS[i], ARGV[4])
  redis.call('PEXPIRE', KEYS[i], ARGV[2], 'NX')
  redis.call('PEXPIRE', KEYS[i], ARGV[2], 'GT')
end
return 1
`;

type WithScript = Keyspace['redis'] & {
  recordsDeleteTagged(set: string, prefix: string): Promise<number>;
  recordsPut(keys: number, ...args: Array<string | number>): Promise<number>;
};

export class RedisRecords<V> implements Records<V> {
  readonly #redis: WithScript;

  constructor(
    readonly keys: Keyspace,
    readonly name: string,
    readonly codec: Codec<V>,
  ) {
    const redis = keys.redis;
    if (!('recordsDeleteTagged' in redis))
      redis.defineCommand('recordsDeleteTagged', { numberOfKeys: 1, lua: deleteTaggedScript });
    if (!('recordsPut' in redis)) redis.defineCommand('recordsPut', { lua: putScript });
    this.#redis = redis as WithScript;
  }

  #key(id: string): string {
    return this.keys.key(this.name, id);
  }

  #decode(json: string | null): V | undefined {
    return json === null ? undefined : this.codec.decode(JSON.parse(json));
  }

  async put(id: string, value: V, options: PutOptions): Promise<void> {
    const ttl = Math.max(1, Math.round(options.ttlMs));
    const json = JSON.stringify(this.codec.encode(value));
    const keys = [this.#key(id), ...(options.tags ?? []).map((tag) => this.keys.key(`${this.name}~tag`, tag))];
    await this.#redis.recordsPut(keys.length, ...keys, json, ttl, options.existing ? '1' : '0', id);
  }

  async get(id: string): Promise<V | undefined> {
    return this.#decode(await this.#redis.get(this.#key(id)));
  }

  async take(id: string): Promise<V | undefined> {
    return this.#decode(await this.#redis.getdel(this.#key(id)));
  }

  async delete(id: string): Promise<void> {
    await this.#redis.del(this.#key(id));
  }

  async spend(id: string, ttlMs: number): Promise<boolean> {
    return (await this.#redis.set(`${this.#key(id)}~spent`, '1', 'PX', Math.max(1, ttlMs), 'NX')) === 'OK';
  }

  async spent(id: string): Promise<boolean> {
    return (await this.#redis.exists(`${this.#key(id)}~spent`)) === 1;
  }

  async deleteTagged(tag: string): Promise<void> {
    await this.#redis.recordsDeleteTagged(this.keys.key(`${this.name}~tag`, tag), this.keys.key(this.name, ''));
  }
}

export const redisRecords =
  (keys: Keyspace): RecordsFactory =>
  <V>(name: string, codec: Codec<V>) =>
    new RedisRecords<V>(keys, name, codec);
