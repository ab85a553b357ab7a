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

type WithScript = Keyspace['redis'] & { recordsDeleteTagged(set: string, prefix: string): Promise<number> };

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
    const batch = this.#redis.multi();
    if (options.existing) batch.set(this.#key(id), json, 'PX', ttl, 'XX');
    else batch.set(this.#key(id), json, 'PX', ttl);
    for (const tag of options.tags ?? []) {
      const set = this.keys.key(`${this.name}~tag`, tag);
      batch.sadd(set, id).pexpire(set, ttl, 'NX').pexpire(set, ttl, 'GT');
    }
    await batch.exec();
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
