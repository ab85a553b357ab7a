/*
 * Concurrent sign-ins of different personas, split over two emulator processes on one Redis: every
 * SMS a password step answered for is in its persona's inbox, and the newest one there is the code of
 * that persona's latest sign-in (no message lost or overwritten by a write of the other process).
 */
import { plainPersonas } from '../bench/phases/sign_ins.ts';
import { HttpBrowser } from '../scenarios/runner/http_browser.ts';
import { sharedRedisStand } from './helpers/redis_stand.ts';

const { shared, check } = sharedRedisStand('inboxes across processes');

check(
  'password steps of 8 personas at once over two processes: every code sent is in its inbox and lets its persona in',
  async (t) => {
    t.timeout(180_000);
    const { rp } = shared.stand;
    // Personas whose password step leads straight to the code screen.
    const phones = (await plainPersonas())
      .filter((p) => p.persona !== 'egorova')
      .slice(0, 8)
      .map((p) => p.phone);
    t.is(phones.length, 8);
    for (let round = 0; round < 3; round++) {
      const browsers = await Promise.all(
        phones.map(async () => {
          const b = new HttpBrowser();
          await b.goto(`${rp}/login`);
          return b;
        }),
      );
      await Promise.all(browsers.map((b, i) => b.click('submit', { identifier: phones[i]!, password: 'Test-1234' })));
      for (const [i, b] of browsers.entries()) t.is(b.screen(), 'otp', `${phones[i]}: ${b.errorCode()}`);
      for (const phone of phones) {
        const { messages } = await shared.stand.control<{ messages: unknown[] }>(
          'GET',
          `/inbox/sms?to=${encodeURIComponent(phone)}`,
        );
        t.is(messages.length, round + 1, `${phone} after round ${round + 1}`);
      }
      // …and each code, entered at the same moment as the others, lets its persona in.
      const codes = await Promise.all(
        phones.map(async (phone) => {
          const { messages } = await shared.stand.control<{ messages: Array<{ code: string }> }>(
            'GET',
            `/inbox/sms?to=${encodeURIComponent(phone)}`,
          );
          return messages[0]!.code;
        }),
      );
      await Promise.all(browsers.map((b, i) => b.click('submit', { code: codes[i]! })));
      for (const [i, b] of browsers.entries()) t.not(b.errorCode(), 'otp.invalid', `${phones[i]} round ${round + 1}`);
    }
  },
);
