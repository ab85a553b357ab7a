/*
 * A short soak in the suite: many full sign-ins (the load driver's: password, SMS code, token
 * exchange; a new browser, so a new session and grant, every time) against a stand with a small
 * cap, the size of every store that grows with sign-ins checked as they go. Without the caps,
 * sessions, grants and tokens stay 8 hours and each sign-in adds to them.
 */
import test from 'ava';
import { DriverLocks, login } from '../../bench/login.ts';
import { startStand } from '../../scenarios/runner/stand.ts';
import type { AuditJournal } from '../../idp/adapters/audit_journal.ts';
import type { ProviderStorage } from '../../idp/provider/memory_adapter.ts';
import type { Journeys } from '../../idp/interactions/journeys.ts';

const cap = 100;
const signIns = 600;
/** Personas whose sign-in is password and code only, one per loop (each has its own SMS inbox). */
const personas = [
  { persona: 'ivanov', phone: '+79000000001', password: 'Test-1234' },
  { persona: 'fedorov', phone: '+79000000011', password: 'Test-1234' },
  { persona: 'mikhailov', phone: '+79000000009', password: 'Test-1234' },
  { persona: 'novikova', phone: '+79000000010', password: 'Test-1234' },
];

test(`${signIns} sign-ins with ESIA_STORE_CAP=${cap}: sessions, grants, tokens, sign-ins in progress and the audit index stay within it`, async (t) => {
  t.timeout(240_000);
  const stand = await startStand({
    memory: { sessionTtlSeconds: 8 * 3600, refreshTokenTtlSeconds: 8 * 3600, storeCap: cap },
  });
  t.teardown(() => stand.close());
  const target = {
    base: stand.idp,
    clientId: 'fmrm',
    clientSecret: 'fmrm-local-test-secret',
    redirectUri: `${stand.rp}/callback`,
  };
  const s = stand.emulator!.idp.services;
  // The stand runs on lowdb: oidc-provider's state is the memory adapter's.
  const storage = s.storage as ProviderStorage;
  const locks = new DriverLocks();
  const largest: Record<string, number> = {};
  const note = (name: string, size: number) => (largest[name] = Math.max(largest[name] ?? 0, size));
  let done = 0;
  await Promise.all(
    personas.map(async (who) => {
      while (done < signIns) {
        done++;
        await login(target, who, locks);
        for (const [model, size] of Object.entries(storage.sizes())) if (model !== 'Client') note(model, size);
        note('sign-ins in progress', (s.journeys as Journeys).size);
        note('audit traces', (s.journal as AuditJournal).indexed.traces);
        note('audit refs', (s.journal as AuditJournal).indexed.refs);
        note('session uid index', storage.sessionsByUid.size);
        // Indexed by the grant ids that codes and tokens carry: bounded by them, not by the grants kept.
        note('grant index', storage.grantMembers.size);
      }
    }),
  );
  t.log(`largest sizes over ${done} sign-ins: ${JSON.stringify(largest)}`);
  // Every sign-in leaves a session, a grant and an access token: each stays at the cap.
  for (const model of ['Session', 'Grant', 'AccessToken']) t.is(largest[model], cap, model);
  for (const [name, size] of Object.entries(largest))
    if (name !== 'grant index') t.true(size <= cap, `${name}: ${size} > ${cap}`);
  t.true(largest['grant index']! <= 2 * cap, 'at most one grant id per access token and per code');
  t.true(largest['audit traces']! <= cap / 4, 'the audit index keeps a quarter of the cap');
});
