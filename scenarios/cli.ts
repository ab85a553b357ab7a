/*
 * `npm run scenarios`: runs every scenario over HTTP against a stand started in this process and
 * prints a table; exits 1 when any fails, 2 on a wrong option (`--help` lists them).
 */ import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { loadScenarios } from './load.ts';
import type { Browser } from 'playwright-core';
import type { Driver } from './runner/driver.ts';
import { HttpBrowser } from './runner/http_browser.ts';
import { junitXml } from './runner/junit.ts';
import { runScenario, type ScenarioResult } from './runner/run.ts';
import { casesLabel, type Face, faces, playsThrough, type Scenario } from './schema.ts';
import { newRun, StandPool, startStand } from './runner/stand.ts';
import { startRedis } from './runner/redis_server.ts';
import { parseCli } from '../lib/cli.ts';

const { values: args } = parseCli({
  command: 'npm run scenarios --',
  summary:
    'Plays the scenarios (scenarios/catalogue/*.json) against a stand started in this process and prints a table; exit code 1 when any fails.',
  options: {
    only: { type: 'string', value: 'ID[,ID]', help: 'run these scenarios (ids or catalogue IDs such as C2)' },
    junit: { type: 'string', value: 'FILE', help: 'also write JUnit XML' },
    list: { type: 'boolean', help: 'list the scenarios without running them' },
    json: { type: 'boolean', help: 'with --list: as JSON, [{id, title, catalogue}]' },
    face: {
      type: 'string',
      value: 'F',
      help: `the ФМРМ relying party speaks oidc (default), esia-v2 or esia-v1 to the emulator; only the scenarios meaningful through that face run`,
    },
    lanes: {
      type: 'string',
      value: 'N',
      help: 'scenarios played at once, each lane in an isolated run of the one stand (default 4 over HTTP, 1 in the browser); TLS-fault scenarios share one lane',
    },
    browser: {
      type: 'boolean',
      help: 'run them in the system Chromium instead (one browser, one context per scenario)',
    },
    headed: { type: 'boolean', help: "show that browser's window (needs a display)" },
    store: {
      type: 'string',
      value: 'S',
      help: 'lowdb (default: the emulator in this process), or redis: two emulator processes behind a round-robin proxy on a redis-server started for the run (or redis://… for one already running); also ESIA_SCENARIO_STORE',
    },
    screenshots: {
      type: 'string',
      value: 'DIR',
      help: 'where the browser keeps a PNG of every page (default out/screenshots)',
    },
  },
});

