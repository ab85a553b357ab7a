/*
 * Both emulator processes restarted on the same Redis (a deployment, a crash): nothing a person or a
 * system holds is lost. The emulator's session cookie still signs the person into the second system
 * without a password, and an ESIA refresh token issued before the restart is still good after it.
 */
import { postToken, tokenParams } from '../relying-party/esia/protocol.ts';
import { HttpBrowser } from '../scenarios/runner/http_browser.ts';
import { authRequest, ids, login, params, scope, signers, urlOf } from './esia/helpers.ts';
import { sharedRedisStand } from './helpers/redis_stand.ts';

const { shared, check } = sharedRedisStand('restart test');

check(
  'after both emulator processes restart on the same Redis, the person is still signed in and an ESIA refresh token still works',
  async (t) => {
    t.timeout(240_000);
    const { rp, rp2, idp, sink } = shared.stand;
    const phone = '+79000000001';
    // Signed in through ФМРМ (OIDC): the emulator's session cookie is in this browser.
    const browser = new HttpBrowser();
    await browser.goto(`${rp}/login`);
    await browser.click('submit', { identifier: phone, password: 'Test-1234' });
    const sms = await shared.stand.control<{ messages: Array<{ code: string }> }>(
      'GET',
      `/inbox/sms?to=${encodeURIComponent(phone)}`,
    );
    await browser.click('submit', { code: sms.messages[0]!.code });
    t.is(browser.screen(), 'cabinet', browser.errorCode());
    // A system on ESIA's own protocol holds a refresh token.
    const s = await signers(shared.stand);
    const callback = await login(
      shared.stand,
      urlOf(shared.stand, 'v2', await params(authRequest(shared.stand, s.raw))),
    );
    const token = (grant: 'authorization_code' | 'refresh_token', value: string) =>
      tokenParams({
        version: 'v2',
        clientId: ids.proto,
        signer: s.raw,
        grant,
        scope: grant === 'authorization_code' ? 'openid' : scope,
        redirectUri: `${sink}/cb`,
        ...(grant === 'authorization_code' ? { code: value } : { refreshToken: value }),
      });
    const issued = await postToken(idp, 'v2', await token('authorization_code', callback.code));
    t.is(issued.status, 200, JSON.stringify(issued.body));

    const { processes } = shared.stand.processes!;
    const pids = processes.map((p) => p.pid());
    for (const p of processes) await p.stop();
    await processes[0]!.start();
    await Promise.all(processes.slice(1).map((p) => p.start()));
    t.notDeepEqual(
      processes.map((p) => p.pid()),
      pids,
      'new processes',
    );

    // Single sign-on into the second system: no password screen, straight to its cabinet.
    await browser.goto(`${rp2}/login`);
    t.is(browser.screen(), 'cabinet', `the second system after the restart: ${browser.errorCode()}`);
    const refreshed = await postToken(idp, 'v2', await token('refresh_token', String(issued.body.refresh_token)));
    t.is(refreshed.status, 200, JSON.stringify(refreshed.body));
    t.truthy(refreshed.body.access_token);
  },
);
