/*
 * The only file that knows openid-client. It is a plain OpenID Connect client: discovery,
 * authorization code + PKCE (S256) + state + nonce, client_secret_basic, userinfo, RP-initiated
 * logout. Any ESIA-specific deviation belongs here and nowhere else, so a reader can
 * diff the RP against a textbook OIDC client. Library errors leave this file as RpError codes.
 */
import * as oidc from 'openid-client';
import { expectedRecovery, outageFacts, recoveryFacts } from './availability.ts';
import { RpError, type RpErrorFact } from './errors.ts';
import { tlsFailure, type BackChannelFetch } from './tls_fetch.ts';

export interface OidcClientOptions {
  /** Issuer origin, e.g. http://localhost:3000. */
  issuer: string;
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  postLogoutRedirectUri: string;
  /** Default: all scopes the emulator offers. */
  scope?: string;
  /** How long a successful discovery is reused. Short, so an emulator restart is picked up. */
  discoveryCacheMs?: number;
  /** Per HTTP request to the IdP, in seconds. */
  timeoutSec?: number;
  /** The back-channel's fetch (relying-party/tls_fetch.ts: trusts the stand's CA over HTTPS); global fetch when absent. */
  fetch?: BackChannelFetch;
}

/** What must survive between /login and /callback, kept server-side. */
export interface PendingLogin {
  state: string;
  nonce: string;
  codeVerifier: string;
  /** Why the login was started: a plain sign-in, or a legally significant action that needs an electronic signature (A8). */
  purpose?: 'sign';
}

/** What a login asks the IdP for beyond a plain sign-in. */
export interface LoginRequest {
  /** The authentication level the action needs (acr_values), e.g. urn:esia:acr:signature. */
  acr?: string;
}

/** Verified id_token claims merged with userinfo. */
export type EsiaClaims = { sub: string } & Record<string, unknown>;

export interface SignedIn {
  claims: EsiaClaims;
  idToken: string;
}

export class OidcClient {
  #config: Promise<oidc.Configuration> | undefined;
  #fetchedAt = 0;

  readonly #customFetch: oidc.CustomFetch | undefined;

  constructor(readonly options: OidcClientOptions) {
    const f = options.fetch;
    this.#customFetch = f ? (url, init) => f(url, init) : undefined;
  }

