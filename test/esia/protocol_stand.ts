/*
 * The stand of one ESIA protocol test file (test/esia/protocol_*.test.ts) and the two moves every
 * such test makes: sign in through v2/ac (or v1/ac), and exchange the code. Each ava test file runs in
 * its own process, so `stand` and `s` are that file's; they are set before its first test runs.
 */
import test from 'ava';
import type { EsiaSigner } from '../../relying-party/esia/protocol.ts';
import { postToken, tokenParams } from '../../relying-party/esia/protocol.ts';
import { type Stand, startStand } from '../../scenarios/runner/stand.ts';
import { authRequest, ids, login, params, signers, urlOf } from './helpers.ts';

export let stand: Stand;
export let s: Awaited<ReturnType<typeof signers>>;

/** Starts the file's stand before its tests and closes it after them. */
export function useProtocolStand(): void {
  test.before(async () => {
    stand = await startStand();
    s = await signers(stand);
  });
  test.after.always(async () => {
    await stand?.close();
  });
}

export const ivanovOid = 1000001013;

/** Signs in through v2/ac (or v1/ac) and returns the code, the request and the browser. */
export async function authorize(
  signer: EsiaSigner = s.raw,
  over: Parameters<typeof authRequest>[2] = {},
  phone?: string,
) {
  const p = await params(authRequest(stand, signer, over));
  const version = signer.kind === 'raw' ? 'v2' : 'v1';
  const cb = await login(stand, urlOf(stand, version, p), phone);
  return { ...cb, request: p, version } as const;
}

export async function exchange(
  code: string,
  signer: EsiaSigner = s.raw,
  over: Partial<Parameters<typeof tokenParams>[0]> = {},
) {
  const version = signer.kind === 'raw' ? 'v2' : 'v1';
  const form = await tokenParams({
    version,
    clientId: ids.proto,
    signer,
    grant: 'authorization_code',
    scope: 'openid',
    redirectUri: `${stand.sink}/cb`,
    code,
    ...over,
  });
  return { ...(await postToken(stand.idp, version, form)), form };
}
