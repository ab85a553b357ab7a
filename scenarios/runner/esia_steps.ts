/*
 * The protocol-level scenario steps of the ESIA face: a test system (see esia_stand.ts) builds a
 * signed authorization URL or token request — spoiled on purpose when the step says `tamper` — and
 * the browser opens it, or the system posts it. Token answers are checked here: expect.error is the
 * ESIA code at the start of error_description ("none" for success), expect.status the HTTP status.
 */
import {
  clientCertificateHash,
  decodeBase64Loose,
  encodeBase64Url,
  importPrivateKey,
  signRawClientSecret,
  streebog256,
  toHex,
} from '../../lib/gost/index.ts';
import {
  authorizationParams,
  authorizationPath,
  esiaTimestamp,
  postToken,
  signMessage,
  tokenParams,
  type EsiaSigner,
  type TokenAnswer,
} from '../../relying-party/esia/protocol.ts';
import type { EsiaRequestStep } from '../steps/esia_request.ts';
import type { Driver } from './driver.ts';
import { esiaSystemIds, signerOf } from './esia_stand.ts';
import { ScenarioError } from './scenario_error.ts';
import type { Stand } from './stand.ts';

export const defaultScope = 'openid fullname birthdate gender snils inn id_doc email mobile contacts';

export class EsiaSteps {
  refreshToken: string | undefined;
  lastAnswer: TokenAnswer | undefined;

  constructor(
    readonly stand: Stand,
    readonly browser: Driver,
  ) {}

  get keysDir(): string {
    return this.stand.keysDir ?? 'keys/local';
  }

  redirect(step: EsiaRequestStep): string {
    if (step.redirect?.startsWith('http')) return step.redirect;
    if (!this.stand.sink)
      throw new ScenarioError('this stand has no ESIA test systems (sink); run against an in-process stand');
    return `${this.stand.sink}/${step.redirect ?? 'cb'}`;
  }

  async signer(step: EsiaRequestStep): Promise<{ signer: EsiaSigner; clientId: string }> {
    const clientId = step.system ?? esiaSystemIds.proto;
    const version = step.version ?? 'v2';
    const kind = version === 'v2' ? 'raw' : (step.signer ?? 'cms-gost');
    // A certificate of another system signs for this one.
    const keysOf =
      step.tamper === 'foreign-certificate'
        ? clientId === esiaSystemIds.proto
          ? esiaSystemIds.limited
          : esiaSystemIds.proto
        : clientId;
    const signer = await signerOf(this.keysDir, keysOf, kind);
    return { signer: step.tamper === 'cryptopro-layout' ? { ...signer, layout: 'cryptopro' } : signer, clientId };
  }

  timestamp(step: EsiaRequestStep): string {
    return esiaTimestamp(new Date(Date.now() + (step.timestampOffsetSeconds ?? 0) * 1000), 180);
  }

  /** Spoils signed parameters as the step asks, then applies `params` overrides. */
  async spoil(step: EsiaRequestStep, p: Record<string, string>, signer: EsiaSigner): Promise<Record<string, string>> {
    const out = { ...p };
    switch (step.tamper) {
      case 'signature-byte': {
        const bytes = decodeBase64Loose(out.client_secret!);
        bytes[Math.min(10, bytes.length - 1)]! ^= 0x01;
        out.client_secret = encodeBase64Url(bytes);
        break;
      }
      case 'message-after-signing':
        out.state = `${out.state!.slice(0, -1)}${out.state!.endsWith('0') ? '1' : '0'}`;
        break;
      case 'certificate-hash-byte':
        if (out.client_certificate_hash)
          out.client_certificate_hash = `${out.client_certificate_hash[0] === '0' ? '1' : '0'}${out.client_certificate_hash.slice(1)}`;
        break;
      case 'pem-hash':
        out.client_certificate_hash = toHex(streebog256(new TextEncoder().encode(signer.certificatePem)));
        break;
      case 'v1-order': {
        // The other generation's field order: v1 order under a v2 signature, v2 order under a v1 CMS.
        const v1 = `${out.scope}${out.timestamp}${out.client_id}${out.state}`;
        const v2 = `${out.client_id}${out.scope}${out.timestamp}${out.state}${out.redirect_uri ?? ''}`;
        out.client_secret =
          signer.kind === 'raw'
            ? signRawClientSecret(importPrivateKey(signer.privateKeyPem), v1)
            : await signMessage(signer, v2);
        break;
      }
      default:
        break;
    }
    for (const [k, v] of Object.entries(step.params ?? {})) {
      if (v === '') delete out[k];
      else out[k] = v;
    }
    return out;
  }

