/* Every page's browser asks for /favicon.ico: the emulator and both relying parties answer with an icon, not a 404. */
import test from 'ava';
import { sharedStandAndRun } from './helpers/stand.ts';

const env = sharedStandAndRun();

for (const app of ['idp', 'rp', 'rp2'] as const) {
  test(`GET /favicon.ico on ${app} is an ICO image`, async (t) => {
    const res = await fetch(`${env.stand[app]}/favicon.ico`);
    t.is(res.status, 200);
    t.regex(res.headers.get('content-type') ?? '', /^image\//);
    const body = Buffer.from(await res.arrayBuffer());
    // ICONDIR: reserved 0, type 1 (icon), one image of 16×16.
    t.deepEqual(
      [body.readUInt16LE(0), body.readUInt16LE(2), body.readUInt16LE(4), body[6], body[7]],
      [0, 1, 1, 16, 16],
    );
  });
}
