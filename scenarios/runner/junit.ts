/* JUnit XML for CI dashboards: one testcase per scenario, its catalogue IDs and trail in the output. */
import type { ScenarioResult } from './run.ts';
import { casesLabel } from '../schema.ts';

const xml = (text: string) => text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function junitXml(results: ScenarioResult[], suiteName: string, durationMs: number): string {
  const failures = results.filter((r) => !r.ok).length;
  const cases = results.map((r) => {
    const trail = r.trail.map((t) => `${t.status} ${t.screen || '-'} ${t.error || ''} ${t.url}`).join('\n');
    const body = r.ok
      ? ''
      : `<failure message="${xml(r.failure?.split('\n')[0] ?? 'failed')}">${xml(r.failure ?? '')}</failure>`;
    return `  <testcase classname="${xml(suiteName)}" name="${xml(`${r.id}: ${r.title} [${casesLabel(r)}]`)}" time="${(r.durationMs / 1000).toFixed(3)}">${body}<system-out>${xml(trail)}</system-out></testcase>`;
  });
  return `<?xml version="1.0" encoding="UTF-8"?>
<testsuites tests="${results.length}" failures="${failures}" time="${(durationMs / 1000).toFixed(3)}">
 <testsuite name="${xml(suiteName)}" tests="${results.length}" failures="${failures}" errors="0" skipped="0" time="${(durationMs / 1000).toFixed(3)}">
${cases.join('\n')}
 </testsuite>
</testsuites>
`;
}
