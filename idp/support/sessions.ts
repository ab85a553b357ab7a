/*
 * Sessions of the support console: kept in memory, named by a random id in the `esia_support`
 * cookie, which is signed (HMAC-SHA-256) with the emulator's cookie keys from keys/local. Separate
 * from end users' sessions: an ESIA (oidc-provider) session never opens the console, and a console
 * session never signs anyone in. Each session has its own CSRF token for the console's forms.
 * Idle sessions end after 30 minutes of real time (a property of the console, not of a scenario).
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
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
  readonly #sessions = new Map<string, ConsoleSession>();

  constructor(readonly keys: string[]) {
    if (!keys.length)
      throw new Error('The support console needs at least one cookie key (keys/local/cookie-keys.json).');
  }

  #sign(id: string, key: string): string {
    return createHmac('sha256', key).update(`${supportCookie}=${id}`).digest('base64url');
  }

  create(fields: Omit<ConsoleSession, 'id' | 'csrf' | 'lastSeen'>): { session: ConsoleSession; cookie: string } {
    this.#expire();
    const session: ConsoleSession = {
      ...fields,
      id: randomBytes(24).toString('base64url'),
      csrf: randomBytes(24).toString('base64url'),
      lastSeen: Date.now(),
    };
    this.#sessions.set(session.id, session);
    return { session, cookie: `${session.id}.${this.#sign(session.id, this.keys[0] as string)}` };
  }

  /** The session a cookie names, if its signature holds under any key and it has not idled out. */
  fromCookie(value: string | undefined): ConsoleSession | undefined {
    if (!value) return undefined;
    const [id = '', signature = ''] = value.split('.');
    const given = Buffer.from(signature);
    const valid = this.keys.some((key) => {
      const expected = Buffer.from(this.#sign(id, key));
      return expected.length === given.length && timingSafeEqual(expected, given);
    });
    if (!valid) return undefined;
    const session = this.#sessions.get(id);
    if (!session) return undefined;
    if (Date.now() - session.lastSeen > idleMs) {
      this.#sessions.delete(id);
      return undefined;
    }
    session.lastSeen = Date.now();
    return session;
  }

  end(id: string): void {
    this.#sessions.delete(id);
  }

  #expire(): void {
    const now = Date.now();
    for (const [id, s] of this.#sessions) if (now - s.lastSeen > idleMs) this.#sessions.delete(id);
    while (this.#sessions.size >= maxSessions) this.#sessions.delete(this.#sessions.keys().next().value as string);
  }
}

/** Whether a submitted token is the session's (constant time). */
export function csrfMatches(session: ConsoleSession, token: string): boolean {
  const a = Buffer.from(session.csrf);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}
