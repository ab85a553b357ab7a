/*
 * The static gallery writer (npm run gallery) on two scenarios, in real Chromium: JPEG screenshots of
 * the error screens the cards show and nothing else, and a «Воспроизвести» link per scenario to the
 * live /trainer of the configured emulator.
 */
import test from 'ava';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'node-html-parser';
import { writeGallery } from '../../trainer/write_gallery.ts';

let out: string;
test.before(async () => {
  out = await mkdtemp(join(tmpdir(), 'esia-gallery-'));
});
test.after.always(() => rm(out, { recursive: true, force: true }));

test('the gallery keeps one compressed picture per card shown and links each scenario to the live trainer', async (t) => {
  const lines: string[] = [];
  const report = await writeGallery({
    out,
    only: ['wrong-password', 'otp-expired'],
    lanes: 2,
    liveUrl: 'https://localhost:3443',
    quality: 70,
    log: (l) => lines.push(l),
  });
  t.deepEqual(report.failures, []);
  t.is(report.played, 2, lines.join('\n'));

  const page = parse(await readFile(join(out, 'index.html'), 'utf8'));
  const cards = page.querySelectorAll('[data-testid="gallery-card"]');
  t.is(cards.length, report.screens, 'every card is listed, with or without a picture');
  const card = (code: string) => cards.find((c) => c.getAttribute('data-code') === code);
  const shown = cards.flatMap((c) => c.querySelector('.shot img')?.getAttribute('src') ?? []);
  t.deepEqual(
    shown.toSorted(),
    [card('login.invalid_credentials'), card('otp.expired')]
      .map((c) => c?.querySelector('.shot img')?.getAttribute('src'))
      .toSorted(),
  );
  t.regex(
    card('otp.expired')?.querySelector('.shot img')?.getAttribute('src') ?? '',
    /^shots\/otp-expired\/\d\d-idp-otp-otp\.expired\.jpg$/,
  );

  // The screens the two scenarios pass without an error have their cards and pictures too: the login screen.
  const screens = page.querySelectorAll('[data-testid="gallery-screen"]');
  t.is(screens.length, report.pages);
  const pictured = screens.flatMap((c) => c.querySelector('.shot img')?.getAttribute('src') ?? []);
  t.true(pictured.length >= 1 && pictured.length === report.pages - report.missingPages.length);
  t.regex(
    screens
      .find((c) => c.getAttribute('data-screen-key') === 'idp:login')
      ?.querySelector('.shot img')
      ?.getAttribute('src') ?? '',
    /^shots\/(wrong-password|otp-expired)\/\d\d-idp-login\.jpg$/,
  );

  // On disk: exactly the pictures the page shows, as JPEG, small.
  const files = (await readdir(join(out, 'shots'), { recursive: true, withFileTypes: true }))
    .filter((f) => f.isFile())
    .map((f) => join(f.parentPath, f.name));
  t.deepEqual(files.map((f) => f.slice(out.length + 1)).toSorted(), [...shown, ...pictured].toSorted());
  for (const file of files) {
    const bytes = await readFile(file);
    t.deepEqual([...bytes.subarray(0, 3)], [0xff, 0xd8, 0xff], `${file} is a JPEG`);
    t.true((await stat(file)).size < 200_000, `${file}: ${(await stat(file)).size} bytes`);
  }
  t.true(report.bytes < 1_200_000, `${report.bytes} bytes in all`);

  // «Воспроизвести»: a link per scenario to the live trainer, and a note that it needs the stand running.
  const replay = card('otp.expired')?.querySelector('[data-testid="replay-otp-expired"]');
  t.is(replay?.tagName, 'A');
  t.is(replay?.getAttribute('href'), 'https://localhost:3443/trainer/replay/otp-expired');
  t.true(page.querySelector('[data-testid="replay-note"]')?.textContent.includes('npm start'));
  t.truthy(
    card('account.locked')?.querySelector('[data-testid="replay-lockout-after-five-wrong-passwords"]'),
    'also where no picture was taken',
  );
});
