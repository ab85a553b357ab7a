/*
 * Operator lockout under concurrent sign-ins (F4): 49 wrong and 1 right password sent at once, three
 * rounds. Attempts are serialised per operator like an account's, so exactly the limit of wrong
 * passwords is checked before the lock, the lock holds for the right password that arrives after it,
 * and a right password that arrives before it resets the count (it cannot lift a lock set meanwhile).
 */
import test from 'ava';
import { type Stand, newRun, startStand } from '../../scenarios/runner/stand.ts';
import { signInForm } from '../helpers/support_console.ts';

let stand: Stand;
test.before(async () => {
  stand = await startStand();
});
test.after.always(() => stand?.close());

const limit = 5;

async function round(run: string, rightAt: number) {
  const signIn = await signInForm(stand.idp, `esia_run=${run}`);
  const attempt = async (password: string) => {
    const res = await fetch(`${stand.idp}/support/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: signIn.cookie },
      body: new URLSearchParams({ ...signIn.fields, login: 'senior', password }),
    });
    const body = await res.text();
    return res.status === 303 ? 'signed-in' : (/data-error-code="([\w.]+)"/.exec(body)?.[1] ?? `status ${res.status}`);
  };
  const outcomes = await Promise.all(
    Array.from({ length: 50 }, (_, i) => attempt(i === rightAt ? 'Operator-1234' : 'wrong')),
  );
  const count = (o: string) => outcomes.filter((x) => x === o).length;
  return {
    wrongChecked: count('support.invalid_credentials'),
    locked: count('support.operator_locked'),
    signedIn: count('signed-in'),
    after: await attempt('Operator-1234'),
  };
}

for (const [i, rightAt] of [49, 0, 25].entries()) {
  test(`round ${i + 1}: 49 wrong and 1 right password at once (the right one is request ${rightAt + 1} of 50) lock after exactly ${limit} wrong ones`, async (t) => {
    const { run } = await newRun(stand);
    const r = await round(run, rightAt);
    t.log(
      `wrong passwords checked ${r.wrongChecked} (+1 that locked), refused as locked ${r.locked - 1}, signed in ${r.signedIn}; afterwards ${r.after}`,
    );
    t.is(r.wrongChecked + r.locked + r.signedIn, 50);
    t.true(r.signedIn <= 1);
    // Without a success in between, exactly limit − 1 wrong passwords are refused as wrong and the limit-th locks;
    // a success before the lock resets the count, so at most limit − 1 more come before the lock.
    if (r.signedIn === 0) t.is(r.wrongChecked, limit - 1);
    else t.true(r.wrongChecked >= limit - 1 && r.wrongChecked <= 2 * (limit - 1));
    t.is(r.after, 'support.operator_locked', 'the operator ends locked: the right password is refused afterwards');
  });
}
