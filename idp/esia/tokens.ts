/*
 * ESIA's tokens: authorization codes and refresh tokens (opaque, single use even across emulator
 * processes; in memory or on Redis: adapters/records.ts), and the
 * access and id tokens as JWTs shaped like the real ones (as ESIA issues them and client libraries parse them): headers ver/sbt/typ,
 * no kid; `urn:esia:sbj_id`, `sub` and oids as JSON numbers; person scopes with `?oid=`. Signed
 * RS256 by default, GOST3410_2012_256 when the system is registered so.
 *
 * Times: iat/exp follow the wall clock (the system checks them with its own clock); lifetimes also
 * run on the run's clock, so advancing it in a scenario expires a code or a token.
 */
import { createPrivateKey, createPublicKey, createSign, createVerify, randomUUID, type KeyObject } from 'node:crypto';
import {
  decodeBase64Loose,
  encodeBase64Url,
  GOST_JWT_ALG,
  importPrivateKey,
  parseCertificate,
  publicKeyFromPrivate,
  signGostJwt,
  verifyGostJwt,
  type GostPublicKey,
} from '../../lib/gost/index.ts';
import { keptFor, type Records, type RecordsFactory, withRun } from '../adapters/records.ts';
import type { Run, Runs } from '../runs.ts';
import type { EsiaSettings, EsiaSigningKeys, TokenAlg } from './systems.ts';

export interface CodeGrant {
  clientId: string;
  redirectUri: string;
  scopes: string[];
  oid: string;
  run: Run;
  amr: string[];
  authTime: number;
  sid: string;
  offline: boolean;
  /** PKCE on v2/ac: the challenge and its method (S256, or GOST3411 = Streebog-256). */
  codeChallenge?: { value: string; method: string };
  issuedWall: number;
  issuedRun: number;
  used: boolean;
}

/** What a refresh token carries: the code's grant without what ends with the exchange. */
export type RefreshGrant = Omit<CodeGrant, 'redirectUri' | 'offline' | 'codeChallenge' | 'used'>;

interface IssuedAccess {
  run?: Run;
  issuedWall: number;
  issuedRun: number;
}

/** Seconds elapsed since issue: the larger of wall time and the run's clock. */
export function elapsedSeconds(issued: { issuedWall: number; issuedRun: number; run?: Run }): number {
  const wall = Date.now() - issued.issuedWall;
  const run = issued.run ? issued.run.clock.now() - issued.issuedRun : 0;
  return Math.max(wall, run) / 1000;
}

export class TokenService {
  /** Codes by value; `used` is kept apart, as the record's spent mark (one exchange wins). */
  readonly codes: Records<CodeGrant>;
  readonly refreshTokens: Records<RefreshGrant>;
  readonly #access: Records<IssuedAccess>;
  readonly #rsaKey: KeyObject;
  readonly #rsaPublic: KeyObject;
  readonly #gostPublic: GostPublicKey;

  constructor(
    readonly keys: EsiaSigningKeys,
    readonly settings: EsiaSettings,
    /** Where codes, refresh tokens and issued access tokens are kept (memory capped by ESIA_STORE_CAP, or Redis). */
    records: RecordsFactory,
    runs: Pick<Runs, 'get'>,
  ) {
    this.codes = records('esia:code', withRun<CodeGrant, Run>(runs));
    this.refreshTokens = records('esia:refresh', withRun<RefreshGrant, Run>(runs));
    this.#access = records('esia:access', withRun<IssuedAccess, Run>(runs));
    this.#rsaKey = createPrivateKey(keys.rsa.privateKeyPem);
    this.#rsaPublic = createPublicKey(keys.rsa.certificatePem);
    this.#gostPublic =
      parseCertificate(keys.gost.certificatePem).gostPublicKey ??
      publicKeyFromPrivate(importPrivateKey(keys.gost.privateKeyPem));
  }

