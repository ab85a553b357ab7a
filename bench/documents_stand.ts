/*
 * The stand of `npm run bench:documents`, in a process of its own so the parent measures only the
 * uploads' cost: it prints its URLs as one JSON line, then answers lines on stdin: `mark` starts
 * sampling its memory every 2 ms, `peak` prints the peak RSS and heap since the mark (bytes) against
 * the values at the mark. Ends when stdin closes.
 */
import { createInterface } from 'node:readline';
import { startStand } from '../scenarios/runner/stand.ts';

const stand = await startStand();
console.log(JSON.stringify({ idp: stand.idp, rp: stand.rp }));

let base = process.memoryUsage();
let peak = { rss: base.rss, heapUsed: base.heapUsed, external: base.external + base.arrayBuffers };
let sampler: NodeJS.Timeout | undefined;
/** With BENCH_GC=1 each sample collects garbage first: what stays is what the upload holds, not chunks not yet collected. */
const collect = process.env.BENCH_GC === '1';
const sample = () => {
  if (collect) globalThis.gc?.();
  const m = process.memoryUsage();
  peak = {
    rss: Math.max(peak.rss, m.rss),
    heapUsed: Math.max(peak.heapUsed, m.heapUsed),
    external: Math.max(peak.external, m.external + m.arrayBuffers),
  };
};

for await (const line of createInterface({ input: process.stdin })) {
  if (line === 'mark') {
    globalThis.gc?.();
    base = process.memoryUsage();
    peak = { rss: base.rss, heapUsed: base.heapUsed, external: base.external + base.arrayBuffers };
    clearInterval(sampler);
    sampler = setInterval(sample, 2);
  } else if (line === 'peak') {
    sample();
    clearInterval(sampler);
    console.log(
      JSON.stringify({
        rss: peak.rss - base.rss,
        heap: peak.heapUsed - base.heapUsed,
        external: peak.external - (base.external + base.arrayBuffers),
        rssAt: base.rss,
      }),
    );
  }
}
clearInterval(sampler);
await stand.close();
