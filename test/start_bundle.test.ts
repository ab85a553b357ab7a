/*
 * What `npm start` really runs: the bundle (npm run build → build/start.js), not the .ts sources the
 * other tests run through tsx. A module that finds its files next to itself works from the sources and
 * breaks in the bundle, which lives in build/: only starting the bundle shows it.
 */
import test from 'ava';
import { execFileSync } from 'node:child_process';
import { freePort, freePortRange } from '../scenarios/runner/stand.ts';
import { startScript } from './helpers/start_script.ts';

test('the bundle npm start runs starts the emulator and both portals, and they answer', async (t) => {
  execFileSync('npm', ['run', 'build', '--silent'], { stdio: 'pipe' });
  const [idpPort, rpPort] = [await freePort(), await freePortRange(4)];
  const started = await startScript(t, [], { ESIA_PORT: String(idpPort), RP_PORT: String(rpPort) }, 90_000, [
    'build/start.js',
  ]);
  t.true(started.output().includes(`Emulator (OIDC issuer)   http://localhost:${idpPort}`), started.output());
  t.is((await fetch(`http://localhost:${idpPort}/__health/ready`)).status, 200);
  for (const [port, screen] of [
    [rpPort, 'rp-home'],
    [rpPort + 1, 'rp-home'],
  ] as const) {
    const page = await (await fetch(`http://localhost:${port}/`)).text();
    t.true(page.includes(`data-screen="${screen}"`), `:${port}\n${page.slice(0, 300)}`);
  }
});
