/*
 * Two suites at once against one emulator (two CI jobs, or a trainer clicking while CI runs) never
 * see each other's personas, SMS codes, lockout counters, faults or clock: each plays in its own run.
 */
import test from 'ava';
import { loadScenarios } from '../scenarios/load.ts';
import { HttpBrowser } from '../scenarios/runner/http_browser.ts';
import { runScenario } from '../scenarios/runner/run.ts';
import { newRun, type Stand, startStand } from '../scenarios/runner/stand.ts';

let stand: Stand;
test.before(async () => {
  stand = await startStand();
});
test.after.always(() => stand?.close());

test('the whole suite, twice in parallel against one emulator, passes in both runs', async (t) => {
  // TLS-fault scenarios (given.tls) switch an HTTPS listener shared by every run: not part of a parallel suite.
  const scenarios = (await loadScenarios()).filter((s) => !s.given.tls);
  const suite = async () => {
    const { run, end } = await newRun(stand);
    const failures: string[] = [];
    for (const scenario of scenarios) {
      const result = await runScenario(stand, scenario, new HttpBrowser(), { run });
      if (!result.ok) failures.push(`${run} ${result.id}: ${result.failure}`);
    }
    await end();
    return failures;
  };
  const [a, b] = await Promise.all([suite(), suite()]);
  t.deepEqual([...a, ...b], []);
});

test('a lockout, a clock jump and a fault in one run leave another run and the main run untouched', async (t) => {
  const one = await newRun(stand);
  const two = await newRun(stand);
  const ctl = (run: string) => (method: string, path: string, body?: unknown) =>
    stand.control<Record<string, unknown>>(method, `${path}${path.includes('?') ? '&' : '?'}run=${run}`, body);
  await ctl(one.run)('POST', '/clock', { set: '2030-01-01T00:00:00Z', freeze: true });
  await ctl(one.run)('POST', '/faults', { kind: 'sms.fail', count: 5 });
  for (let i = 0; i < 5; i++) {
    const b = new HttpBrowser();
    await b.setCookie(stand.idp, 'esia_run', one.run);
    await b.goto(`${stand.rp}/login`);
    await b.click('submit', { identifier: '+79000000001', password: 'Wrong-pass-1' });
  }
  const state = async (run?: string) => {
    const personas = (await (run
      ? ctl(run)('GET', '/personas')
      : stand.control('GET', '/personas'))) as unknown as Array<{
      persona: string;
      oid: string;
      state: { locked: boolean };
    }>;
    return personas.find((p) => p.persona === 'ivanov');
  };
  t.true((await state(one.run))?.state.locked);
  t.false((await state(two.run))?.state.locked);
  t.false((await state())?.state.locked);
  t.not((await state(one.run))?.oid, (await state(two.run))?.oid, 'each run has its own copy of the persona');
  t.is(((await ctl(two.run)('GET', '/clock')) as { now: string }).now.slice(0, 4), '2026');

  // The other run signs in normally and gets its SMS code in its own inbox.
  const b = new HttpBrowser();
  await b.setCookie(stand.idp, 'esia_run', two.run);
  await b.goto(`${stand.rp}/login`);
  await b.click('submit', { identifier: '+79000000001', password: 'Test-1234' });
  t.is(b.current()?.screen, 'otp');
  const inbox = (run: string) => ctl(run)('GET', '/inbox/sms?to=%2B79000000001') as Promise<{ messages: unknown[] }>;
  t.is((await inbox(two.run)).messages.length, 1);
  t.is((await inbox(one.run)).messages.length, 0);
  await Promise.all([one.end(), two.end()]);
});

test('an unknown run is refused by the control API with a clear message', async (t) => {
  const error = await t.throwsAsync(stand.control('GET', '/clock?run=run-nope'));
  t.regex(error?.message ?? '', /No run "run-nope"/);
});
