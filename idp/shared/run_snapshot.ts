/*
 * A run's whole state as JSON and back, so several emulator processes can share it (ESIA_STORE=redis://…).
 * The snapshot is a set of named parts, each JSON on its own: the accounts one per oid, the inboxes
 * one per recipient and the signature challenges one each, so a sign-in that touches one account and
 * one inbox rewrites two small parts, not every persona, and two sign-ins in two processes that each
 * issue a challenge change different parts. Hydration is in place: the Run, its repository, clock and outbox stay the
 * same objects (services and journeys hold them), and an account that is still there keeps its object.
 */
import type { Fault } from '../adapters/faults.ts';
import type { IdState, Message } from '../adapters/outbox.ts';
import type { Account } from '../domain/account.ts';
import type { ClockState } from '../domain/clock.ts';
import type { Lockable } from '../domain/lockout.ts';
import type { Outage } from '../domain/outage.ts';
import type { SignInMethod } from '../domain/policy.ts';
import type { IssuedChallenge } from '../esign/run_state.ts';
import { type TokenEntry, VirtualToken } from '../esign/token.ts';
import type { IssuedCertificate } from '../../lib/pki/test_pki.ts';
import type { RevocationEntry } from '../../lib/pki/revocation_state.ts';
import type { Run } from '../runs.ts';

/** Part name → its JSON-ready value. */
export type RunParts = Map<string, unknown>;

interface TokenState {
  pin: string;
  puk: string;
  maxAttempts: number;
  attemptsLeft: number;
  entries: TokenEntry[];
}

interface EsignState {
  tokens: Array<[string, TokenState]>;
  personaTokens: Array<[string, string]>;
  clientMethods: Array<[string, SignInMethod[]]>;
}

/** Fields of a Run that are not state to share: who it is, and when this process last saw it used. */
export const runIdentityFields = ['id', 'oidOffset', 'lastUsedAt'] as const;

const accountPrefix = 'account:';
const inboxPrefix = 'inbox:';
const challengePrefix = 'challenge:';

/**
 * Each shared field of a Run with how it is written and read back. A field added to Run and not
 * listed here (or in runIdentityFields) fails test/unit/run_snapshot.test.ts.
 */
const simpleParts = {
  clock: { write: (run: Run) => run.clock.state(), read: (run: Run, v: ClockState) => run.clock.restore(v) },
  faults: {
    write: (run: Run) => run.faults.list,
    read: (run: Run, v: Fault[]) => {
      run.faults.list = v;
    },
  },
  shortcuts: {
    write: (run: Run) => [...run.shortcuts],
    read: (run: Run, v: Array<[string, string[]]>) => refill(run.shortcuts, v),
  },
  outage: {
    write: (run: Run) => run.outage,
    read: (run: Run, v: Outage | null) => {
      run.outage = v;
    },
  },
  unknownLogins: {
    write: (run: Run) => run.unknownLogins.entries(),
    read: (run: Run, v: Array<[string, Lockable]>) => run.unknownLogins.restore(v),
  },
  operatorLockouts: {
    write: (run: Run) => [...run.operatorLockouts],
    read: (run: Run, v: Array<[string, Lockable]>) => refill(run.operatorLockouts, v),
  },
  revocations: {
    write: (run: Run) => run.revocations.list(),
    read: (run: Run, v: RevocationEntry[]) => run.revocations.restore(v),
  },
  issuedCertificates: {
    write: (run: Run) => run.issuedCertificates,
    read: (run: Run, v: IssuedCertificate[]) => run.issuedCertificates.splice(0, Infinity, ...v),
  },
  esign: { write: esignState, read: restoreEsign },
  // How the outbox gives ids (its counter, or the time: constant, so a send changes only its inbox); the messages are in the inbox parts.
  outbox: {
    write: (run: Run) => run.outbox.idState(),
    read: (run: Run, v: IdState) => run.outbox.restoreIdState(v),
  },
} satisfies Record<string, { write(run: Run): unknown; read(run: Run, value: never): void }>;

/** Run fields the parts above and the accounts cover (the outbox's inboxes are parts of their own). */
export const sharedRunFields = [...Object.keys(simpleParts), 'accounts'];

/** The run's state now, part by part. */
export function runParts(run: Run): RunParts {
  const parts: RunParts = new Map();
  const accounts = run.accounts.all();
  parts.set(
    'accounts',
    accounts.map((a) => a.oid),
  );
  for (const account of accounts) parts.set(accountPrefix + account.oid, account);
  for (const [key, messages] of run.outbox.inboxes()) parts.set(inboxPrefix + key, messages);
  for (const [value, challenge] of run.esign.challenges()) parts.set(challengePrefix + value, challenge);
  for (const [name, part] of Object.entries(simpleParts)) parts.set(name, part.write(run));
  return parts;
}

/**
 * Brings the run to the state another process left, given the parts that changed since this process
 * last saw it (a value of undefined: the part is gone). Values are taken over, not copied: pass
 * freshly parsed JSON.
 */