async function main(): Promise<number> {
  const face = (args.face ?? 'oidc') as Face;
  if (!faces.includes(face)) {
    console.error(`--face ${face}: expected one of ${faces.join(', ')}.`);
    return 2;
  }
  const all = (await loadScenarios()).filter((s) => playsThrough(s, face));
  const only = args.only
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const chosen = only ? all.filter((s) => only.includes(s.id) || s.catalogue.some((c) => only.includes(c))) : all;
  if (only && chosen.length === 0) {
    console.error(
      `No scenario matches --only ${only.join(',')}${face === 'oidc' ? '' : ` through face ${face}`}. Run with --list to see them.`,
    );
    return 2;
  }
  if (args.list) {
    const list = chosen.map((s) => ({ id: s.id, title: s.title, catalogue: s.catalogue }));
    if (args.json) console.log(JSON.stringify(list, null, 2));
    else for (const s of list) console.log(`${s.id.padEnd(44)} ${casesLabel(s, ',').padEnd(12)} ${s.title}`);
    return 0;
  }

  const store = args.store ?? process.env.ESIA_SCENARIO_STORE ?? 'lowdb';
  if (store !== 'lowdb' && store !== 'redis' && !store.startsWith('redis://')) {
    console.error(`--store ${store}: expected lowdb, redis or a redis:// URL.`);
    return 2;
  }
  const inBrowser = Boolean(args.browser);
  const headed = Boolean(args.headed);
  const mode = `${inBrowser ? 'browser' : 'http'}${face === 'oidc' ? '' : `, ${face}`}${store === 'lowdb' ? '' : ', two processes on Redis'}`;
  if ((headed || args.screenshots) && !inBrowser) {
    console.error('--headed and --screenshots need --browser.');
    return 2;
  }
  if (headed && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) {
    console.error(
      '--headed needs a display, and this session has none (DISPLAY is not set). Run headless (without --headed), or under a desktop or xvfb-run.',
    );
    return 2;
  }
  const screenshots = inBrowser ? (args.screenshots ?? join('out', 'screenshots')) : undefined;

  const lanes = Number(args.lanes ?? (inBrowser ? 1 : 4));
  if (!Number.isInteger(lanes) || lanes < 1 || lanes > 32) {
    console.error(`--lanes ${args.lanes}: expected a whole number from 1 to 32.`);
    return 2;
  }

  const started = performance.now();
  // On Redis: a private redis-server for the run (unless a URL is given), two emulator processes behind the proxy.
  const redis = store === 'redis' ? await startRedis({ appendfsync: 'always' }) : undefined;
  const stand = await startStand(
    {},
    undefined,
    store === 'lowdb' ? undefined : { store: redis?.url ?? store, count: 2 },
  ).catch(async (error: unknown) => {
    await redis?.stop();
    throw error;
  });
  // Scenarios with given.tls (TLS faults) run on an HTTPS stand, started when the first one needs it;
  // they switch its one listener's certificate, so they play one after another in a lane of their own.
  const pool = new StandPool(stand);
  const byIndex = new Map<Scenario, number>(chosen.map((s, i) => [s, i]));
  const results: ScenarioResult[] = [];
  let browser: Browser | undefined;
  try {
    // Loaded only in browser mode: the HTTP run needs no Playwright.
    const chromium = inBrowser ? await import('./runner/chromium_driver.ts') : undefined;
    if (chromium) browser = await chromium.launchChromium({ headed });
    const play = async (queue: Scenario[], run?: string) => {
      for (let scenario = queue.shift(); scenario; scenario = queue.shift()) {
        const target = scenario.given.tls ? (await pool.for(scenario)).stand : stand;
        const apps = chromium?.standApps(target);
        const driver: Driver =
          chromium && browser
            ? new chromium.ChromiumDriver(browser, { screenshotsDir: screenshots, name: scenario.id, apps })
            : new HttpBrowser();
        const result = await runScenario(target, scenario, driver, {
          face,
          ...(run && !scenario.given.tls ? { run } : {}),
        }).finally(() => driver.close());
        results[byIndex.get(scenario) ?? results.length] = result;
        const mark = result.ok ? 'ok  ' : 'FAIL';
        console.log(
          `${mark} ${result.id.padEnd(44)} ${casesLabel(result, ',').padEnd(12)} ${result.durationMs.toFixed(0).padStart(5)} ms`,
        );
        if (!result.ok) console.log(`     ${result.failure}`);
      }
    };
    const tls = chosen.filter((s) => s.given.tls);
    const plain = chosen.filter((s) => !s.given.tls);
    if (lanes === 1) await play([...chosen]);
    else {
      // Each lane plays in an isolated run (own personas, clock, inbox, faults): lanes never meet.
      const runs = await Promise.all(
        Array.from({ length: Math.min(lanes, Math.max(plain.length, 1)) }, () => newRun(stand)),
      );
      await Promise.all([play(tls), ...runs.map((r) => play(plain, r.run))]);
      await Promise.all(runs.map((r) => r.end()));
    }
  } finally {
    await browser?.close();
    await pool.close();
    await redis?.stop();
  }
  const elapsed = performance.now() - started;
  const failed = results.filter((r) => !r.ok).length;
  const junit = args.junit;
  if (junit) {
    await mkdir(dirname(junit), { recursive: true });
    await writeFile(junit, junitXml(results, `esia-emulator scenarios (${mode})`, elapsed));
  }
  console.log(`\n${results.length - failed} passed, ${failed} failed`);
  console.log(
    `scenarios: ${results.length} in ${(elapsed / 1000).toFixed(2)} s${lanes > 1 ? ` (${lanes} lanes)` : ''}${stand.processes ? `, ${stand.processes.processes.length} emulator processes on ${store} behind a round-robin proxy (requests per process: ${stand.processes.roundRobin?.served.join(' / ')})` : ''}${inBrowser ? ' in Chromium' : ''}${junit ? `, JUnit: ${junit}` : ''}${screenshots ? `, screenshots: ${screenshots}` : ''}`,
  );
  return failed ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: Error) => {
    console.error(error.message);
    process.exit(2);
  },
);
