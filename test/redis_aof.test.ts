/*
 * Redis killed (kill -9) and started again on its append-only file with appendfsync always, and the
 * emulator processes killed with it (a power cut of the whole box: nothing survives in any
 * process's memory): every write the emulator had acknowledged is still there. An answered sign-in
 * step (the password accepted, the code screen shown), a lockout count, an inbox message and an
 * audit record (the reference code of an error page).
 */
import { HttpBrowser } from '../scenarios/runner/http_browser.ts';
import { sharedRedisStand } from './helpers/redis_stand.ts';

const { shared, check } = sharedRedisStand('append-only file test');

interface Persona {
  persona: string;
  phone: string;
  state: { failedAttempts: number; locked: boolean };
}
const inbox = (phone: string) =>
  shared.stand.control<{ messages: Array<{ code: string }> }>('GET', `/inbox/sms?to=${encodeURIComponent(phone)}`);
const persona = async (name: string) =>
  (await shared.stand.control<Persona[]>('GET', '/personas')).find((p) => p.persona === name)!;

check(
  'after kill -9 of Redis and of both emulator processes, Redis on its append-only file still has every acknowledged write',
  async (t) => {
    t.timeout(240_000);
    const { rp } = shared.stand;
    // An answered sign-in step: the password accepted, the code screen shown (and the code sent).
    const ivanov = new HttpBrowser();
    await ivanov.goto(`${rp}/login`);
    await ivanov.click('submit', { identifier: '+79000000001', password: 'Test-1234' });
    t.is(ivanov.screen(), 'otp', ivanov.errorCode());
    const sent = (await inbox('+79000000001')).messages;
    t.is(sent.length, 1);
    // A lockout count: two wrong passwords; the second error page's reference code is an audit record.
    const sidorov = new HttpBrowser();
    await sidorov.goto(`${rp}/login`);
    for (let i = 0; i < 2; i++) await sidorov.click('submit', { identifier: '+79000000003', password: 'Wrong-0000' });
    t.is(sidorov.errorCode(), 'login.invalid_credentials');
    const ref = sidorov.byTestId('ref-code')?.getAttribute('data-ref') ?? '';
    t.regex(ref, /^[0-9A-Z]{4}-?[0-9A-Z]{4}$/);
    t.is((await persona('sidorov')).state.failedAttempts, 2);
    const record = await shared.stand.control<Record<string, unknown>>('GET', `/audit/${ref}`);

    const { processes } = shared.stand.processes!;
    await Promise.all([shared.redis.kill(), ...processes.map((p) => p.kill9())]);
    await shared.redis.restart();
    await processes[0]!.start();
    await Promise.all(processes.slice(1).map((p) => p.start()));

    t.deepEqual((await inbox('+79000000001')).messages, sent, 'the inbox message');
    t.is((await persona('sidorov')).state.failedAttempts, 2, 'the lockout count');
    t.deepEqual(await shared.stand.control('GET', `/audit/${ref}`), record, 'the audit record');
    // The sign-in goes on from the step it had reached: the code, then the cabinet.
    await ivanov.click('submit', { code: sent[0]!.code });
    t.is(ivanov.screen(), 'cabinet', ivanov.errorCode());
    // A third wrong password counts on from two.
    await sidorov.click('submit', { identifier: '+79000000003', password: 'Wrong-0000' });
    t.is((await persona('sidorov')).state.failedAttempts, 3);
  },
);