export function hydrateRun(run: Run, changed: Map<string, unknown>): void {
  let accountsChanged = false;
  for (const [name, value] of changed) {
    if (name === 'accounts' || name.startsWith(accountPrefix)) accountsChanged = true;
    else if (name.startsWith(inboxPrefix)) run.outbox.restoreInbox(name.slice(inboxPrefix.length), value as Message[]);
    else if (name.startsWith(challengePrefix))
      run.esign.restoreChallenge(name.slice(challengePrefix.length), value as IssuedChallenge | undefined);
    else if (name in simpleParts && value !== undefined)
      (simpleParts[name as keyof typeof simpleParts].read as (run: Run, v: unknown) => void)(run, value);
  }
  if (accountsChanged) hydrateAccounts(run, changed);
}

/** The accounts in the snapshot's order; one whose part did not change keeps its object as it is, a changed one is updated in place. */
function hydrateAccounts(run: Run, changed: Map<string, unknown>): void {
  const live = new Map(run.accounts.all().map((a) => [a.oid, a]));
  const order = (changed.get('accounts') as string[] | undefined) ?? [...live.keys()];
  const accounts: Account[] = [];
  for (const oid of order) {
    const fresh = changed.get(accountPrefix + oid) as Account | undefined;
    const existing = live.get(oid);
    if (fresh && existing) accounts.push(replaceFields(existing, fresh));
    else if (fresh ?? existing) accounts.push((fresh ?? existing) as Account);
  }
  run.accounts.replaceAll(accounts);
}

/**
 * The object keeps its identity and takes the source's fields in the source's order (so it
 * serialises as the source did). With the same fields in the same order (nearly always) they are
 * only assigned: deleting them all would turn the object into a slow dictionary for V8, and every
 * later read and serialisation of that account would pay for it.
 */
function replaceFields<T extends object>(target: T, source: T): T {
  const had = Object.keys(target);
  const has = Object.keys(source);
  if (had.length !== has.length || had.some((key, i) => key !== has[i]))
    for (const key of had) delete (target as Record<string, unknown>)[key];
  return Object.assign(target, source);
}

function refill<K, V>(map: Map<K, V>, entries: Array<[K, V]>): void {
  map.clear();
  for (const [k, v] of entries) map.set(k, v);
}

function esignState(run: Run): EsignState {
  const e = run.esign;
  return {
    tokens: [...e.tokens].map(([id, t]) => [
      id,
      { pin: t.pin, puk: t.puk, maxAttempts: t.maxAttempts, attemptsLeft: t.attemptsLeft, entries: t.entries },
    ]),
    personaTokens: [...e.personaTokens],
    clientMethods: [...e.clientMethods],
  };
}

/** Tokens are updated in place, as a browser's page may hold one while another process signs with it. */
function restoreEsign(run: Run, state: EsignState): void {
  const e = run.esign;
  const live = new Map(e.tokens);
  e.tokens.clear();
  for (const [id, saved] of state.tokens) e.tokens.set(id, Object.assign(live.get(id) ?? new VirtualToken(), saved));
  refill(e.personaTokens, state.personaTokens);
  refill(e.clientMethods, state.clientMethods);
}

/** A part changed here and by another process meanwhile, where both can stay: an inbox keeps both processes' messages. */
export function mergePart(run: Run, name: string, theirs: string): void {
  if (name.startsWith(inboxPrefix))
    run.outbox.mergeInbox(name.slice(inboxPrefix.length), JSON.parse(theirs) as Message[]);
}

/** Each part as the JSON text it is stored as. */
export function serialiseParts(parts: RunParts): Map<string, string> {
  return new Map([...parts].map(([name, value]) => [name, JSON.stringify(value)]));
}

/**
 * serialiseParts for one run again and again (every commit): an inbox is most of a run's bytes and
 * rarely changes, and a message is never edited once sent, so an inbox with the same first and last
 * message and length as last time keeps its text.
 */
export class RunSerialiser {
  readonly #inboxes = new WeakMap<Message[], { stamp: string; text: string }>();

  /** A part read as `text` and hydrated as `value`: an inbox keeps that text until it changes (no stringify of what was just parsed). */
  adopt(name: string, value: unknown, text: string): void {
    if (!name.startsWith(inboxPrefix) || !Array.isArray(value)) return;
    const list = value as Message[];
    this.#inboxes.set(list, { stamp: `${list.length}:${list[0]?.id}:${list.at(-1)?.id}`, text });
  }

  texts(run: Run): Map<string, string> {
    const texts = new Map<string, string>();
    for (const [name, value] of runParts(run)) {
      if (!name.startsWith(inboxPrefix)) {
        texts.set(name, JSON.stringify(value));
        continue;
      }
      const list = value as Message[];
      const stamp = `${list.length}:${list[0]?.id}:${list.at(-1)?.id}`;
      let cached = this.#inboxes.get(list);
      if (cached?.stamp !== stamp) {
        cached = { stamp, text: JSON.stringify(list) };
        this.#inboxes.set(list, cached);
      }
      texts.set(name, cached.text);
    }
    return texts;
  }
}
