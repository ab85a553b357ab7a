/*
 * `npm run bench:fuzz`: the fuzzer of test/helpers/fuzz.ts at full size (2,000 requests per
 * endpoint group, 32,000 in all, by default) against one in-process stand; prints the findings
 * (5xx or a stack trace) by group and the request rate. Loopback only, bounded by its count.
 */
import { parseCli } from '../lib/cli.ts';
import { startStand } from '../scenarios/runner/stand.ts';
import { endpointGroups, fuzzRequests, isFinding, send } from '../scenarios/runner/fuzz.ts';

const { values } = parseCli({
  command: 'npm run bench:fuzz --',
  summary:
    'Sends seeded malformed requests to every public endpoint group of an in-process stand and counts those answered with a 5xx or a stack trace. Exit code 1 when there is any.',
  options: {
    seed: { type: 'string', value: 'N', help: 'the seed (default 20261203): the same seed sends the same requests' },
    'per-group': { type: 'string', value: 'N', help: 'requests per endpoint group (default 2000: 32,000 in all)' },
    concurrency: { type: 'string', value: 'N', help: 'requests in flight (default 8)' },
  },
});
const seed = Number(values.seed ?? 20261203);
const perGroup = Number(values['per-group'] ?? 2000);
const concurrency = Number(values.concurrency ?? 8);

const stand = await startStand();
const requests = fuzzRequests(seed, perGroup);
const byGroup = new Map(endpointGroups.map((g) => [g.name, { sent: 0, findings: [] as string[] }]));
const started = performance.now();
let next = 0;
await Promise.all(
  Array.from({ length: concurrency }, async () => {
    while (next < requests.length) {
      const { group, app, request } = requests[next++]!;
      const answer = await send(app === 'idp' ? stand.idp : stand.rp, request);
      const entry = byGroup.get(group)!;
      entry.sent++;
      const finding = isFinding(answer);
      if (finding)
        entry.findings.push(
          `${request.method} ${request.path.slice(0, 120)} → ${finding}: ${answer.body.slice(0, 160)}`,
        );
    }
  }),
);
const seconds = (performance.now() - started) / 1000;
let total = 0;
for (const [group, { sent, findings }] of byGroup) {
  total += findings.length;
  console.log(
    `${findings.length === 0 ? 'ok  ' : 'FAIL'} ${group.padEnd(36)} ${sent} requests, ${findings.length} findings`,
  );
  for (const f of findings.slice(0, 5)) console.log(`       ${f}`);
}
console.log(
  `\n${requests.length} requests (seed ${seed}) in ${seconds.toFixed(1)} s (${Math.round(requests.length / seconds)}/s): ${total} with a 5xx or a stack trace`,
);
await stand.close();
process.exit(total === 0 ? 0 : 1);
