/*
 * The scenario format: one JSON file per scenario in scenarios/catalogue/, file name = id. A
 * scenario names the catalogue IDs it covers, what is given (persona, clock, faults), typed steps
 * (one module each in steps/), and what the user finally sees. One zod definition gives the
 * TypeScript types, validateScenario() (which names the file, the step and the field that is
 * wrong) and scenarios/schema.json for editors (`npm run docs` writes it).
 */
import { z } from 'zod';
import { type FaultKind, faultKinds } from '../idp/adapters/faults.ts';
import { type Expectation, expectation, objectErrors } from './steps/expectation.ts';
import { type Step, stepSchema } from './steps/index.ts';

export type { App, Expectation } from './steps/expectation.ts';
export type { Step } from './steps/index.ts';
export { type EsiaRequestStep, esiaTampers } from './steps/esia_request.ts';

/** How the ФМРМ relying party ("rp") talks to the emulator: OIDC, or ESIA's own protocol (v2 GOST, v1 PKCS#7). */
export const faces = ['oidc', 'esia-v2', 'esia-v1'] as const;
export type Face = (typeof faces)[number];

/** Server certificates the HTTPS stand can serve (TLS faults). */
export const tlsCertificates = ['valid', 'expired', 'revoked', 'wrong-host', 'untrusted'] as const;

const clockError = 'expected an ISO instant such as "2026-11-25T09:00:00Z", or "pki"';

const scenarioFields = {
  $schema: z.string().optional().describe('Where an editor finds this schema: "../schema.json".'),
  id: z.string().describe('The file name without .json.'),
  title: z.string({ error: 'expected a Russian title' }).min(1, { error: 'expected a Russian title' }),
  catalogue: z
    .array(z.string().regex(/^[A-G]\d+$/, { error: 'expected catalogue IDs such as ["C2", "F4"]' }), {
      error: 'expected catalogue IDs such as ["C2", "F4"]',
    })
    .describe('Catalogue IDs of the source document (A1…G8) this scenario covers; [] only with "protocol": true.'),
  protocol: z
    .literal(true, { error: 'expected true, with "catalogue": [] (a protocol check no case covers)' })
    .optional()
    .describe(
      'A check of the protocol (OIDC, ESIA, HTTP) that no case of the source document covers: its catalogue is empty.',
    ),
  summary: z.string().optional().describe('Why the scenario exists, for the gallery and reports.'),
  faces: z
    .array(z.enum(faces), { error: `expected a non-empty array of ${faces.join(', ')}` })
    .min(1, { error: `expected a non-empty array of ${faces.join(', ')}` })
    .optional()
    .describe(
      'Faces the scenario is meaningful through; by default every scenario plays through OIDC, and through ESIA when it signs in to ФМРМ only.',
    ),
  given: z.strictObject(
    {
      persona: z
        .string({ error: 'expected a persona key, e.g. "ivanov"' })
        .describe('Persona key from config/personas.json; `$persona.*` placeholders in steps refer to it.'),
      clock: z
        .union([z.literal('pki'), z.iso.datetime({ offset: true, error: clockError })], { error: clockError })
        .optional()
        .describe(
          'The emulator\'s clock at the start (frozen), ISO instant; "pki" = an hour after the test PKI was generated, so certificate validity is the same on every machine.',
        ),
      faults: z
        .array(
          z.strictObject({
            kind: z.enum(faultKinds as [FaultKind, ...FaultKind[]], {
              error: `expected one of ${faultKinds.join(', ')}`,
            }),
            count: z
              .int({ error: 'expected a whole number ≥ 1' })
              .min(1, { error: 'expected a whole number ≥ 1' })
              .optional()
              .describe('How many times the fault strikes (default 1).'),
            seconds: z
              .number({ error: 'expected seconds' })
              .optional()
              .describe('sms.delay: how late the SMS arrives (default 120).'),
          }),
        )
        .optional()
        .describe('Faults armed before the first step.'),
      tls: z
        .enum(tlsCertificates, { error: `expected one of ${tlsCertificates.join(', ')}` })
        .optional()
        .describe('TLS faults: the scenario runs on an HTTPS stand whose emulator serves this server certificate.'),
    },
    { error: objectErrors(() => ['persona', 'clock', 'faults', 'tls'], 'expected an object with "persona"') },
  ),
  steps: z
    .array(stepSchema, { error: 'expected a non-empty array of steps' })
    .min(1, { error: 'expected a non-empty array of steps' }),
  expect: expectation.describe('What the user sees at the end.'),
};

