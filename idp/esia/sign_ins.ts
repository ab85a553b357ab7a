/*
 * Browser sign-ins of the ESIA face in flight: from /ac to the sign-in screens (pending), from
 * their return to the consent screen (awaiting consent), and what each account granted to each
 * system. In memory (a restart forgets them, as ESIA forgets a sign-in left half-way) or on Redis,
 * where another emulator process finishes what one began.
 */
import { randomUUID } from 'node:crypto';
import { type Codec, plainJson, type Records, type RecordsFactory, withRun } from '../adapters/records.ts';
import type { Run, Runs } from '../runs.ts';
import type { EsiaSystem, SystemRegistry } from './systems.ts';

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

/** A sign-in left half-way is forgotten after this long (real time; its own checks run on the run's clock). */
const inFlightMs = 60 * 60_000;
/** What an account granted a system is remembered this long, or until its run is reset. */
const consentMs = 30 * 24 * 3600_000;

type Lookups = { runs: Pick<Runs, 'get'>; systems: Pick<SystemRegistry, 'get'> };

/** A pending sign-in as JSON: its run and system by id, absent when either is gone. */
function pendingCodec({ runs, systems }: Lookups): Codec<Pending> {
  const byRun = withRun<Pending, Run>(runs);
  return {
    encode: (p) => ({ ...(byRun.encode(p) as object), system: p.system.clientId }),
    decode: (json) => {
      const system = systems.get((json as { system: string }).system);
      const p = system && byRun.decode({ ...(json as object), system });
      return p && { ...p, system };
    },
  };
}

function signedInCodec(lookups: Lookups): Codec<SignedIn> {
  const pending = pendingCodec(lookups);
  const byRun = withRun<SignedIn, Run>(lookups.runs);
  return {
    encode: (o) => ({ ...(byRun.encode(o) as object), p: pending.encode(o.p) }),
    decode: (json) => {
      const p = pending.decode((json as { p: unknown }).p);
      const o = p && byRun.decode({ ...(json as object), p });
      return o && { ...o, p };
    },
  };
}

export class SignIns {
  readonly #pending: Records<Pending>;
  readonly #awaitingConsent: Records<SignedIn>;
  readonly #consents: Records<true>;

  /** Kept in memory (each list capped by ESIA_STORE_CAP) or on Redis, as the records factory says. */
  constructor(records: RecordsFactory, lookups: Lookups) {
    this.#pending = records('esia:pending', pendingCodec(lookups));
    this.#awaitingConsent = records('esia:awaiting-consent', signedInCodec(lookups));
    this.#consents = records('esia:consent', plainJson<true>());
  }

  /** The id travels as the state of the internal sign-in and comes back to /aas/oauth2/_return. */
  async start(p: Pending): Promise<string> {
    const id = randomUUID();
    await this.#pending.put(id, p, { ttlMs: inFlightMs });
    return id;
  }
  /** Each id is answered once. */
  finish(id: string | undefined): Promise<Pending | undefined> {
    return this.#pending.take(id ?? '');
  }
  /** The id goes into the consent form. */
  async askConsent(o: SignedIn): Promise<string> {
    const id = randomUUID();
    await this.#awaitingConsent.put(id, o, { ttlMs: inFlightMs });
    return id;
  }
  answerConsent(id: string | undefined): Promise<SignedIn | undefined> {
    return this.#awaitingConsent.take(id ?? '');
  }

  async consented(o: SignedIn): Promise<boolean> {
    return !!o.run.accounts.byOid(o.oid) && (await this.#consents.get(consentKey(o))) === true;
  }
  async grantConsent(o: SignedIn): Promise<void> {
    if (!o.run.accounts.byOid(o.oid)) return;
    await this.#consents.put(consentKey(o), true, { ttlMs: consentMs, tags: [`run:${o.run.id}`] });
  }

  /** A run's reset: its accounts' consents are forgotten with them. */
  forgetRun(run: Run): Promise<void> {
    return this.#consents.deleteTagged(`run:${run.id}`);
  }
}

const consentKey = (o: SignedIn) => `${o.run.id}|${o.oid}|${o.p.system.clientId}|${[...o.p.scopes].sort().join(' ')}`;