  /** prompt 'login' makes the IdP authenticate again even inside a live session. */
  async beginLogin(prompt?: 'login', request: LoginRequest = {}): Promise<{ url: URL; pending: PendingLogin }> {
    const config = await this.#discover();
    const pending: PendingLogin = {
      state: oidc.randomState(),
      nonce: oidc.randomNonce(),
      codeVerifier: oidc.randomPKCECodeVerifier(),
    };
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: this.options.redirectUri,
      scope: this.options.scope ?? 'openid profile email phone snils inn trust',
      state: pending.state,
      nonce: pending.nonce,
      code_challenge: await oidc.calculatePKCECodeChallenge(pending.codeVerifier),
      code_challenge_method: 'S256',
      ...(prompt ? { prompt } : {}),
      // Step-up (A8): the IdP demands this level even inside a live session and says so in the id_token's acr.
      ...(request.acr ? { acr_values: request.acr } : {}),
    });
    return { url, pending };
  }

  /** `query` is the callback's raw query string; iss, state and nonce are checked by openid-client. */
  async finishLogin(query: string, pending: PendingLogin): Promise<SignedIn> {
    const config = await this.#discover();
    // openid-client derives redirect_uri from this URL, so it must be the registered one.
    const callbackUrl = new URL(this.options.redirectUri);
    callbackUrl.search = query;
    try {
      const tokens = await oidc.authorizationCodeGrant(config, callbackUrl, {
        pkceCodeVerifier: pending.codeVerifier,
        expectedState: pending.state,
        expectedNonce: pending.nonce,
      });
      const idClaims = tokens.claims();
      if (!idClaims || !tokens.id_token)
        throw new RpError('rp.callback_invalid', [], 'token response without id_token');
      // Scope claims (snils, trust_level…) may be only at userinfo, depending on the IdP's settings.
      const userinfo = config.serverMetadata().userinfo_endpoint
        ? await oidc.fetchUserInfo(config, tokens.access_token, idClaims.sub)
        : {};
      return { claims: { ...idClaims, ...userinfo, sub: idClaims.sub }, idToken: tokens.id_token };
    } catch (err) {
      const error = translate(err);
      // Rediscover next time: the emulator may have restarted with new keys or endpoints.
      if (error.code !== 'rp.login_refused') this.#config = undefined;
      throw error;
    }
  }

  /** Single logout (G8): the IdP ends its session, then returns the browser to postLogoutRedirectUri. */
  async logoutUrl(idToken: string): Promise<URL> {
    const config = await this.#discover();
    if (!config.serverMetadata().end_session_endpoint) {
      throw new RpError('rp.idp_unavailable', [], 'discovery has no end_session_endpoint');
    }
    return oidc.buildEndSessionUrl(config, {
      id_token_hint: idToken,
      post_logout_redirect_uri: this.options.postLogoutRedirectUri,
      state: oidc.randomState(),
    });
  }

  // Lazy, so the RP may start before the IdP; failures are not cached, so the next try rediscovers.
  #discover(): Promise<oidc.Configuration> {
    const maxAge = this.options.discoveryCacheMs ?? 60_000;
    if (!this.#config || Date.now() - this.#fetchedAt > maxAge) {
      this.#fetchedAt = Date.now();
      const { issuer, clientId, clientSecret } = this.options;
      const pending = oidc
        .discovery(new URL(issuer), clientId, undefined, oidc.ClientSecretBasic(clientSecret), {
          // The emulator runs over plain http on localhost; openid-client refuses http unless told.
          execute: issuer.startsWith('http:') ? [oidc.allowInsecureRequests] : [],
          timeout: this.options.timeoutSec ?? 5,
          ...(this.#customFetch ? { [oidc.customFetch]: this.#customFetch } : {}),
        })
        .then((config) => {
          if (this.#customFetch) config[oidc.customFetch] = this.#customFetch;
          return config;
        })
        .catch((err: unknown) => {
          if (this.#config === pending) this.#config = undefined;
          throw (
            tlsFailure(err, `discovery of ${issuer}`) ??
            new RpError(
              'rp.idp_unavailable',
              availabilityFacts(err),
              `discovery of ${issuer} failed: ${describe(err)}`,
              { cause: err },
            )
          );
        });
      this.#config = pending;
    }
    return this.#config;
  }
}

// Where the IdP is down or answers 5xx, the user should retry later; anything else about the
// response (state, iss, nonce, signature, a used code) means this callback must not be trusted.
function translate(err: unknown): RpError {
  if (err instanceof RpError) return err;
  const tls = tlsFailure(err, 'token or userinfo request');
  if (tls) return tls;
  if (err instanceof oidc.AuthorizationResponseError) {
    const description = (err.error_description ?? '').slice(0, 300);
    const outage = err.error === 'temporarily_unavailable' || err.error === 'server_error';
    const facts: RpErrorFact[] = outage
      ? outageFacts(description, err.error, (err.cause as URLSearchParams | undefined)?.get?.('available_at'))
      : [{ label: 'Ответ Госуслуг', value: description || err.error, testid: 'idp-error' }];
    return new RpError(outage ? 'rp.idp_unavailable' : 'rp.login_refused', facts, `IdP error=${err.error}`, {
      cause: err,
    });
  }
  if (isUnavailable(err)) {
    // A 503 from the token or userinfo endpoint may say until when (available_at, Retry-After).
    return new RpError('rp.idp_unavailable', availabilityFacts(err), describe(err), { cause: err });
  }
  return new RpError('rp.callback_invalid', [], describe(err), { cause: err });
}

/** «Ожидаемое время восстановления» from a 5xx answer: its available_at field or Retry-After header (E3). */
function availabilityFacts(err: unknown): RpErrorFact[] {
  if (err instanceof oidc.ResponseBodyError) {
    return recoveryFacts(
      expectedRecovery(
        (err.cause as Record<string, unknown> | undefined)?.available_at,
        err.response?.headers.get('retry-after'),
      ),
    );
  }
  if (err instanceof oidc.ClientError && err.cause instanceof Response)
    return recoveryFacts(expectedRecovery(undefined, err.cause.headers.get('retry-after')));
  return [];
}

function isUnavailable(err: unknown): boolean {
  if (err instanceof oidc.ResponseBodyError) return err.status >= 500;
  if (err instanceof TypeError) return err.message === 'fetch failed'; // connection refused, DNS, reset
  if (err instanceof oidc.ClientError) {
    if (err.code === 'OAUTH_TIMEOUT' || err.code === 'OAUTH_ABORT') return true;
    const cause: unknown = err.cause;
    return cause instanceof Response && cause.status >= 500; // e.g. a 503 maintenance page
  }
  return false;
}

function describe(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const code = (err as { code?: unknown }).code;
  const cause = err.cause instanceof Error ? ` (${err.cause.message})` : '';
  return `${err.name}${typeof code === 'string' ? ` ${code}` : ''}: ${err.message}${cause}`;
}
