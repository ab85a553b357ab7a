/*
 * ESIA codes and refresh tokens on Redis are shared by emulator processes and single use across
 * them: two emulators on one Redis (one key prefix); a code issued by the first, presented ten times
 * at once to the second, is exchanged exactly once; the refresh token the second gave is redeemed on
 * the first, three times at once, exactly once; a refusal's diagnosis made by the second is found on
 * the first by its reference code.
 */
import test from 'ava';
import { postToken, tokenParams } from '../relying-party/esia/protocol.ts';
import { authRequest, ids, login, params, signers, urlOf } from './esia/helpers.ts';
import { redisMissing, startRedis } from './helpers/redis_server.ts';
import { twoStandsOnRedis } from './helpers/redis_stands.ts';

const missing = redisMissing();
const redisTest = missing ? test.skip : test;

redisTest(
  'a code from one emulator is exchanged once by another on one Redis; its refresh token once back on the first',
  async (t) => {
    const server = await startRedis();
    t.teardown(() => server.stop());
    const { a, b, bUrl } = await twoStandsOnRedis(server.url);
    t.teardown(() => Promise.all([a.close(), b.close()]));
    const signer = (await signers(a)).raw;
    const { code } = await login(a, urlOf(a, 'v2', await params(authRequest(a, signer))));
    t.truthy(code);
    const exchange = async (idp: string, grant: Record<string, string>) =>
      postToken(
        idp,
        'v2',
        await tokenParams({
          version: 'v2',
          clientId: ids.proto,
          signer,
          scope: 'openid',
          redirectUri: `${a.sink}/cb`,
          ...grant,
        } as Parameters<typeof tokenParams>[0]),
      );
    const answers = await Promise.all(
      Array.from({ length: 10 }, () => exchange(bUrl, { grant: 'authorization_code', code })),
    );
    const won = answers.filter((answer) => answer.status === 200);
    t.is(won.length, 1, JSON.stringify(answers.map((answer) => answer.status)));
    for (const refused of answers.filter((answer) => answer.status !== 200))
      t.is((refused.body as { error?: string }).error, 'invalid_grant', JSON.stringify(refused.body));
    // The second emulator's diagnosis of a refusal is found on the first, by its reference code.
    const reference = answers.find((answer) => answer.status !== 200)?.reference;
    t.truthy(reference);
    const diagnosis = await a.control<{ diagnosis: string }>('GET', `/esia/diagnostics/${reference}`);
    t.regex(diagnosis.diagnosis, /already exchanged|single-use/);
    // Offline access (the default of the request): the refresh token, back on the first emulator.
    const refreshToken = String((won[0]!.body as { refresh_token?: string }).refresh_token);
    t.not(refreshToken, 'undefined');
    const refreshes = await Promise.all(
      Array.from({ length: 3 }, () => exchange(a.idp, { grant: 'refresh_token', refreshToken })),
    );
    t.deepEqual(
      refreshes.map((answer) => answer.status).sort(),
      [200, 400, 400],
      JSON.stringify(refreshes.map((answer) => answer.body)),
    );
  },
);
