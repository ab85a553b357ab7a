/*
 * The reference RP's ESIA mode: the same interface as the OIDC OidcClient (beginLogin, finishLogin,
 * logoutUrl), speaking ESIA's own protocol instead — v2/ac + v3/te with a raw GOST client_secret
 * (current), or ac + te with a PKCS#7 one (legacy). It verifies the id_token with ESIA's published
 * certificate (RS256 or GOST), reads the person from /rs/prns/{oid}, and hands app.ts the same
 * claims the OIDC mode does, so admission (trust level, register, data match) is identical.
 */
import { createPublicKey, createVerify, randomUUID } from 'node:crypto';
import { GOST_JWT_ALG, parseCertificate, verifyGostJwt } from '../../lib/gost/index.ts';
import type { EsiaClaims, LoginRequest, PendingLogin, SignedIn } from '../oidc_client.ts';
import { expectedRecovery, outageFacts, recoveryFacts } from '../availability.ts';
import { RpError } from '../errors.ts';
import { tlsFailure, type BackChannelFetch } from '../tls_fetch.ts';
import { authorizationUrl, decodeJwt, postToken, tokenParams, type EsiaSigner, type EsiaVersion } from './protocol.ts';

export interface EsiaModeOptions {
  /** Origin of the emulator (the ESIA base URL a real system would point at the test stand). */
  base: string;
  version: EsiaVersion;
  clientId: string;
  redirectUri: string;
  postLogoutRedirectUri: string;
  signer: EsiaSigner;
  /** Expected `iss` of ESIA tokens (the emulator's settings.issuer). */
  issuer?: string;
  scope?: string;
  /** The back-channel's fetch (HTTPS with the stand's CA, relying-party/tls_fetch.ts); global fetch when absent. */
  fetch?: BackChannelFetch;
}

const defaultScope = 'openid fullname birthdate gender snils inn id_doc email mobile contacts';

function isoDate(ddmmyyyy: unknown): string | undefined {
  if (typeof ddmmyyyy !== 'string') return undefined;
  const m = /^(\d{2})\.(\d{2})\.(\d{4})$/.exec(ddmmyyyy);
  return m ? `${m[3]}-${m[2]}-${m[1]}` : ddmmyyyy;
}

export class EsiaProtocolClient {
  #certificates = new Map<string, string>();

  constructor(readonly options: EsiaModeOptions) {}

  get scope(): string {
    return this.options.scope ?? defaultScope;
  }

  async beginLogin(prompt?: 'login', request: LoginRequest = {}): Promise<{ url: URL; pending: PendingLogin }> {
    void prompt; // ESIA has no prompt=login; a new login after logout asks again anyway.
    void request; // ESIA's protocol has no acr_values: step-up is OIDC-only, so the signature check at the callback refuses (A8).
    const state = randomUUID();
    const url = await authorizationUrl({
      base: this.options.base,
      version: this.options.version,
      clientId: this.options.clientId,
      scope: this.scope,
      redirectUri: this.options.redirectUri,
      signer: this.options.signer,
      state,
      accessType: 'offline',
    });
    return { url, pending: { state, nonce: '', codeVerifier: '' } };
  }

  async finishLogin(query: string, pending: PendingLogin): Promise<SignedIn> {
    const q = new URLSearchParams(query);
    if (q.get('state') !== pending.state)
      throw new RpError('rp.callback_invalid', [], `state ${q.get('state')} ≠ ${pending.state}`);
    const error = q.get('error');
    if (error) {
      const description = (q.get('error_description') ?? '').slice(0, 300);
      // ESIA-007008: overloaded or maintenance (E3).
      if (error === 'temporarily_unavailable') {
        throw new RpError(
          'rp.idp_unavailable',
          outageFacts(description, error, q.get('available_at')),
          `ESIA error=${error} ${description}`,
        );
      }
      throw new RpError(
        'rp.login_refused',
        [{ label: 'Ответ Госуслуг', value: description || error, testid: 'idp-error' }],
        `ESIA error=${error} ${description}`,
      );
    }
    const code = q.get('code');
    if (!code) throw new RpError('rp.callback_invalid', [], 'callback without code');
    const state = randomUUID();
    const params = await tokenParams({
      version: this.options.version,
      clientId: this.options.clientId,
      signer: this.options.signer,
      grant: 'authorization_code',
      scope: this.scope,
      redirectUri: this.options.redirectUri,
      code,
      state,
    });
    let answer;
    try {
      answer = await postToken(this.options.base, this.options.version, params, this.options.fetch);
    } catch (err) {
      throw (
        tlsFailure(err, 'token endpoint') ??
        new RpError('rp.idp_unavailable', [], `token endpoint: ${(err as Error).message}`, { cause: err })
      );
    }
    if (answer.status >= 500) {
      throw new RpError(
        'rp.idp_unavailable',
        recoveryFacts(expectedRecovery(answer.body.available_at, answer.retryAfter)),
        `token endpoint answered ${answer.status}`,
      );
    }
    if (answer.status !== 200)
      throw new RpError('rp.callback_invalid', [], `token endpoint ${answer.status}: ${JSON.stringify(answer.body)}`);
    if (answer.body.state !== state)
      throw new RpError('rp.callback_invalid', [], `token response state ${String(answer.body.state)} ≠ ${state}`);
    const idToken = String(answer.body.id_token ?? '');
    const accessToken = String(answer.body.access_token ?? '');
    const id = await this.#verify(idToken);
    const oid = String((id['urn:esia:sbj'] as Record<string, unknown> | undefined)?.['urn:esia:sbj:oid'] ?? id.sub);
    const res = await (this.options.fetch ?? fetch)(
      new URL(`/rs/prns/${oid}?embed=(contacts.elements,documents.elements)`, this.options.base),
      {
        headers: { authorization: `Bearer ${accessToken}` },
      },
    );
    if (!res.ok) throw new RpError('rp.callback_invalid', [], `/rs/prns/${oid}: ${res.status} ${await res.text()}`);
    const person = (await res.json()) as Record<string, unknown>;
    return { claims: this.#claims(oid, id, person), idToken };
  }

  async logoutUrl(_idToken: string): Promise<URL> {
    const url = new URL('/idp/ext/Logout', this.options.base);
    url.searchParams.set('client_id', this.options.clientId);
    url.searchParams.set('redirect_url', this.options.postLogoutRedirectUri);
    return url;
  }

  async #certificate(alg: string): Promise<string> {
    const name = alg === GOST_JWT_ALG ? 'gost' : 'rsa';
    let pem = this.#certificates.get(name);
    if (!pem) {
      const res = await (this.options.fetch ?? fetch)(new URL(`/public/esia-${name}.cer.pem`, this.options.base));
      if (!res.ok) throw new RpError('rp.idp_unavailable', [], `ESIA certificate ${name}: ${res.status}`);
      pem = await res.text();
      this.#certificates.set(name, pem);
    }
    return pem;
  }