  async newCode(grant: Omit<CodeGrant, 'used' | 'issuedWall' | 'issuedRun'>): Promise<string> {
    const code = `${randomUUID()}`;
    const issued = { ...grant, used: false, issuedWall: Date.now(), issuedRun: grant.run.clock.now() };
    await this.codes.put(code, issued, { ttlMs: keptFor(this.settings.codeTtlSeconds) });
    return code;
  }

  /** The code's grant, `used` saying whether it was spent (exchanged, expired or a wrong verifier). */
  async code(code: string): Promise<CodeGrant | undefined> {
    const grant = await this.codes.get(code);
    return grant && { ...grant, used: await this.codes.spent(code) };
  }

  /** Spends a code: true for the one exchange that wins, whichever process it runs in. */
  spendCode(code: string): Promise<boolean> {
    return this.codes.spend(code, keptFor(this.settings.codeTtlSeconds));
  }

  async newRefreshToken(grant: Omit<RefreshGrant, 'issuedWall' | 'issuedRun'>): Promise<string> {
    const token = randomUUID();
    await this.refreshTokens.put(
      token,
      { ...grant, issuedWall: Date.now(), issuedRun: grant.run.clock.now() },
      { ttlMs: keptFor(this.settings.refreshTokenTtlSeconds), tags: [`sid:${grant.sid}`] },
    );
    return token;
  }

  sign(header: Record<string, unknown>, payload: Record<string, unknown>, alg: TokenAlg): string {
    if (alg === GOST_JWT_ALG) return signGostJwt({ ...header, alg }, payload, this.keys.gost.privateKey);
    const input = `${encodeBase64Url(new TextEncoder().encode(JSON.stringify({ ...header, alg: 'RS256' })))}.${encodeBase64Url(new TextEncoder().encode(JSON.stringify(payload)))}`;
    const signature = createSign('RSA-SHA256').update(input).sign(this.#rsaKey);
    return `${input}.${encodeBase64Url(signature)}`;
  }

  /** The access token: scopes of a person get `?oid=`, openid stays bare. */
  async accessToken(o: {
    clientId: string;
    scopes: string[];
    oid?: string;
    sid: string;
    alg: TokenAlg;
    run?: Run;
  }): Promise<{ token: string; exp: number }> {
    const iat = Math.floor(Date.now() / 1000);
    const exp = iat + this.settings.accessTokenTtlSeconds;
    const scope = o.scopes
      .map((s) => (o.oid && s !== 'openid' && !s.includes('?') ? `${s}?oid=${o.oid}` : s))
      .join(' ');
    const jti = randomUUID();
    const payload: Record<string, unknown> = {
      nbf: iat,
      scope,
      jti,
      iss: this.settings.issuer,
      'urn:esia:sid': o.sid,
      ...(o.oid ? { 'urn:esia:sbj_id': Number(o.oid) } : {}),
      exp,
      iat,
      client_id: o.clientId,
    };
    await this.#access.put(
      jti,
      { ...(o.run ? { run: o.run } : {}), issuedWall: Date.now(), issuedRun: o.run?.clock.now() ?? 0 },
      { ttlMs: keptFor(this.settings.accessTokenTtlSeconds) },
    );
    return { token: this.sign({ ver: 1, typ: 'JWT', sbt: 'access' }, payload, o.alg), exp };
  }

  idToken(o: {
    clientId: string;
    oid: string;
    sid: string;
    amr: string[];
    authTime: number;
    trusted: boolean;
    alg: TokenAlg;
  }): string {
    const iat = Math.floor(Date.now() / 1000);
    const method = esiaAuthMethod(o.amr);
    const oid = Number(o.oid);
    return this.sign(
      { ver: 0, typ: 'JWT', sbt: 'id' },
      {
        aud: o.clientId,
        sub: oid,
        nbf: iat,
        amr: method,
        'urn:esia:amd': method,
        auth_time: Math.floor(o.authTime / 1000),
        iss: this.settings.issuer,
        'urn:esia:sid': o.sid,
        'urn:esia:sbj': {
          'urn:esia:sbj:typ': 'P',
          ...(o.trusted ? { 'urn:esia:sbj:is_tru': true } : {}),
          'urn:esia:sbj:oid': oid,
          'urn:esia:sbj:nam': `OID.${oid}`,
        },
        exp: iat + this.settings.idTokenTtlSeconds,
        iat,
      },
      o.alg,
    );
  }

