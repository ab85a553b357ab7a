/*
 * WebAuthn authenticators for scenarios (A3, A5). Over HTTP a software authenticator answers the
 * ceremony page as a browser with a platform authenticator or a security key would (ECDSA P-256,
 * attestation "none", a signature counter, resident credentials, and the browser's refusals:
 * NotAllowedError, InvalidStateError). Both drivers use it to forge answers a browser never sends
 * (another origin or RP ID, no UV flag, another account's key, a replay), so the server's checks of
 * those are scenarios too. Personas' keys are the throw-away test keys of test/fixtures/webauthn.
 */
import { createHash, createPrivateKey, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AuthenticatorAction } from '../steps/webauthn_action.ts';

/** One of test/fixtures/webauthn/test-only-authenticators.json. */
export interface FixtureCredential {
  kind: 'platform' | 'roaming';
  /** base64url */
  credentialId: string;
  /** PKCS#8 DER, base64url */
  privateKey: string;
  /** base64url of the user handle (the persona key), null for a non-resident security key. */
  userHandle: string | null;
  signCount: number;
  rpId: string;
  /** The persona whose account holds the public key; null = registered nowhere. */
  persona: string | null;
}

export const fixturesFile = join(
  import.meta.dirname,
  '..',
  '..',
  'test',
  'fixtures',
  'webauthn',
  'test-only-authenticators.json',
);

let fixtures: Record<string, FixtureCredential> | undefined;
export function fixtureCredentials(): Record<string, FixtureCredential> {
  fixtures ??= (JSON.parse(readFileSync(fixturesFile, 'utf8')) as { authenticators: Record<string, FixtureCredential> })
    .authenticators;
  return fixtures;
}

export function fixtureCredential(name: string): FixtureCredential {
  const found = fixtureCredentials()[name];
  if (!found)
    throw new Error(
      `No test authenticator "${name}" in ${fixturesFile}; known: ${Object.keys(fixtureCredentials()).join(', ')}`,
    );
  return found;
}

/** What a scenario's `webauthn` step asks of the user's device: its fields, defined in steps/webauthn.ts. */
export type { AuthenticatorAction };
export type Forge = NonNullable<AuthenticatorAction['forge']>;

/** The ceremony as the page states it (script#webauthn-options). */
export interface CeremonyInfo {
  mode: 'authenticate' | 'register';
  attachment: 'platform' | 'roaming';
  options: Record<string, unknown>;
}

export type Answer = { response: string } | { error: string };

// ── minimal CBOR (RFC 8949) encoder: what attestation objects and COSE keys need ──
type Cbor = number | string | Uint8Array | Map<number | string, Cbor>;

function head(major: number, n: number): Buffer {
  if (n < 24) return Buffer.from([(major << 5) | n]);
  if (n < 256) return Buffer.from([(major << 5) | 24, n]);
  if (n < 65536) return Buffer.from([(major << 5) | 25, n >> 8, n & 255]);
  const b = Buffer.alloc(5);
  b[0] = (major << 5) | 26;
  b.writeUInt32BE(n, 1);
  return b;
}

export function cbor(value: Cbor): Buffer {
  if (typeof value === 'number') return value >= 0 ? head(0, value) : head(1, -1 - value);
  if (typeof value === 'string') {
    const bytes = Buffer.from(value, 'utf8');
    return Buffer.concat([head(3, bytes.length), bytes]);
  }
  if (value instanceof Uint8Array) return Buffer.concat([head(2, value.length), value]);
  const parts = [head(5, value.size)];
  for (const [k, v] of value) parts.push(cbor(k), cbor(v));
  return Buffer.concat(parts);
}

/** The COSE_Key (EC2, P-256, ES256) of a public key, as WebAuthn stores it. */
export function coseKey(key: KeyObject): Buffer {
  const jwk = key.export({ format: 'jwk' });
  return cbor(
    new Map<number, Cbor>([
      [1, 2],
      [3, -7],
      [-1, 1],
      [-2, Buffer.from(String(jwk.x), 'base64url')],
      [-3, Buffer.from(String(jwk.y), 'base64url')],
    ]),
  );
}

const sha256 = (data: string | Uint8Array) => createHash('sha256').update(data).digest();
const b64url = (data: Uint8Array) => Buffer.from(data).toString('base64url');

interface Held {
  id: Buffer;
  key: KeyObject;
  userHandle: Buffer | null;
  signCount: number;
  rpId: string;
  resident: boolean;
}

/** One device: its credentials, their counters, whether it verifies the user. */
export class SoftAuthenticator {
  readonly held: Held[] = [];
  userVerified = true;

  constructor(readonly kind: 'platform' | 'roaming') {}

  load(fixture: FixtureCredential, signCount = fixture.signCount): this {
    this.held.push({
      id: Buffer.from(fixture.credentialId, 'base64url'),
      key: createPrivateKey({ key: Buffer.from(fixture.privateKey, 'base64url'), format: 'der', type: 'pkcs8' }),
      userHandle: fixture.userHandle ? Buffer.from(fixture.userHandle, 'base64url') : null,
      signCount,
      rpId: fixture.rpId,
      resident: fixture.kind === 'platform',
    });
    return this;
  }

