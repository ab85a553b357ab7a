/*
 * Child process for test/store.test.ts, run as `node --import tsx store_child.ts <mode> <dataFile>`.
 *   churn: opens a Store and mutates + flushes in a tight loop, printing `flushed <counter>` after
 *          each write is on disk, so the test can SIGKILL it mid-write and check what survived.
 *   idle:  opens a Store, schedules a far-off flush and returns; the process must still exit
 *          (the flush timer is unref'd).
 * Data: `counter` counts writes; `items` holds the last ITEMS entries n = counter-ITEMS+1 … counter,
 * each with a fixed-size pad, so a torn or mixed state is detectable. Not importable: it runs on load.
 */
import { Store } from '../../lib/store/store.ts';

interface ChurnData {
  counter: number;
  items: { n: number; pad: string }[];
}

const ITEMS = 300;
const PAD = 'x'.repeat(1000); // ~300 KB per file: writes take long enough to be interrupted

const [mode, dataFile] = process.argv.slice(2);
if (!dataFile || (mode !== 'churn' && mode !== 'idle')) {
  console.error('usage: store_child.ts churn|idle <dataFile>');
  process.exit(2);
}

const store = await Store.open<ChurnData>(dataFile, () => ({ counter: 0, items: [] }), {
  flushDelayMs: mode === 'idle' ? 3_600_000 : 0,
});
process.stdout.write(`ready ${process.pid}\n`);

if (mode === 'idle') {
  store.data.counter += 1;
  store.changed(); // timer pending for an hour; the process must exit anyway
} else {
  for (;;) {
    const n = store.data.counter + 1;
    store.data.counter = n;
    store.data.items.push({ n, pad: PAD });
    if (store.data.items.length > ITEMS) store.data.items.shift();
    store.changed();
    await store.flush();
    process.stdout.write(`flushed ${n}\n`); // pipes are synchronous on Linux: printed means on disk
  }
}