  async #verify(token: string): Promise<Record<string, unknown>> {
    let decoded;
    try {
      decoded = decodeJwt(token);
    } catch {
      throw new RpError('rp.callback_invalid', [], 'id_token is not a JWT');
    }
    const { header, payload } = decoded;
    const pem = await this.#certificate(String(header.alg));
    const [h, p, sig] = token.split('.');
    const valid =
      header.alg === GOST_JWT_ALG
        ? verifyGostJwt(token, parseCertificate(pem).gostPublicKey!).valid
        : header.alg === 'RS256' &&
          createVerify('RSA-SHA256')
            .update(`${h}.${p}`)
            .verify(createPublicKey(pem), Buffer.from(sig ?? '', 'base64url'));
    if (!valid) {
      this.#certificates.clear(); // the emulator may have new keys
      throw new RpError('rp.callback_invalid', [], `id_token signature (${String(header.alg)}) invalid`);
    }
    if (payload.aud !== this.options.clientId)
      throw new RpError('rp.callback_invalid', [], `id_token aud ${String(payload.aud)}`);
    if (this.options.issuer && payload.iss !== this.options.issuer)
      throw new RpError('rp.callback_invalid', [], `id_token iss ${String(payload.iss)}`);
    if (Number(payload.exp) < Date.now() / 1000) throw new RpError('rp.callback_invalid', [], 'id_token expired');
    return payload;
  }

  /** ESIA's person → the claim names admission and the cabinet use. */
  #claims(oid: string, id: Record<string, unknown>, person: Record<string, unknown>): EsiaClaims {
    const contacts = (person.contacts as { elements?: Array<Record<string, unknown>> } | undefined)?.elements ?? [];
    const documents = (person.documents as { elements?: Array<Record<string, unknown>> } | undefined)?.elements ?? [];
    const passportVerified = documents.some((d) => d.type === 'RF_PASSPORT' && d.vrfStu === 'VERIFIED');
    const trust = person.trusted === true ? 'confirmed' : passportVerified ? 'standard' : 'simplified';
    const email = contacts.find((c) => c.type === 'EML');
    const mobile = contacts.find((c) => c.type === 'MBT');
    const amd = String(id['urn:esia:amd'] ?? id.amr ?? '');
    return {
      sub: oid,
      family_name: person.lastName,
      given_name: person.firstName,
      middle_name: person.middleName,
      birthdate: isoDate(person.birthDate),
      gender: person.gender === 'F' ? 'female' : person.gender === 'M' ? 'male' : undefined,
      snils: person.snils,
      inn: person.inn,
      email: email?.value,
      phone_number: mobile?.value,
      trust_level: trust,
      amr: amrOfEsiaMethod(amd),
      'urn:esia:amd': amd,
    };
  }
}

/**
 * ESIA names one method of signing in (urn:esia:amd), not the factors: as RFC 8176 values for the
 * cabinet, DS is a signature (`sc`), MOBILE the biometric sign-in on a phone (`fpt`), anything else
 * a password (ESIA does not say whether a second factor followed).
 */
export function amrOfEsiaMethod(amd: string): string[] {
  if (amd === 'DS') return ['sc'];
  if (amd === 'MOBILE') return ['fpt'];
  return ['pwd'];
}