  async authorize(step: EsiaRequestStep): Promise<void> {
    const version = step.version ?? 'v2';
    const { signer, clientId } = await this.signer(step);
    const p = await authorizationParams({
      base: this.stand.idp,
      version,
      clientId,
      scope: step.scope ?? defaultScope,
      redirectUri: this.redirect(step),
      signer,
      timestamp: this.timestamp(step),
      ...(step.extra ? { extra: step.extra } : {}),
    });
    const spoiled = await this.spoil(step, p, signer);
    const url = new URL(authorizationPath(version), this.stand.idp);
    url.search = new URLSearchParams(spoiled).toString();
    if (step.tamper === 'repeat-scope') url.search += '&scope=openid';
    await this.browser.goto(url.href);
  }

  async token(
    step: EsiaRequestStep & { grant?: 'authorization_code' | 'refresh_token' | 'client_credentials' },
    where: string,
  ): Promise<void> {
    const version = step.version ?? 'v2';
    const grant = step.grant ?? 'authorization_code';
    const { signer, clientId } = await this.signer(step);
    const code =
      grant === 'authorization_code' ? ((await this.browser.attribute('callback', 'data-code')) ?? '') : undefined;
    if (grant === 'authorization_code' && !code)
      throw new ScenarioError(
        `${where}: the page is not a system callback with a code (${this.browser.current()?.url ?? 'no page'})`,
      );
    const p = await tokenParams({
      version,
      clientId,
      signer,
      grant,
      scope: step.scope ?? (grant === 'client_credentials' ? 'openid' : defaultScope),
      redirectUri: this.redirect(step),
      timestamp: this.timestamp(step),
      ...(code ? { code } : {}),
      ...(grant === 'refresh_token' ? { refreshToken: this.refreshToken ?? '' } : {}),
      ...(step.extra ? { extra: step.extra } : {}),
    });
    if (version === 'v2') p.client_certificate_hash = clientCertificateHash(signer.certificatePem);
    const answer = await postToken(this.stand.idp, version, await this.spoil(step, p, signer));
    this.lastAnswer = answer;
    if (typeof answer.body.refresh_token === 'string') this.refreshToken = answer.body.refresh_token;
    const got = /^(ESIA-\d{6})/.exec(String(answer.body.error_description ?? ''))?.[1] ?? '';
    const expect = step.expect ?? {};
    const problems: string[] = [];
    if (expect.status && answer.status !== expect.status)
      problems.push(`status ${answer.status} ≠ expected ${expect.status}`);
    if (expect.error === 'none' && (got || answer.status !== 200))
      problems.push(`unexpected error ${got || answer.status}`);
    else if (expect.error && expect.error !== 'none' && got !== expect.error)
      problems.push(`error "${got || 'none'}" ≠ expected "${expect.error}"`);
    if (answer.status === 200 && answer.body.state !== p.state)
      problems.push(`state ${String(answer.body.state)} does not echo the request's ${p.state}`);
    if (answer.status !== 200 && answer.body.state !== p.state)
      problems.push(`error without the request's state (${String(answer.body.state)})`);
    if (problems.length)
      throw new ScenarioError(
        `${where}: ${problems.join('; ')} — answer ${answer.status} ${JSON.stringify(answer.body)}`,
      );
  }
}
