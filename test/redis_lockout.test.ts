/*
 * F4 across processes: 50 wrong passwords at the same moment, split by the round-robin proxy over two
 * emulator processes on one Redis, count exactly the configured limit, lock the account, and refuse
 * the rest as locked; nothing is counted twice or lost between the processes.
 */
import { HttpBrowser } from '../scenarios/runner/http_browser.ts';
import { sharedRedisStand } from './helpers/redis_stand.ts';

const { shared, check } = sharedRedisStand('lockout across processes');

check(
  '50 concurrent wrong passwords over two processes count exactly the limit (5), lock, and refuse the rest',
  async (t) => {
    t.timeout(180_000);
    const { rp } = shared.stand;
    const { roundRobin } = shared.stand.processes!;
    const browsers = await Promise.all(
      Array.from({ length: 50 }, async () => {
        const browser = new HttpBrowser();
        await browser.goto(`${rp}/login`);
        return browser;
      }),
    );
    const byProcess = [0, 0];
    roundRobin!.onAnswer = (backend, req) => {
      if (req.method === 'POST' && /^\/interaction\/[^/]+\/login/.test(req.url ?? '')) byProcess[backend]!++;
    };
    const results = await Promise.all(
      browsers.map(async (b, i) => {
        await b.click('submit', { identifier: '+79000000001', password: `Wrong-pass-${i}` });
        return b.errorCode() || b.screen();
      }),
    );
    roundRobin!.onAnswer = undefined;
    t.is(byProcess[0]! + byProcess[1]!, 50);
    t.true(byProcess[0]! >= 20 && byProcess[1]! >= 20, `wrong passwords per process: ${byProcess.join(' / ')}`);
    const count = (what: string) => results.filter((r) => r === what).length;
    t.is(count('login.invalid_credentials'), 4, `attempts 1–4 are plain refusals: ${JSON.stringify(results)}`);
    t.is(count('account.locked'), 46, 'the fifth locks, the rest meet the lock');
    const personas = await shared.stand.control<
      Array<{ persona: string; state: { locked: boolean; failedAttempts: number } }>
    >('GET', '/personas');
    const ivanov = personas.find((p) => p.persona === 'ivanov');
    t.true(ivanov?.state.locked);
    t.is(ivanov?.state.failedAttempts, 5, 'exactly the limit counted');
  },
);
