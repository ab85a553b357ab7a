/*
 * One emulator's part of a Redis: every key starts with its prefix (ESIA_REDIS_PREFIX), so several
 * stands, or the tests' parallel files, share one Redis without meeting.
 */
import type { Redis } from 'ioredis';

export class Keyspace {
  constructor(
    readonly redis: Redis,
    readonly prefix: string,
  ) {}

  /** `esia:` + `oidc`, `Session`, `abc` → `esia:oidc:Session:abc`. */
  key(...parts: string[]): string {
    return `${this.prefix}${parts.join(':')}`;
  }
}
