/*
 * A stand on Redis (ESIA_STORE=redis://…) keeps oidc-provider's state there: after a full sign-in
 * with a refresh token, the session, grant and tokens are Redis keys under the stand's prefix, a
 * refresh works through them, and the redeemed code is marked consumed there.
 */
import test from 'ava';
import { randomUUID } from 'node:crypto';
import * as oidc from 'openid-client';
import { startStand } from '../scenarios/runner/stand.ts';
import { connectRedis } from '../lib/store/redis.ts';
import { offline, registerClient, signInAndRedeem } from './helpers/oidc_client.ts';
import { redisMissing, startRedis } from './helpers/redis_server.ts';

const missing = redisMissing();
const redisTest = missing ? test.skip : test;

redisTest("oidc-provider's sessions, grants and tokens live in Redis under the stand's prefix", async (t) => {
  const server = await startRedis();
  t.teardown(() => server.stop());
  const prefix = `t-${randomUUID().slice(0, 8)}:`;
  const stand = await startStand({ store: server.url, redisPrefix: prefix });
  t.teardown(() => stand.close());
  const client = await registerClient(stand);
  const { tokens } = await signInAndRedeem(stand, client, offline);
  const redis = await connectRedis(server.url, { log: () => {} });
  t.teardown(() => redis.disconnect());
  const models = new Set((await redis.keys(`${prefix}oidc:*`)).map((key) => key.slice(prefix.length).split(':')[1]));
  for (const model of ['Session', 'Grant', 'AccessToken', 'RefreshToken', 'AuthorizationCode', 'Client'])
    t.true(models.has(model), `${model} in Redis: ${[...models].join(', ')}`);
  const refreshed = await oidc.refreshTokenGrant(client.config, tokens.refresh_token!);
  t.truthy(refreshed.access_token);
  // oidc-provider consumed the redeemed code through the adapter.
  const [codeKey] = await redis.keys(`${prefix}oidc:AuthorizationCode:*`);
  t.truthy(JSON.parse((await redis.get(codeKey!))!).consumed);
});
