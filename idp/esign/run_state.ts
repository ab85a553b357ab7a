/*
 * What a run keeps for electronic signature (A4, A5, A9): its virtual tokens (the plugin stand-in),
 * the sign-in challenges it issued, and per-client policies set at run time. Cleared on reset.
 *
 * A token belongs to a person or to a browser, never to the whole run: each person has one (the
 * control API fills it, the fixtures' `esignToken` prefills it), plugged into the browser the
 * harness or a trainer seats that person at; a browser nobody was seated at has its own, empty
 * at first, for key files loaded from disk. Ids are random, so a browser reaches only the token
 * whose id it was given (cookie esia_token).
 */
import { randomBytes } from 'node:crypto';
import { EsiaError } from '../errors/esia_error.ts';
import type { SignInMethod } from '../domain/policy.ts';
import { VirtualToken } from './token.ts';

/** Tokens a run keeps at most (the personas' always stay). */
export const maxTokens = 1000;

/** A challenge may be signed within this time, by the run's clock. */
export const challengeLifetimeMs = 5 * 60 * 1000;
/** Challenges kept per run; past it expired ones go, then the oldest. */
export const maxChallenges = 10_000;

export interface IssuedChallenge {
  uid: string;
  issuedAt: number;
  used: boolean;
}

export class EsignRunState {
  /** token id → token: the personas' and the browsers' own. */
  readonly tokens = new Map<string, VirtualToken>();
  /** persona → the id of that person's token. */
  readonly personaTokens = new Map<string, string>();
  /** client_id → allowed methods, overriding config/clients.json for this run. */
  readonly clientMethods = new Map<string, SignInMethod[]>();
  readonly #challenges = new Map<string, IssuedChallenge>();

  /** A fresh challenge for sign-in `uid`; the one issued before it for the same sign-in is void. */
  issueChallenge(uid: string, now: number, previous?: string): string {
    const old = previous ? this.#challenges.get(previous) : undefined;
    if (old) old.used = true;
    if (this.#challenges.size >= maxChallenges) {
      for (const [value, c] of this.#challenges)
        if (now - c.issuedAt > 6 * challengeLifetimeMs) this.#challenges.delete(value);
      // Still too many (a flood of certificate screens): the oldest go; their sign-ins get a new challenge on reload.
      while (this.#challenges.size >= maxChallenges) this.#challenges.delete(this.#challenges.keys().next().value!);
    }
    const value = `ESIA-LOGIN-${randomBytes(18).toString('base64url')}`;
    this.#challenges.set(value, { uid, issuedAt: now, used: false });
    return value;
  }

  /** Single use: a challenge of this sign-in, not used before, younger than its lifetime. */
  consumeChallenge(value: string, uid: string, now: number): void {
    const issued = this.#challenges.get(value);
    if (!issued)
      throw new EsiaError('esign.challenge_foreign', {
        reason: 'this challenge was never issued by the emulator',
        challenge: value.slice(0, 40),
      });
    if (issued.uid !== uid)
      throw new EsiaError('esign.challenge_foreign', {
        reason: 'challenge issued to another sign-in',
        expected: uid,
        actual: issued.uid,
      });
    if (issued.used)
      throw new EsiaError('esign.challenge_replayed', {
        reason: 'challenge already presented (or replaced by a newer one)',
      });
    issued.used = true;
    if (now - issued.issuedAt > challengeLifetimeMs) {
      throw new EsiaError('esign.challenge_replayed', {
        reason: 'challenge expired',
        expected: `≤ ${challengeLifetimeMs / 1000} s`,
        actual: `${Math.round((now - issued.issuedAt) / 1000)} s`,
      });
    }
  }

  /** A new empty token under a fresh random id. */
  newToken(): { id: string; token: VirtualToken } {
    // A client that keeps no cookies makes a token per call: past the cap the oldest browser token goes.
    if (this.tokens.size >= maxTokens) {
      const persons = new Set(this.personaTokens.values());
      const oldest = [...this.tokens.keys()].find((key) => !persons.has(key));
      if (oldest) this.tokens.delete(oldest);
    }
    const id = randomBytes(12).toString('base64url');
    const token = new VirtualToken();
    this.tokens.set(id, token);
    return { id, token };
  }

  clear(): void {
    this.tokens.clear();
    this.personaTokens.clear();
    this.clientMethods.clear();
    this.#challenges.clear();
  }

  /** The challenges issued, oldest first: with the maps above, all a run keeps for signatures. */
  challenges(): Array<[string, IssuedChallenge]> {
    return [...this.#challenges];
  }

  /** Puts back a challenge as another process left it (gone when `challenge` is undefined). */
  restoreChallenge(value: string, challenge: IssuedChallenge | undefined): void {
    if (challenge) this.#challenges.set(value, challenge);
    else this.#challenges.delete(value);
  }
}
