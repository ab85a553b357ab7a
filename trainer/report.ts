/*
 * `npm run gallery`: the static trainer gallery (trainer/write_gallery.ts) into out/gallery/.
 * Arguments: --help shows them; an unknown or malformed one stops with exit code 2.
 */
import { resolve } from 'node:path';
import { type CliOption, type CliSpec, CliUsageError, parseCliArgs, usage } from '../lib/cli.ts';

const defaults = { out: 'out/gallery', lanes: 3, quality: 70, liveUrl: 'http://localhost:3000' };

const spec = {
  command: 'npm run gallery --',
  summary:
    "Plays the scenarios that show the trainer gallery's error screens in Chromium, several at once, and writes a static gallery that opens without a server: <out>/index.html and <out>/shots/*.jpg.",
  options: {
    out: { type: 'string', value: 'DIR', help: `where to write it (default ${defaults.out})` },
    only: {
      type: 'string',
      value: 'ID[,ID]',
      help: 'only these scenarios (ids or catalogue IDs such as C2); every screen is still listed',
    },
    lanes: {
      type: 'string',
      value: 'N',
      help: `scenarios played at once, each in an isolated run (default ${defaults.lanes}, 1–8)`,
    },
    quality: {
      type: 'string',
      value: 'N',
      help: `JPEG quality of the screenshots (default ${defaults.quality}, 1–100)`,
    },
    'live-url': {
      type: 'string',
      value: 'URL',
      help: `the emulator the «Воспроизвести» links open (default $GALLERY_LIVE_URL or ${defaults.liveUrl})`,
    },
  },
} satisfies CliSpec<Record<string, CliOption>>;

const UsageError = CliUsageError;

function whole(name: string, value: string | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new UsageError(`--${name} ${value}: expected a whole number from ${min} to ${max}.`);
  return n;
}

function liveUrl(value: string): string {
  const url = URL.canParse(value) ? new URL(value) : undefined;
  if (!url || !['http:', 'https:'].includes(url.protocol) || url.pathname !== '/' || url.search || url.hash) {
    throw new UsageError(
      `--live-url ${value}: expected the emulator's origin, such as ${defaults.liveUrl} or https://localhost:3000.`,
    );
  }
  return url.origin;
}

async function main(argv: string[]): Promise<number> {
  const args = parseCliArgs(spec, argv).values;
  if (args.help) {
    console.log(usage(spec));
    return 0;
  }
  const only = args.only
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const options = {
    out: resolve(args.out ?? defaults.out),
    ...(only ? { only } : {}),
    lanes: whole('lanes', args.lanes, defaults.lanes, 1, 8),
    quality: whole('quality', args.quality, defaults.quality, 1, 100),
    liveUrl: liveUrl(args['live-url'] ?? process.env.GALLERY_LIVE_URL ?? defaults.liveUrl),
    log: (line: string) => console.log(line),
  };
  const started = performance.now();
  const cpu = process.cpuUsage();
  // Loaded only now: --help and a wrong argument answer without loading the stand.
  const { writeGallery } = await import('./write_gallery.ts');
  const report = await writeGallery(options);
  const used = process.cpuUsage(cpu);
  console.log(
    `\nGallery: ${report.index} — ${report.screens} error screens, ${report.screens - report.missing.length} with screenshots; ${report.pages} screens without an error, ${report.pages - report.missingPages.length} with screenshots; ${report.played} scenarios played, ` +
      `${(report.bytes / 1e6).toFixed(1)} MB, in ${((performance.now() - started) / 1000).toFixed(1)} s (CPU of this process ${((used.user + used.system) / 1e6).toFixed(1)} s, without Chromium's)`,
  );
  if (report.missing.length)
    console.log(`No screenshot (no browser scenario shows them): ${report.missing.join(', ')}`);
  if (report.missingPages.length) console.log(`No screenshot of these screens: ${report.missingPages.join(', ')}`);
  for (const f of report.failures) console.error(`FAIL ${f}`);
  return report.failures.length ? 1 : 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: Error) => {
    console.error(
      error instanceof UsageError
        ? `${error.message}\n${usage(spec).split('\n')[0]}   (--help for details)`
        : error.message,
    );
    process.exit(2);
  },
);