  register(options: Record<string, unknown>, origin: string): Answer {
    const rp = options.rp as { id: string };
    const user = options.user as { id: string };
    const selection = (options.authenticatorSelection ?? {}) as { userVerification?: string; residentKey?: string };
    const excluded = new Set(((options.excludeCredentials ?? []) as Array<{ id: string }>).map((c) => c.id));
    if (this.held.some((h) => excluded.has(b64url(h.id)))) return { error: 'InvalidStateError' };
    if (selection.userVerification === 'required' && !this.userVerified) return { error: 'NotAllowedError' };
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const id = randomBytes(32);
    this.held.push({
      id,
      key: privateKey,
      userHandle: Buffer.from(user.id, 'base64url'),
      signCount: 0,
      rpId: rp.id,
      resident: selection.residentKey === 'required',
    });
    const flags = 0x01 | (this.userVerified ? 0x04 : 0) | 0x40;
    const idLength = Buffer.alloc(2);
    idLength.writeUInt16BE(id.length);
    const authData = Buffer.concat([
      sha256(rp.id),
      Buffer.from([flags]),
      Buffer.alloc(4),
      Buffer.alloc(16),
      idLength,
      id,
      coseKey(publicKey),
    ]);
    const clientData = Buffer.from(
      JSON.stringify({ type: 'webauthn.create', challenge: options.challenge, origin, crossOrigin: false }),
    );
    const attestationObject = cbor(
      new Map<string, Cbor>([
        ['fmt', 'none'],
        ['attStmt', new Map()],
        ['authData', authData],
      ]),
    );
    const transports = this.kind === 'platform' ? ['internal'] : ['usb'];
    return {
      response: JSON.stringify({
        id: b64url(id),
        rawId: b64url(id),
        type: 'public-key',
        clientExtensionResults: {},
        authenticatorAttachment: this.kind === 'platform' ? 'platform' : 'cross-platform',
        response: { clientDataJSON: b64url(clientData), attestationObject: b64url(attestationObject), transports },
      }),
    };
  }

  /** A sign-in answer; with `forge`, the browser's own rules (allowed credentials, RP ID, UV) are not applied. */
  assert(options: Record<string, unknown>, origin: string, forge?: Forge): Answer {
    const rpId = String(options.rpId);
    const allowed = ((options.allowCredentials ?? []) as Array<{ id: string }>).map((c) => c.id);
    const mine = forge
      ? this.held
      : this.held.filter((h) => h.rpId === rpId && (allowed.length ? allowed.includes(b64url(h.id)) : h.resident));
    const credential = mine[0];
    if (!credential) return { error: 'NotAllowedError' };
    if (!forge && options.userVerification === 'required' && !this.userVerified) return { error: 'NotAllowedError' };
    credential.signCount += 1;
    const counter = Buffer.alloc(4);
    counter.writeUInt32BE(credential.signCount);
    const uv = this.userVerified && !forge?.dropUv;
    const authData = Buffer.concat([sha256(forge?.rpId ?? rpId), Buffer.from([0x01 | (uv ? 0x04 : 0)]), counter]);
    const clientData = Buffer.from(
      JSON.stringify({
        type: 'webauthn.get',
        challenge: options.challenge,
        origin: forge?.origin ?? origin,
        crossOrigin: false,
      }),
    );
    const signature = sign('sha256', Buffer.concat([authData, sha256(clientData)]), credential.key);
    return {
      response: JSON.stringify({
        id: b64url(credential.id),
        rawId: b64url(credential.id),
        type: 'public-key',
        clientExtensionResults: {},
        authenticatorAttachment: this.kind === 'platform' ? 'platform' : 'cross-platform',
        response: {
          clientDataJSON: b64url(clientData),
          authenticatorData: b64url(authData),
          signature: b64url(signature),
          ...(credential.userHandle ? { userHandle: b64url(credential.userHandle) } : {}),
        },
      }),
    };
  }
}

/**
 * The user's devices across a scenario (one per kind), for the HTTP driver, plus forging for both
 * drivers. Survives closing the browser, as a phone or a key would.
 */
export class Devices {
  readonly #devices = new Map<'platform' | 'roaming', SoftAuthenticator>();
  #lastForged: Answer | undefined;

  device(info: CeremonyInfo, action: AuthenticatorAction): SoftAuthenticator {
    if (action.authenticator) {
      const fixture = fixtureCredential(action.authenticator);
      const device = new SoftAuthenticator(fixture.kind).load(fixture, action.signCount);
      this.#devices.set(fixture.kind, device);
      return device;
    }
    let device = this.#devices.get(info.attachment);
    if (!device) this.#devices.set(info.attachment, (device = new SoftAuthenticator(info.attachment)));
    return device;
  }

  /** The answer a browser with these devices gives (HTTP driver). */
  answer(info: CeremonyInfo, origin: string, action: AuthenticatorAction): Answer {
    if (action.forge) return this.forged(info, origin, action);
    if (action.cancel) return { error: 'NotAllowedError' };
    const device = this.device(info, action);
    device.userVerified = action.userVerified !== false;
    return info.mode === 'register' ? device.register(info.options, origin) : device.assert(info.options, origin);
  }

  /** An answer built outside the browser from a fixture key (or the previous one again). */
  forged(info: CeremonyInfo, origin: string, action: AuthenticatorAction): Answer {
    const forge = action.forge ?? {};
    if (forge.replay) {
      if (!this.#lastForged) throw new Error('forge.replay: no earlier forged answer in this scenario to replay');
      return this.#lastForged;
    }
    if (!action.authenticator) throw new Error('a forged answer needs "authenticator": the fixture key that signs it');
    if (info.mode !== 'authenticate') throw new Error('only sign-in answers can be forged');
    const device = this.device(info, action);
    device.userVerified = action.userVerified !== false;
    this.#lastForged = device.assert(info.options, origin, forge);
    return this.#lastForged;
  }
}
