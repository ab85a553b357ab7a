/* Which requests take a run's lock on Redis (idp/shared/run_requests.ts): the ones that may change it. */
import test from 'ava';
import { AccountRepository } from '../../idp/adapters/account_repository.ts';
import { MemoryBacking, mainRun, Run } from '../../idp/runs.ts';
import { mayChange } from '../../idp/shared/run_requests.ts';

const run = () => new Run(mainRun, 0n, new AccountRepository(new MemoryBacking({ version: 1, accounts: [] })));
const request = (method: string, path: string) => ({ method, path });

test('every method but GET and HEAD may change a run, except making and deleting runs (the registry does) and ESIA tokens', (t) => {
  const r = run();
  t.true(mayChange(request('POST', '/interaction/abc/password'), r), 'a password change');
  t.true(mayChange(request('POST', '/interaction/abc/certificate'), r));
  t.true(mayChange(request('PATCH', '/__control/accounts/ivanov'), r));
  t.true(mayChange(request('POST', '/__control/reset'), r));
  t.false(mayChange(request('POST', '/__control/runs'), r));
  t.false(mayChange(request('DELETE', '/__control/runs/run-1'), r));
  t.false(mayChange(request('GET', '/__control/inbox/sms'), r));
  t.false(mayChange(request('POST', '/aas/oauth2/te'), r), 'the ESIA token endpoint, server to server');
  t.true(mayChange(request('POST', '/aas/oauth2/ac'), r));
});

test('a sign-in screen takes the lock only while the run has an armed fault or a login shortcut', (t) => {
  const r = run();
  t.false(mayChange(request('GET', '/interaction/abc'), r));
  r.faults.arm({ kind: 'server.error', remaining: 1 });
  t.true(mayChange(request('GET', '/interaction/abc'), r));
  r.faults.clear();
  r.shortcuts.set('fmrm', ['ivanov']);
  t.true(mayChange(request('GET', '/interaction/abc'), r));
});

test('the steps every sign-in takes (password, code, resend) take no lock, but do with an armed fault or a shortcut', (t) => {
  const r = run();
  const steps = ['/interaction/abc/login', '/interaction/abc/otp', '/interaction/abc/otp/resend'];
  for (const path of steps) t.false(mayChange(request('POST', path), r), path);
  t.true(mayChange(request('POST', '/interaction/abc/loginx'), r));
  t.true(mayChange(request('POST', '/interaction/abc/login/more'), r));
  r.faults.arm({ kind: 'sms.fail', remaining: 1 });
  for (const path of steps) t.true(mayChange(request('POST', path), r), `${path} with a fault armed`);
  r.faults.clear();
  r.shortcuts.set('fmrm', ['ivanov']);
  t.true(mayChange(request('POST', steps[0]!), r));
});

test('the GETs that make state take the lock: the plugin, the account settings, the console, entering a run', (t) => {
  const r = run();
  for (const path of ['/plugin', '/plugin/api/certificates', '/account', '/support', '/__control/runs/run-1/enter'])
    t.true(mayChange(request('GET', path), r), path);
  t.false(mayChange(request('GET', '/pluginx'), r));
});
