/*
 * Replays counted over repetitions, each in a fresh sign-in: an ESIA authorization code exchanged
 * twice, an ESIA refresh token used again after its rotation, a signature challenge signed again, a
 * WebAuthn answer sent again, an OIDC refresh token used again after its rotation. The scenarios
 * show each refusal once; here every one of TIMES attempts must be refused (0 accepted).
 */
import test from 'ava';
import * as oidc from 'openid-client';
import { postToken, tokenParams } from '../../relying-party/esia/protocol.ts';
import { loadScenarios } from '../../scenarios/load.ts';
import { runScenario, describeFailure } from '../../scenarios/runner/run.ts';
import { type Stand, startStand } from '../../scenarios/runner/stand.ts';
import { authRequest, ids, login, params, scope, signers, urlOf } from '../esia/helpers.ts';
import { offline, registerClient, signInAndRedeem } from '../helpers/oidc_client.ts';

const TIMES = 20;
let stand: Stand;
test.before(async () => {
  stand = await startStand();
});
test.after.always(() => stand?.close());

async function esiaTokens(signer: Awaited<ReturnType<typeof signers>>['raw']) {
  const cb = await login(stand, urlOf(stand, 'v2', await params(authRequest(stand, signer))));
  const exchange = async () =>
    postToken(
      stand.idp,
      'v2',
      await tokenParams({
        version: 'v2',
        clientId: ids.proto,
        signer,
        grant: 'authorization_code',
        scope: 'openid',
        redirectUri: `${stand.sink}/cb`,
        code: cb.code,
      }),
    );
  const refresh = async (token: string) =>
    postToken(
      stand.idp,
      'v2',
      await tokenParams({
        version: 'v2',
        clientId: ids.proto,
        signer,
        grant: 'refresh_token',
        scope,
        redirectUri: `${stand.sink}/cb`,
        refreshToken: token,
      }),
    );
  return { exchange, refresh };
}

test.serial(
  `ESIA face (v2/ac, v3/te): ${TIMES} reused authorization codes and ${TIMES} refresh tokens used after rotation, 0 accepted`,
  async (t) => {
    const signer = (await signers(stand)).raw;
    let codesAccepted = 0;
    let refreshAccepted = 0;
    for (let i = 0; i < TIMES; i++) {
      const { exchange, refresh } = await esiaTokens(signer);
      const first = await exchange();
      t.is(first.status, 200, JSON.stringify(first.body));
      const again = await exchange();
      if (again.status === 200) codesAccepted += 1;
      else t.regex(String(again.body.error_description), /^ESIA-007011: /);
      const old = String(first.body.refresh_token);
      const rotated = await refresh(old);
      t.is(rotated.status, 200, JSON.stringify(rotated.body));
      const reused = await refresh(old);
      if (reused.status === 200) refreshAccepted += 1;
      else t.regex(String(reused.body.error_description), /^ESIA-007011: /);
    }
    t.log(
      `ESIA: reused codes accepted ${codesAccepted}/${TIMES}, rotated-away refresh tokens accepted ${refreshAccepted}/${TIMES}`,
    );
    t.deepEqual([codesAccepted, refreshAccepted], [0, 0]);
  },
);

test.serial(`OIDC face: ${TIMES} refresh tokens used again after rotation, 0 accepted`, async (t) => {
  const client = await registerClient(stand);
  let accepted = 0;
  for (let i = 0; i < TIMES; i++) {
    const { tokens } = await signInAndRedeem(stand, client, offline);
    const first = tokens.refresh_token!;
    const rotated = await oidc.refreshTokenGrant(client.config, first);
    t.not(rotated.refresh_token, first);
    const reuse = await oidc.refreshTokenGrant(client.config, first).then(
      () => 'accepted',
      (error: oidc.ResponseBodyError) => error.error,
    );
    if (reuse === 'accepted') accepted += 1;
    else t.is(reuse, 'invalid_grant');
  }
  t.log(`OIDC: rotated-away refresh tokens accepted ${accepted}/${TIMES}`);
  t.is(accepted, 0);
});

// The catalogue's own scenarios, played TIMES times: each play signs in anew and replays once.
for (const [id, refusal] of [
  ['esign-challenge-replayed', 'esign.challenge_replayed'],
  ['biometric-replayed-answer', 'webauthn.challenge_replayed'],
] as const) {
  test.serial(`${id}: ${TIMES} replays, each in a new sign-in, 0 accepted`, async (t) => {
    const scenario = (await loadScenarios()).find((s) => s.id === id)!;
    let accepted = 0;
    for (let i = 0; i < TIMES; i++) {
      const result = await runScenario(stand, scenario);
      const last = result.trail.at(-1);
      if (last?.error !== refusal) accepted += 1;
      t.true(result.ok, describeFailure(result));
    }
    t.log(`${id}: replays accepted ${accepted}/${TIMES}`);
    t.is(accepted, 0);
  });
}