export const scenarioSchema = z
  .strictObject(scenarioFields, { error: objectErrors(() => Object.keys(scenarioFields), 'expected a JSON object') })
  .meta({
    title: 'esia-emulator scenario',
    description: 'One scenario of scenarios/catalogue: what is given, the steps, what the user sees at the end.',
  });

export type Scenario = z.infer<typeof scenarioSchema>;

/** A zod path as the file's reader sees it: steps[2].expect.text. */
function pathText(path: ReadonlyArray<PropertyKey>): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`)).join('');
}

export function validateScenario(value: unknown, fileId: string): Scenario {
  const where = `scenarios/catalogue/${fileId}.json`;
  const parsed = scenarioSchema.safeParse(value);
  if (!parsed.success) {
    const lines = parsed.error.issues.map(
      (issue) => `${where}${issue.path.length ? ` ${pathText(issue.path)}` : ''}: ${issue.message}`,
    );
    throw new Error(lines.join('\n'));
  }
  if (parsed.data.id !== fileId)
    throw new Error(`${where} id: must equal the file name "${fileId}", got ${JSON.stringify(parsed.data.id)}`);
  const { catalogue, protocol } = parsed.data;
  if (protocol && catalogue.length > 0)
    throw new Error(`${where} protocol: expected true, with "catalogue": [] (a protocol check no case covers)`);
  if (!protocol && catalogue.length === 0)
    throw new Error(`${where} catalogue: expected catalogue IDs such as ["C2", "F4"], or [] with "protocol": true`);
  return parsed.data;
}

/** The case IDs a scenario covers, for titles and reports: «protocol» for a protocol check no case covers (its list is empty). */
export function casesLabel(scenario: { catalogue: readonly string[] }, separator = ', '): string {
  return scenario.catalogue.length ? scenario.catalogue.join(separator) : 'protocol';
}

/** The JSON Schema of a scenario file, for editors (scenarios/schema.json). */
export function scenarioJsonSchema(): string {
  return `${JSON.stringify(z.toJSONSchema(scenarioSchema, { target: 'draft-7' }), null, 2)}\n`;
}

/**
 * Whether a scenario can be played with the ФМРМ relying party on `face`. Every scenario plays
 * through OIDC; through the ESIA face, those that sign in to ФМРМ ("rp") and use no second OIDC
 * portal ("rp2"), unless the file lists its faces. ESIA-face scenarios (esia-*) drive the
 * protocol themselves and play once, as OIDC.
 */
export function playsThrough(scenario: Scenario, face: Face): boolean {
  if (scenario.faces) return scenario.faces.includes(face);
  if (face === 'oidc') return true;
  const steps = JSON.stringify(scenario.steps);
  return !scenario.id.startsWith('esia-') && steps.includes('"rp"') && !steps.includes('"rp2"');
}

/** Every expectation of a scenario with the step it belongs to (inside repeats too), in order; the final one has no step. */
export function expectationsWithSteps(scenario: Scenario): Array<{ step?: Step; expect: Expectation }> {
  const out: Array<{ step?: Step; expect: Expectation }> = [];
  const visit = (steps: Step[]) => {
    for (const step of steps) {
      if (step.expect) out.push({ step, expect: step.expect });
      if (step.do === 'repeat') visit(step.steps);
    }
  };
  visit(scenario.steps);
  out.push({ expect: scenario.expect });
  return out;
}

/** Every expectation of a scenario: its steps' (inside repeats too), in order, then the final one. */
export function expectations(scenario: Scenario): Expectation[] {
  return expectationsWithSteps(scenario).map((e) => e.expect);
}

/** Every error code a scenario expects to see, at any step or at the end. */
export function expectedErrors(scenario: Scenario): string[] {
  const codes = expectations(scenario).flatMap((e) => (e.error && e.error !== 'none' ? [e.error] : []));
  return [...new Set(codes)];
}
