/*
 * The state of each sign-in in progress, keyed by the oidc-provider interaction uid. oidc-provider
 * drops custom fields of its Interaction model, and `login` must not be recorded before every
 * factor has passed, so the steps keep their own state here: in this process's memory (Journeys)
 * or on Redis (RedisJourneys), where the next step of a sign-in may come to another process. A step
 * changes its journey in place; the step's frame saves it when the step is done (save).
 */
import type { OtpState } from '../domain/otp.ts';
import type { Ceremony } from '../webauthn/ceremony.ts';
import { type Records, type RecordsFactory, withRun } from '../adapters/records.ts';
import type { Run, Runs } from '../runs.ts';
import type { ContactChannel } from '../views/confirm_contact.ts';

export type Stage =
  | 'password'
  | 'otp'
  | 'password_change'
  // B1, B2: the unconfirmed phone or e-mail confirmed inside the sign-in
  | 'confirm_contact'
  | 'agreement'
  // feature «webauthn»: app code, security key, biometric sign-in, second factor at first login
  | 'totp'
  | 'key'
  | 'biometric'
  | 'factor_setup'
  // electronic signature (A4, A5, A8)
  | 'certificate';

/** A phone or e-mail being confirmed inside a sign-in (B1, B2: confirm_contact.ts). */
export interface ContactConfirmation {
  channel: ContactChannel;
  /** The code sent last; null until the person asks for one. */
  otp: OtpState | null;
  /** Where the sign-in goes on: the second factor chosen on the login page, or the rest of it after recovery (whose code was the second factor). */
  next: { factor: string } | 'advance';
  notice?: string;
}

/** «Забыли пароль?» under way in a sign-in (recovery.ts). */
export interface Recovery {
  stage: 'code' | 'password';
  /** The account the code went to; absent when none matched or its contact is unconfirmed. */
  oid?: string;
  channel: 'sms' | 'email';
  /** Where the screen says the code went, from what the user typed. */
  sentTo: string;
  otp: OtpState | null;
  /** Sends so far in this sign-in (cooldown and cap carry over a change of identifier). */
  lastOtp: OtpState | null;
  notice?: string;
}

export interface Journey {
  uid: string;
  clientId: string;
  /** The run the sign-in belongs to, fixed when it starts. */
  run: Run;
  stage: Stage;
  oid?: string;
  remember: boolean;
  otp: OtpState | null;
  amr: string[];
  /** feature «webauthn»: the WebAuthn ceremony under way (challenge, deadline on the run's clock). */
  ceremony?: Ceremony;
  /** feature «webauthn»: wrong app codes in this sign-in. */
  factorFailures?: number;
  /** Shown once on the next screen (e.g. «новый код отправлен»). */
  notice?: string;
  /** B1, B2: the phone or e-mail being confirmed after the password (interactions/confirm_contact.ts). */
  confirm?: ContactConfirmation;
  /** «Забыли пароль?» under way in this sign-in (D1, interactions/recovery.ts). */
  recovery?: Recovery;
  touchedAt: number;
  /** Electronic signature (A4, A8): the challenge on the certificate screen now. */
  challenge?: string;
  /** Set when only a signature may finish this sign-in: the relying party's acr_values (step-up) or a client policy. */
  required?: 'signature';
  /** Step-up inside a live session: the signer must be this account. */
  sessionAccountId?: string;
}

/** A sign-in left alone this long (on its run's clock) starts again from the password. */
export const journeyLifetimeMs = 30 * 60 * 1000;

/** The sign-ins in progress, wherever they are kept. */
export interface JourneyStore {
  /** The sign-in `uid`, or a new one in `run` (the browser's run) when none is under way. */
  get(uid: string, clientId: string, run: Run): Promise<Journey>;
  /** Keeps what a step changed; a journey ended meanwhile stays ended. */
  save(journey: Journey): Promise<void>;
  end(uid: string): Promise<void>;
  /** Forgets the sign-ins under way in a run (its reset). */
  clear(run: Run): Promise<void>;
}

/** A new sign-in, or the one found if it is still alive on its run's clock; touched now either way. */
function current(
  found: Journey | undefined,
  uid: string,
  clientId: string,
  run: Run,
): { journey: Journey; fresh: boolean } {
  const now = (found?.run ?? run).clock.now();
  const fresh = !found || now - found.touchedAt > journeyLifetimeMs;
  const journey = fresh
    ? { uid, clientId, run, stage: 'password' as const, remember: false, otp: null, amr: [], touchedAt: now }
    : found;
  journey.touchedAt = now;
  return { journey, fresh };
}

/**
 * In memory, kept in the order they were last used, so the oldest are first: abandoned sign-ins past their
 * lifetime go as new ones start, and past `cap` the least recently used goes even if still live
 * (its browser then starts the sign-in again from the password).
 */
export class Journeys implements JourneyStore {
  readonly #map = new Map<string, Journey>();

  constructor(readonly cap = 20_000) {}

  get size(): number {
    return this.#map.size;
  }

  async get(uid: string, clientId: string, run: Run): Promise<Journey> {
    const { journey, fresh } = current(this.#map.get(uid), uid, clientId, run);
    if (fresh) this.#dropOldest();
    this.#map.delete(uid);
    this.#map.set(uid, journey);
    return journey;
  }

  /** Nothing to write: the map holds the very object the step changed. */
  async save(): Promise<void> {}

  async end(uid: string): Promise<void> {
    this.#map.delete(uid);
  }

  async clear(run: Run): Promise<void> {
    for (const [uid, j] of this.#map) if (j.run === run) this.#map.delete(uid);
  }

  /** Room for one more: expired ones from the front, then the least recently used past the cap. */
  #dropOldest(): void {
    for (const [uid, j] of this.#map) {
      if (j.run.clock.now() - j.touchedAt <= journeyLifetimeMs && this.#map.size < this.cap) return;
      this.#map.delete(uid);
    }
  }
}

/** How long Redis keeps a sign-in nobody touches (real time; its lifetime runs on the run's clock). */
const keptMs = 4 * journeyLifetimeMs;

/** On Redis: each sign-in one key (its run by id, PX), read at each step and written back after it. */
export class RedisJourneys implements JourneyStore {
  readonly #records: Records<Journey>;

  constructor(records: RecordsFactory, runs: Pick<Runs, 'get'>) {
    this.#records = records('journey', withRun<Journey, Run>(runs));
  }

  async get(uid: string, clientId: string, run: Run): Promise<Journey> {
    const { journey, fresh } = current(await this.#records.get(uid), uid, clientId, run);
    // A new one is written now (save() only rewrites one that is there); a found one when its step is done.
    if (fresh) await this.#records.put(uid, journey, { ttlMs: keptMs, tags: [`run:${journey.run.id}`] });
    return journey;
  }

  save(journey: Journey): Promise<void> {
    return this.#records.put(journey.uid, journey, { ttlMs: keptMs, tags: [`run:${journey.run.id}`], existing: true });
  }

  end(uid: string): Promise<void> {
    return this.#records.delete(uid);
  }

  clear(run: Run): Promise<void> {
    return this.#records.deleteTagged(`run:${run.id}`);
  }
}
