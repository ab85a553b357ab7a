/*
 * `npm run scenarios`: runs every scenario over HTTP against a stand started in this process and
 * prints a table; exits 1 when any fails.
 *   --only ID[,ID]   run these scenarios (ids or catalogue IDs such as C2)
 *   --junit FILE     also write JUnit XML
 *   --list [--json]  list scenarios without running them: [{id, title, catalogue}]
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { loadScenarios } from './load.ts';
import { junitXml } from './runner/junit.ts';
import { runScenario, type ScenarioResult } from './runner/run.ts';
import { startStand } from './runner/stand.ts';

function option(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main(): Promise<number> {
  const all = await loadScenarios();
  const only = option('--only')?.split(',').map((s) => s.trim()).filter(Boolean);
  const chosen = only ? all.filter((s) => only.includes(s.id) || s.catalogue.some((c) => only.includes(c))) : all;
  if (only && chosen.length === 0) {
    console.error(`No scenario matches --only ${only.join(',')}. Run with --list to see them.`);
    return 2;
  }
  if (process.argv.includes('--list')) {
    const list = chosen.map((s) => ({ id: s.id, title: s.title, catalogue: s.catalogue }));
    if (process.argv.includes('--json')) console.log(JSON.stringify(list, null, 2));
    else for (const s of list) console.log(`${s.id.padEnd(44)} ${s.catalogue.join(',').padEnd(12)} ${s.title}`);
    return 0;
  }

  const started = performance.now();
  const stand = await startStand();
  const results: ScenarioResult[] = [];
  try {
    for (const scenario of chosen) {
      const result = await runScenario(stand, scenario);
      results.push(result);
      const mark = result.ok ? 'ok  ' : 'FAIL';
      console.log(`${mark} ${result.id.padEnd(44)} ${result.catalogue.join(',').padEnd(12)} ${result.durationMs.toFixed(0).padStart(5)} ms`);
      if (!result.ok) console.log(`     ${result.failure}`);
    }
  } finally {
    await stand.close();
  }
  const elapsed = performance.now() - started;
  const failed = results.filter((r) => !r.ok).length;
  const junit = option('--junit');
  if (junit) {
    await mkdir(dirname(junit), { recursive: true });
    await writeFile(junit, junitXml(results, 'esia-emulator scenarios (http)', elapsed));
  }
  console.log(`\n${results.length - failed} passed, ${failed} failed`);
  console.log(`scenarios: ${results.length} in ${(elapsed / 1000).toFixed(2)} s${junit ? `, JUnit: ${junit}` : ''}`);
  return failed ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: Error) => {
    console.error(error.message);
    process.exit(2);
  },
);
