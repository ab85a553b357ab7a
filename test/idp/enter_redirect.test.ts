/* GET /__control/runs/:id/enter?next= joins a browser to a run and sends it on, never off-site. */
import test from 'ava';
import { sameHostTarget } from '../../idp/control/inputs.ts';
import { type Stand, newRun, startStand } from '../../scenarios/runner/stand.ts';

let stand: Stand;
test.before(async () => {
  stand = await startStand();
});
test.after.always(() => stand?.close());

const offSite = [
  '//evil.example/',
  '/\\evil.example/',
  '\\\\evil.example/',
  'http://localhost:PORT@evil.example/',
  'http://localhost:@evil.example/',
  'https://evil.example/',
  'javascript:alert(1)',
  'http://localhost.evil.example/',
  ' //evil.example/',
];

test('every off-site next is refused with 400 and sets no cookie; the four reported payloads among them', async (t) => {
  const { run } = await newRun(stand);
  const port = new URL(stand.idp).port;
  for (const payload of offSite.map((p) => p.replace('PORT', port))) {
    const res = await fetch(`${stand.idp}/__control/runs/${run}/enter?next=${encodeURIComponent(payload)}`, {
      redirect: 'manual',
    });
    t.is(res.status, 400, payload);
    t.is(res.headers.get('location'), null, payload);
    t.is(res.headers.getSetCookie().length, 0, payload);
    t.is(((await res.json()) as { error: string }).error, 'control.bad_next', payload);
  }
});

test('a path of the emulator and a page of a relying party on the same host are followed', async (t) => {
  const { run } = await newRun(stand);
  const go = (next: string) =>
    fetch(`${stand.idp}/__control/runs/${run}/enter?next=${encodeURIComponent(next)}`, { redirect: 'manual' });
  t.is((await go('/trainer?x=1#y')).headers.get('location'), '/trainer?x=1#y');
  t.is((await go(`${stand.rp}/login`)).headers.get('location'), `${stand.rp}/login`);
  const bare = await fetch(`${stand.idp}/__control/runs/${run}/enter`, { redirect: 'manual' });
  t.is(bare.headers.get('location'), '/');
});

test('the rule, as a browser reads URLs', (t) => {
  const origin = 'http://localhost:3000';
  t.is(sameHostTarget('/a/../b', origin), '/b');
  t.is(sameHostTarget('http://localhost:4000/x', origin), 'http://localhost:4000/x');
  t.is(sameHostTarget('http://localhost:3000/x', origin), '/x');
  t.throws(() => sameHostTarget('/\\evil.example/', origin), { message: /another host \(evil\.example\)/ });
  t.throws(() => sameHostTarget('http://localhost:@evil.example/', origin), { message: /user info/ });
  t.throws(() => sameHostTarget(['/a', '/b'], origin), { message: /give it once/ });
});
