/*
 * Sessions of the support console: kept in memory or on Redis (adapters/records.ts; any emulator
 * process then knows the operator), named by a random id in the `esia_support`
 * cookie, which is signed (HMAC-SHA-256) with the emulator's cookie keys from keys/local. Separate
 * from end users' sessions: an ESIA (oidc-provider) session never opens the console, and a console
 * session never signs anyone in. Each session has its own CSRF token for the console's forms.
 * Idle sessions end after 30 minutes of real time (a property of the console, not of a scenario).
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { plainJson, type Records, type RecordsFactory } from '../adapters/records.ts';
import type { Role } from './operators.ts';

export const supportCookie = 'esia_support';
const idleMs = 30 * 60 * 1000;
const maxSessions = 1000;

export interface ConsoleSession {
  id: string;
  login: string;
  name: string;
  role: Role;
  /** The run the console acts on: the run of the operator's browser at sign-in, or one a trainer made. */
  run: string;
  csrf: string;
  lastSeen: number;
  /** Shown once on the next page (a temporary password, a result). */
  flash?:
    | { kind: 'secret'; value: string; secretKind: 'reset' | 'code'; expiresAt: string; oid: string }
    | { kind: 'notice'; text: string };
}

export class ConsoleSessions {
  readonly #sessions: Records<ConsoleSession>;

  constructor(
    readonly keys: string[],
    records: RecordsFactory,
  ) {
    if (!keys.length)
      throw new Error('The support console needs at least one cookie key (keys/local/cookie-keys.json).');
    this.#sessions = records('support:session', plainJson<ConsoleSession>(), maxSessions);
  }

  #sign(id: string, key: string): string {
    return createHmac('sha256', key).update(`${supportCookie}=${id}`).digest('base64url');
  }

  async create(
    fields: Omit<ConsoleSession, 'id' | 'csrf' | 'lastSeen'>,
  ): Promise<{ session: ConsoleSession; cookie: string }> {
    const session: ConsoleSession = {
      ...fields,
      id: randomBytes(24).toString('base64url'),
      csrf: randomBytes(24).toString('base64url'),
      lastSeen: Date.now(),
    };
    await this.#sessions.put(session.id, session, { ttlMs: idleMs });
    return { session, cookie: `${session.id}.${this.#sign(session.id, this.keys[0] as string)}` };
  }

  /** The session a cookie names, if its signature holds under any key and it has not idled out. */
  async fromCookie(value: string | undefined): Promise<ConsoleSession | undefined> {
    if (!value) return undefined;
    const [id = '', signature = ''] = value.split('.');
    const given = Buffer.from(signature);
    const valid = this.keys.some((key) => {
      const expected = Buffer.from(this.#sign(id, key));
      return expected.length === given.length && timingSafeEqual(expected, given);
    });
    if (!valid) return undefined;
    const session = await this.#sessions.get(id);
    if (!session) return undefined;
    if (Date.now() - session.lastSeen > idleMs) {
      await this.#sessions.delete(id);
      return undefined;
    }
    session.lastSeen = Date.now();
    return session;
  }

  /** Keeps what a request changed (last seen, the flash), the idle time starting again; an ended session stays ended. */
  save(session: ConsoleSession): Promise<void> {
    return this.#sessions.put(session.id, session, { ttlMs: idleMs, existing: true });
  }

  end(id: string): Promise<void> {
    return this.#sessions.delete(id);
  }
}

/** Whether a submitted token is the session's (constant time). */
export function csrfMatches(session: ConsoleSession, token: string): boolean {
  const a = Buffer.from(session.csrf);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}
