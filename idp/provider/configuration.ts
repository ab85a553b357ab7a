/*
 * The only place that knows oidc-provider's configuration shape: clients, claims, lifetimes,
 * features, the Russian error and logout pages, and consent: a first-party system ("first_party":
 * true, ours) gets what it asks for without a screen, so SSO between them is seamless; any other
 * client meets the consent screen (interactions/consent.ts) for scopes the user has not granted it.
 */
import {
  type AccountClaims,
  type Configuration,
  type KoaContextWithOIDC,
  errors,
  interactionPolicy,
} from 'oidc-provider';
import { fullName, type Account } from '../domain/account.ts';
import type { Clock } from '../domain/clock.ts';
import { acrValues, asksForSignature } from '../domain/assurance.ts';
import type { ErrorCode } from '../errors/catalogue.ts';
import { refuseUnavailable, renderFailure } from '../errors/boundary.ts';
import { isStoreUnavailable } from '../../lib/store/redis.ts';
import { EsiaError } from '../errors/esia_error.ts';
import { loggedOutPage, logoutPage } from '../views/logout.ts';
import { type ClientConfig, isFirstParty, providerMetadata } from './clients.ts';
import { CookieSigner } from './cookie_signer.ts';
import type { ProviderState } from './provider_state.ts';

export const scopes = ['openid', 'offline_access', 'profile', 'email', 'phone', 'snils', 'inn', 'trust'];

/** Claims of an account, by the OIDC names plus ESIA's (snils, inn, trust_level). */
export function accountClaims(account: Account): AccountClaims {
  return {
    sub: account.oid,
    name: fullName(account),
    family_name: account.lastName,
    given_name: account.firstName,
    middle_name: account.middleName,
    birthdate: account.birthDate,
    gender: account.gender,
    email: account.email,
    email_verified: account.emailConfirmed,
    phone_number: account.phone,
    phone_number_verified: account.phoneConfirmed,
    snils: account.snils,
    inn: account.inn,
    trust_level: account.trust,
  };
}

/** Maps an oidc-provider error to the catalogue, so its page has our texts and a reference code. */
function catalogueCodeOf(error: { error?: string; error_description?: string }): ErrorCode {
  if (error.error === 'invalid_client') return 'oauth.invalid_client';
  if (error.error === 'invalid_redirect_uri') return 'oauth.invalid_redirect_uri';
  if (error.error === 'server_error') return 'oauth.server_error';
  if (/interaction|session/i.test(error.error_description ?? '')) return 'interaction.expired';
  return 'oauth.invalid_request';
}

/**
 * oidc-provider's prompts, with max_age measured on the run's clock, plus step-up (A8): a relying party asking for acr_values
 * urn:esia:acr:signature sends even a live session with a lower acr through the sign-in again,
 * where only the signature is offered; the id_token then carries the signature's acr and amr.
 */
function interactionPrompts(clockOf: ProviderDeps['clockOf']) {
  const { base, Check } = interactionPolicy;
  const prompts = base();
  const login = prompts.get('login');
  // max_age on the run's clock (oidc-provider's own check reads Date.now()): the session's login
  // time is the run's (step.ts finishLogin), so advancing the run's clock ages the session.
  const at = login?.checks.findIndex((c) => c.reason === 'max_age') ?? -1;
  login?.checks.remove('max_age');
  login?.checks.add(
    new Check('max_age', 'End-User authentication could not be obtained', (ctx) => {
      const { oidc } = ctx;
      if (oidc.params?.max_age === undefined) return Check.NO_NEED_TO_PROMPT;
      if (!oidc.session?.accountId || !oidc.session.loginTs) return Check.REQUEST_PROMPT;
      if (oidc.result?.login) return Check.NO_NEED_TO_PROMPT;
      const age = clockOf(ctx).now() / 1000 - oidc.session.loginTs;
      return age > Number(oidc.params.max_age) ? Check.REQUEST_PROMPT : Check.NO_NEED_TO_PROMPT;
    }),
    at < 0 ? undefined : at,
  );
  login?.checks.add(
    new Check(
      'signature_required',
      'the relying party asks for an electronic signature (acr_values urn:esia:acr:signature)',
      (ctx) => {
        const { oidc } = ctx;
        if (!asksForSignature(oidc.params?.acr_values)) return Check.NO_NEED_TO_PROMPT;
        const login = oidc.result?.login as { acr?: string } | undefined;
        if (login?.acr === acrValues.signature || (!login && oidc.session?.acr === acrValues.signature))
          return Check.NO_NEED_TO_PROMPT;
        return Check.REQUEST_PROMPT;
      },
    ),
  );
  return prompts;
}

export interface ProviderDeps {
  /** Finds an account by oid in whichever run owns it. */
  accountByOid(oid: string): Account | undefined;
  storage: ProviderState;
  /** The clients file's clients, static in oidc-provider. */
  clients: ClientConfig[];
  /** Any client's configuration with the emulator's extensions (require_pkce…): the file's and those registered at run time. */
  clientConfig(clientId: string): ClientConfig | undefined;
  jwks: { keys: object[] };
  cookieKeys: string[];
  /** The clock of the run a request belongs to (its esia_run cookie), for max_age. */
  clockOf(ctx: KoaContextWithOIDC): Clock;
  /** Lifetimes of sessions (and their grants) and of refresh tokens, seconds: config.memory. */
  lifetimes: { sessionSeconds: number; refreshTokenSeconds: number };
}

