/*
 * Seeded fuzzing of every public endpoint group of the emulator and the relying party (see
 * test/helpers/fuzz.ts): no request may get a 5xx or a stack trace, and the stand keeps serving.
 * FUZZ_SEED and FUZZ_PER_GROUP change the seed and the count (100 per group here; bench/fuzz.ts
 * sends 2,000 per group).
 */
import test from 'ava';
import { type Stand, startStand } from '../../scenarios/runner/stand.ts';
import { endpointGroups, fuzzRequests, isFinding, send } from '../../scenarios/runner/fuzz.ts';

let stand: Stand;
test.before(async () => {
  stand = await startStand();
});
test.after.always(() => stand?.close());

const seed = Number(process.env.FUZZ_SEED ?? 20261203);
const perGroup = Number(process.env.FUZZ_PER_GROUP ?? 100);

test(`${endpointGroups.length} endpoint groups × ${perGroup} malformed requests (seed ${seed}): no 5xx, no stack trace`, async (t) => {
  t.timeout(600_000);
  const requests = fuzzRequests(seed, perGroup);
  const findings: string[] = [];
  let next = 0;
  const worker = async () => {
    while (next < requests.length) {
      const { group, app, request } = requests[next++]!;
      const answer = await send(app === 'idp' ? stand.idp : stand.rp, request);
      const finding = isFinding(answer);
      if (finding)
        findings.push(
          `${group}: ${request.method} ${request.path.slice(0, 160)} [${request.headers['content-type'] ?? 'no type'}${request.chunked ? ', chunked' : ''}] → ${finding}: ${answer.body.slice(0, 200)}`,
        );
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  t.deepEqual(findings.slice(0, 20), [], `${findings.length} of ${requests.length} requests were findings`);
  t.is((await fetch(`${stand.idp}/__health/ready`)).status, 200, 'the emulator still serves');
  t.is((await fetch(`${stand.rp}/`, { redirect: 'manual' })).status < 500, true, 'the relying party still serves');
});
