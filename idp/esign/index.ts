/*
 * Electronic signature, step-up and organisation policies (A4, A5, A8, A9): what the sign-in
 * screens, the plugin stand-in and the control API share. Built once in app.ts (Services.esign).
 */
import { personVariants, type PersonVariant, type TestPki } from '../../lib/pki/test_pki.ts';
import type { Account } from '../domain/account.ts';
import type { Organisation, SignInMethod } from '../domain/policy.ts';
import type { Run } from '../runs.ts';
import { plainJson, type Records, type RecordsFactory } from '../adapters/records.ts';
import { challengeLifetimeMs, maxChallenges } from './run_state.ts';
import type { VirtualToken } from './token.ts';

/** The cookie that names a browser's token (the plugin stand-in sets it; the control API plugs a person's token in with it). */
export const tokenCookie = 'esia_token';
export const tokenCookieOptions = {
  httpOnly: true,
  sameSite: 'lax',
  signed: false,
  overwrite: true,
  path: '/',
  maxAge: 12 * 3600 * 1000,
} as const;

/** What of Koa's ctx.cookies the token lookup needs. */
interface BrowserCookies {
  get(name: string, options: { signed: boolean }): string | undefined;
  set(name: string, value: string, options: typeof tokenCookieOptions): unknown;
}

export interface EsignOptions {
  organisations: Organisation[];
  /** client_id → allowed methods from the clients file (`allowed_methods`). */
  clientMethods: Map<string, SignInMethod[]>;
  pki: TestPki;
  /** Where signed challenges are marked used (memory or Redis). */
  records: RecordsFactory;
}

export class EsignServices {
  /** Origin of the HTTPS listener (mutual TLS sign-in), once it runs. */
  tlsOrigin?: string;
  readonly #spent: Records<true>;

  constructor(readonly options: EsignOptions) {
    this.#spent = options.records('esign:challenge', plainJson<true>(), maxChallenges);
  }

  /** Marks a signed challenge used: true for the first signature over it, in whichever process. */
  spendChallenge(challenge: string): Promise<boolean> {
    return this.#spent.spend(challenge, 6 * challengeLifetimeMs);
  }

  organisationOf(account: Account): Organisation | undefined {
    return this.options.organisations.find((o) => o.members.includes(account.persona));
  }

  /** The client's allowed methods: this run's rule (control API) over the clients file's. */
  clientMethods(run: Run, clientId: string): SignInMethod[] | undefined {
    return run.esign.clientMethods.get(clientId) ?? this.options.clientMethods.get(clientId);
  }

  /** Registers a client's rule from runtime registration (POST /__control/clients). */
  setClientDefault(clientId: string, methods: SignInMethod[] | undefined): void {
    if (methods) this.options.clientMethods.set(clientId, methods);
    else this.options.clientMethods.delete(clientId);
  }

  /**
   * A person's token in this run, made on first use; a persona whose fixtures say `esignToken` (a
   * token "ready" on that person's computer) finds those certificates on it.
   */
  personaToken(run: Run, persona: string): { id: string; token: VirtualToken } {
    const state = run.esign;
    const known = state.personaTokens.get(persona);
    const token = known ? state.tokens.get(known) : undefined;
    if (known && token) return { id: known, token };
    const made = state.newToken();
    state.personaTokens.set(persona, made.id);
    const variant = run.accounts.byPersona(persona)?.esignToken;
    if (variant) this.handToToken(made.token, persona, variant);
    return made;
  }

  /**
   * The token a browser holds: the one its esia_token cookie names in this run (a person's, once
   * plugged in, or its own), else a new empty one of its own, remembered in that cookie.
   */
  browserToken(run: Run, cookies: BrowserCookies): VirtualToken {
    const id = cookies.get(tokenCookie, { signed: false });
    const token = id ? run.esign.tokens.get(id) : undefined;
    if (token) return token;
    const made = run.esign.newToken();
    cookies.set(tokenCookie, made.id, tokenCookieOptions);
    return made.token;
  }

  /** Whose token this is (a persona), or undefined for a browser's own. */
  ownerOf(run: Run, id: string): string | undefined {
    for (const [persona, tokenId] of run.esign.personaTokens) if (tokenId === id) return persona;
    return undefined;
  }

  /** Puts a persona's certificate (any variant) with its key on a token, as the control API does. */
  handToToken(token: VirtualToken, persona: string, variant: PersonVariant | 'orphan') {
    const issued =
      variant === 'orphan'
        ? this.options.pki.certificateFor('nobody', 'valid')
        : this.options.pki.certificateFor(persona, variant);
    return token.add(
      issued.certificatePem,
      issued.privateKeyPem,
      'control',
      `${variant === 'orphan' ? 'nobody' : persona}-${variant}`,
    );
  }
}

export const tokenVariants = [...personVariants, 'orphan'] as const;
