/*
 * Two stands on one Redis and one key prefix, as two emulator instances behind a load balancer are:
 * one issuer (the first's), so both register the same internal clients and hand out the same URLs.
 * `b.idp` is therefore the first's address too: `bUrl` is where the second one really listens.
 */
import { randomUUID } from 'node:crypto';
import { freePort, type Stand, startStand } from '../../scenarios/runner/stand.ts';

export async function twoStandsOnRedis(url: string): Promise<{ a: Stand; b: Stand; bUrl: string; prefix: string }> {
  const prefix = `t-${randomUUID().slice(0, 8)}:`;
  const a = await startStand({ store: url, redisPrefix: prefix });
  try {
    const port = await freePort();
    const b = await startStand({ store: url, redisPrefix: prefix, issuer: a.idp, port });
    return { a, b, bUrl: `http://localhost:${port}`, prefix };
  } catch (error) {
    await a.close();
    throw error;
  }
}