export function providerConfiguration(deps: ProviderDeps): Configuration {
  return {
    adapter: (name: string) => deps.storage.adapterFor(name),
    clients: deps.clients.map(providerMetadata),
    extraClientMetadata: {
      properties: ['first_party'],
      validator: (_ctx, key, value) => {
        if (key === 'first_party' && value !== undefined && typeof value !== 'boolean') {
          throw new errors.InvalidClientMetadata(`first_party must be true or false, got ${JSON.stringify(value)}`);
        }
      },
    },
    jwks: deps.jwks as Configuration['jwks'],
    cookies: {
      // A Keygrip-compatible signer instead of the key list: see cookie_signer.ts.
      keys: new CookieSigner(deps.cookieKeys) as unknown as string[],
      long: { signed: true, sameSite: 'lax' },
      short: { signed: true, sameSite: 'lax' },
    },
    scopes,
    // OpenID Connect Discovery's prompt_values_supported: what interactions/ answers.
    discovery: { prompt_values_supported: ['none', 'login', 'consent'] },
    claims: {
      openid: ['sub', 'acr', 'amr', 'auth_time'],
      profile: ['name', 'family_name', 'given_name', 'middle_name', 'birthdate', 'gender'],
      email: ['email', 'email_verified'],
      phone: ['phone_number', 'phone_number_verified'],
      snils: ['snils'],
      inn: ['inn'],
      trust: ['trust_level'],
    },
    acrValues: Object.values(acrValues),
    conformIdTokenClaims: false,
    responseTypes: ['code'],
    pkce: {
      required: (_ctx, client) => deps.clientConfig(client.clientId)?.require_pkce !== false,
    },
    clientBasedCORS: () => true,
    features: {
      devInteractions: { enabled: false },
      revocation: { enabled: true },
      introspection: { enabled: true },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: (ctx, form) => {
          ctx.type = 'html';
          ctx.body = logoutPage(form).value;
        },
        postLogoutSuccessSource: (ctx) => {
          ctx.type = 'html';
          ctx.body = loggedOutPage().value;
        },
      },
    },
    ttl: {
      AccessToken: 3600,
      AuthorizationCode: 60,
      IdToken: 3600,
      Interaction: 1800,
      // oidc-provider's defaults keep sessions and grants 14 days; a test stand needs a working day (ESIA_SESSION_TTL).
      Session: deps.lifetimes.sessionSeconds,
      Grant: deps.lifetimes.sessionSeconds,
      RefreshToken: deps.lifetimes.refreshTokenSeconds,
      ClientCredentials: 3600,
    },
    interactions: {
      policy: interactionPrompts(deps.clockOf),
      url: (_ctx, interaction) => `/interaction/${interaction.uid}`,
    },
    findAccount: (_ctx, sub) => {
      const account = deps.accountByOid(sub);
      if (!account) return undefined;
      return { accountId: sub, claims: () => accountClaims(account) };
    },
    // A new refresh token on every use; the used one is consumed, and presenting it again revokes the grant.
    rotateRefreshToken: true,
    // A first-party system gets every scope it asks for without a consent screen; any other client
    // keeps what the user granted it on the consent screen, and is asked for the rest.
    loadExistingGrant: async (ctx: KoaContextWithOIDC) => {
      const { oidc } = ctx;
      const clientId = oidc.client?.clientId;
      const accountId = oidc.session?.accountId;
      if (!clientId || !accountId || !oidc.session) return undefined;
      const firstParty = isFirstParty(oidc.client);
      // A third-party client's grant outlives the browser session: the user is not asked again after signing in anew.
      const existingId =
        oidc.result?.consent?.grantId ??
        oidc.session.grantIdFor(clientId) ??
        (firstParty ? undefined : await deps.storage.grantIdOf(accountId, clientId));
      const existing = existingId ? await oidc.provider.Grant.find(existingId) : undefined;
      if (!firstParty) return existing;
      const grant = existing ?? new oidc.provider.Grant({ clientId, accountId });
      grant.addOIDCScope([...oidc.requestParamScopes].join(' '));
      await grant.save();
      oidc.session.grantIdFor(clientId, grant.jti);
      return grant;
    },
    renderError: (
      ctx: KoaContextWithOIDC,
      out: errors.OIDCProviderError | { error: string; error_description?: string },
      error,
    ) => {
      // A lost Redis under oidc-provider's own endpoints (/auth): the same 503 page as everywhere.
      if (isStoreUnavailable(error)) return refuseUnavailable(ctx, error);
      // oidc-provider has set the status; the page is the error boundary's.
      renderFailure(
        ctx,
        new EsiaError(catalogueCodeOf(out), { error: out.error, error_description: out.error_description }),
        {
          keepStatus: true,
          outsideSignIn: true,
          developer: `${out.error}: ${out.error_description ?? ''}${error instanceof Error && 'error_detail' in error && error.error_detail ? ` (${String(error.error_detail)})` : ''}`,
        },
      );
    },
  };
}