  /** Checks an access token presented to the REST API; the reason names what is wrong. */
  async verifyAccess(
    token: string,
  ): Promise<
    { ok: true; payload: Record<string, unknown> } | { ok: false; code: 'ESIA-005011' | 'ESIA-005013'; reason: string }
  > {
    const parts = token.split('.');
    if (parts.length !== 3) return { ok: false, code: 'ESIA-005011', reason: 'not a JWT (three dot-separated parts)' };
    let header: Record<string, unknown>;
    let payload: Record<string, unknown>;
    try {
      header = JSON.parse(new TextDecoder().decode(decodeBase64Loose(parts[0]!))) as Record<string, unknown>;
      payload = JSON.parse(new TextDecoder().decode(decodeBase64Loose(parts[1]!))) as Record<string, unknown>;
    } catch {
      return { ok: false, code: 'ESIA-005011', reason: 'header or payload is not base64url JSON' };
    }
    if (header.sbt !== 'access')
      return {
        ok: false,
        code: 'ESIA-005011',
        reason: `token type sbt=${String(header.sbt)}; the REST API takes the access_token, not the id_token`,
      };
    let valid = false;
    if (header.alg === 'RS256') {
      valid = createVerify('RSA-SHA256')
        .update(`${parts[0]}.${parts[1]}`)
        .verify(this.#rsaPublic, Buffer.from(decodeBase64Loose(parts[2]!)));
    } else if (header.alg === GOST_JWT_ALG) {
      valid = verifyGostJwt(token, this.#gostPublic).valid;
    }
    if (!valid)
      return {
        ok: false,
        code: 'ESIA-005011',
        reason: `signature (${String(header.alg)}) does not verify with the emulator's key: the token was changed or issued by another emulator instance`,
      };
    const issued = await this.#access.get(String(payload.jti));
    if (!issued)
      return {
        ok: false,
        code: 'ESIA-005011',
        reason:
          'token unknown to this emulator (issued before a restart on lowdb, or forgotten: ESIA_STORE_CAP newer ones came, or long expired)',
      };
    const age = elapsedSeconds(issued);
    if (age > this.settings.accessTokenTtlSeconds || Date.now() / 1000 > Number(payload.exp)) {
      return {
        ok: false,
        code: 'ESIA-005013',
        reason: `token expired: issued ${Math.round(age)} s ago, lifetime ${this.settings.accessTokenTtlSeconds} s`,
      };
    }
    return { ok: true, payload };
  }

  /**
   * SSO logout ends the session's refresh tokens. Access tokens stay valid until they expire: they
   * are self-contained JWTs, and whether ESIA revokes them at logout is not documented.
   */
  revokeSession(sid: string): Promise<void> {
    return this.refreshTokens.deleteTagged(`sid:${sid}`);
  }
}

/**
 * ESIA's amr/urn:esia:amd: "PWD" for a password sign-in (second factors are not in ESIA's tokens),
 * "DS" for an e-signature. A sign-in by biometrics of the mobile app has no password; ESIA does not
 * document a value for it, so the emulator says "MOBILE" (an assumption, named in the README).
 * A WebAuthn key (`hwk`) after a password stays "PWD": it is a second factor, not an e-signature.
 */
export function esiaAuthMethod(amr: string[]): string {
  if (amr.includes('ds') || amr.includes('sc')) return 'DS';
  if (!amr.includes('pwd') && (amr.includes('fpt') || amr.includes('face'))) return 'MOBILE';
  return 'PWD';
}
