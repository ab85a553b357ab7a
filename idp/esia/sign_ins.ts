/*
 * Browser sign-ins of the ESIA face in flight: from /ac to the sign-in screens (pending), from
 * their return to the consent screen (awaiting consent), and what each account granted to each
 * system. All in memory: a restart forgets them, as ESIA forgets a sign-in left half-way.
 */
import { randomUUID } from 'node:crypto';
import type { Run } from '../runs.ts';
import type { EsiaSystem } from './systems.ts';

export interface Pending {
  system: EsiaSystem;
  version: 'v1' | 'v2';
  redirectUri: string;
  state: string;
  scopes: string[];
  offline: boolean;
  personFilter?: string;
  codeChallenge?: { value: string; method: string };
  run: Run;
  created: number;
}

/** A browser back from the sign-in screens with an account. */
export interface SignedIn {
  p: Pending;
  oid: string;
  run: Run;
  amr: string[];
  authTime: number;
  sid: string;
}

/** Keeps `value` under a new id; past `cap` entries the oldest goes (abandoned sign-ins). */
function keep<V>(map: Map<string, V>, value: V, cap: number): string {
  const id = randomUUID();
  while (map.size >= cap) map.delete(map.keys().next().value as string);
  map.set(id, value);
  return id;
}

/** Takes an entry out: each id is answered once. */
function take<V>(map: Map<string, V>, id: string | undefined): V | undefined {
  const value = map.get(id ?? '');
  if (value !== undefined) map.delete(id!);
  return value;
}

export class SignIns {
  readonly #pending = new Map<string, Pending>();
  readonly #awaitingConsent = new Map<string, SignedIn>();
  // Kept on the account object: a reset of the run (new account objects) forgets the grants too.
  readonly #consents = new WeakMap<object, Set<string>>();

  /** `cap`: the most sign-ins kept in each list (config.memory.storeCap). */
  constructor(readonly cap = 20_000) {}

  /** Sign-ins kept: gone to the screens, and back awaiting consent. */
  get sizes(): { pending: number; awaitingConsent: number } {
    return { pending: this.#pending.size, awaitingConsent: this.#awaitingConsent.size };
  }

  /** The id travels as the state of the internal sign-in and comes back to /aas/oauth2/_return. */
  start(p: Pending): string {
    return keep(this.#pending, p, this.cap);
  }
  finish(id: string | undefined): Pending | undefined {
    return take(this.#pending, id);
  }
  /** The id goes into the consent form. */
  askConsent(o: SignedIn): string {
    return keep(this.#awaitingConsent, o, this.cap);
  }
  answerConsent(id: string | undefined): SignedIn | undefined {
    return take(this.#awaitingConsent, id);
  }

  consented(o: SignedIn): boolean {
    const account = o.run.accounts.byOid(o.oid);
    return !!account && !!this.#consents.get(account)?.has(consentKey(o));
  }
  grantConsent(o: SignedIn): void {
    const account = o.run.accounts.byOid(o.oid);
    if (!account) return;
    const set = this.#consents.get(account) ?? new Set<string>();
    set.add(consentKey(o));
    this.#consents.set(account, set);
  }
}

const consentKey = (o: SignedIn) => `${o.p.system.clientId}|${[...o.p.scopes].sort().join(' ')}`;
