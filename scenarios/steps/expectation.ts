/* What a step or a scenario expects of the page it ends on, and the check of it. */
import { z } from 'zod';
import type { PageState } from '../runner/driver.ts';

/** idp: the emulator; rp, rp2: relying parties; sys: the redirect_uri of an ESIA protocol test system. */
export const apps = ['idp', 'rp', 'rp2', 'sys'] as const;
export type App = (typeof apps)[number];
export const app = z.enum(apps, { error: `expected one of ${apps.join(', ')}` });

/**
 * The error map of a strict object: an unknown field is named with the allowed ones (a typo is
 * caught), and `notAnObject` is said when the value is no object at all.
 */
export function objectErrors(allowed: () => string[], notAnObject?: string) {
  return (issue: { code: string; keys?: string[] }): string | undefined => {
    if (issue.code === 'unrecognized_keys')
      return `unknown field ${(issue.keys ?? []).map((k) => `"${k}"`).join(', ')}; allowed: ${allowed().join(', ')}`;
    return issue.code === 'invalid_type' ? notAnObject : undefined;
  };
}

export const expectation = z
  .strictObject(
    {
      app: app
        .optional()
        .describe("Which application's page: the emulator (idp) or a relying party (rp, rp2), or a test system (sys)."),
      screen: z.string().optional().describe('body[data-screen] of the page.'),
      error: z.string().optional().describe('body[data-error-code] of the page; "none" asserts there is none.'),
      text: z
        .array(z.string(), { error: 'expected an array of strings' })
        .optional()
        .describe('Texts that must appear on the page.'),
      status: z.int({ error: 'expected an HTTP status, e.g. 400' }).optional().describe('HTTP status of the page.'),
    },
    {
      error: objectErrors(
        () => ['app', 'screen', 'error', 'text', 'status'],
        'expected an object like {"screen": "error", "error": "account.locked"}',
      ),
    },
  )
  .meta({ id: 'Expectation', description: 'What the user sees: the screen, the error code, texts, the status.' });

export type Expectation = z.infer<typeof expectation>;

/** What differs between the page and the expectation, one phrase each; empty when it matches. */
export function mismatches(expect: Expectation, page: PageState, app: string, text: string): string[] {
  const problems: string[] = [];
  if (expect.app && app !== expect.app) problems.push(`app ${app} ≠ expected ${expect.app}`);
  if (expect.screen && page.screen !== expect.screen)
    problems.push(`screen "${page.screen}" ≠ expected "${expect.screen}"`);
  if (expect.error === 'none' && page.error) problems.push(`unexpected error "${page.error}"`);
  else if (expect.error && expect.error !== 'none' && page.error !== expect.error)
    problems.push(`error "${page.error || 'none'}" ≠ expected "${expect.error}"`);
  if (expect.status && page.status !== expect.status)
    problems.push(`status ${page.status} ≠ expected ${expect.status}`);
  for (const t of expect.text ?? []) if (!text.includes(t)) problems.push(`text «${t}» not on the page`);
  return problems;
}
