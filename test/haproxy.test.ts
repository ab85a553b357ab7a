/*
 * The load-balancer configuration the README documents (docs/haproxy.cfg), run by Debian's haproxy
 * in front of two emulator processes on one Redis: sign-ins through the ФМРМ relying party complete
 * through it, and go on completing when one emulator process is killed (its health check takes it
 * out of rotation; a request that found it gone is sent to the other).
 */
import test from 'ava';
import { haproxyConfig, haproxyMissing } from '../scenarios/runner/haproxy.ts';
import { redisMissing } from './helpers/redis_server.ts';
import { signInThrough } from './helpers/sign_in.ts';
import { sharedRedisStand } from './helpers/redis_stand.ts';

const { shared, check } = sharedRedisStand('haproxy test', { balancer: 'haproxy' }, redisMissing() ?? haproxyMissing());

test('the documented configuration is moved to other ports by address only', async (t) => {
  const text = await haproxyConfig(31000, [31001, 31002]);
  t.regex(text, /^\s*bind 127\.0\.0\.1:31000$/m);
  t.regex(text, /^\s*server emulator-1 127\.0\.0\.1:31001$/m);
  t.regex(text, /^\s*server emulator-2 127\.0\.0\.1:31002$/m);
  t.regex(text, /option httpchk GET \/__health\/ready/);
});

check(
  'sign-ins through haproxy in front of two emulator processes complete, and still do with one process killed',
  async (t) => {
    t.timeout(180_000);
    const { rp, idp, processes } = shared.stand;
    for (let i = 0; i < 3; i++) {
      const { screen, browser } = await signInThrough(rp, idp);
      t.is(screen, 'cabinet', `sign-in ${i + 1}: ${browser.errorCode()}`);
    }
    await processes!.processes[1]!.kill9();
    for (let i = 0; i < 3; i++) {
      const { screen, browser } = await signInThrough(rp, idp);
      t.is(screen, 'cabinet', `sign-in ${i + 1} with emulator-2 killed: ${browser.errorCode()}`);
    }
  },
);
