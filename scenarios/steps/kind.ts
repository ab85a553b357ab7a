/*
 * What one step kind is: its fields (a zod shape: the TypeScript type, the runtime check and the
 * JSON Schema at once), what the step does in a run, and how a trainer does it by hand, in Russian.
 * Every kind is one file next to this one, listed once in index.ts.
 */
import { z } from 'zod';
import type { ChromiumDriver } from '../runner/chromium_driver.ts';
import type { Driver, PageState } from '../runner/driver.ts';
import type { EsiaSteps } from '../runner/esia_steps.ts';
import type { HttpBrowser } from '../runner/http_browser.ts';
import type { Stand } from '../runner/stand.ts';
import { type App, type Expectation, expectation, objectErrors } from './expectation.ts';

export { type App, app, apps } from './expectation.ts';

/** Field names to typed values, e.g. {"identifier": "$persona.email"}. */
export const textFields = z.record(z.string(), z.string(), {
  error: 'expected an object of field names to strings, e.g. {"identifier": "$persona.email"}',
});

export type Control = <T = unknown>(method: string, path: string, body?: unknown) => Promise<T>;

export interface PersonaInfo {
  persona: string;
  phone: string;
  email: string;
  snils: string;
  inn: string;
  password: string;
}

/**
 * What each driver does for a step whose two ways differ: over HTTP the step makes by hand the calls
 * the page's script would make; in Chromium it acts on the real page.
 */
export interface PerDriver<A> {
  http(driver: HttpBrowser, action: A): Promise<void>;
  browser(driver: ChromiumDriver, action: A): Promise<void>;
}

/** What a step can use while a scenario plays: the stand, its control API, the persona, the browser. */
export interface StepContext {
  readonly stand: Stand;
  /** The control API of the run being played. */
  readonly control: Control;
  /** The control API of a relying party (rp, rp2) for the run being played. */
  rpControl(app: 'rp' | 'rp2'): Control;
  /** The relying parties whose clock and data follow the run's (the stand's ФМРМ and НМО). */
  readonly relyingParties: ReadonlyArray<'rp' | 'rp2'>;
  readonly persona: PersonaInfo;
  readonly browser: Driver;
  /** The page on screen now. */
  readonly page: PageState | null;
  /** Values kept by `remember` steps, for `$remembered.<name>` in later steps. */
  readonly remembered: Map<string, string>;
  /** Challenges the certificate screens showed, by sign-in (for replay and another sign-in's challenge). */
  readonly challenges: Array<{ uid: string; challenge: string }>;
  /** The protocol steps of the ESIA face (a test system's signer, its refresh token). */
  readonly esia: EsiaSteps;
  /** The base URL of an application of the stand (rp: the ФМРМ of the face under test). */
  base(app: App): string;
  /** Fails unless the page shows this screen. */
  requireScreen(screen: string, where: string): void;
  /** Does the action the way of the driver playing the scenario. */
  perform<A>(ways: PerDriver<A>, action: A): Promise<void>;
  /** Plays another step (the steps of a repeat; any kind of the registry, which this module does not import). */
  step(step: { do: string }, where: string): Promise<void>;
}

/** Words the describing side may know better than the steps: the trainer names screens and errors in Russian. */
export interface Wording {
  /** What the page shows when the expectation holds, e.g. «экран „Вход“, ошибка …». */
  outcome(expect: Expectation): string;
}

/** One step kind as index.ts lists it. */
export interface StepKind<K extends string = string, T extends { do: K } = { do: K }> {
  kind: K;
  /** What the step does, in English for the README and the editor's hover (schema.json). */
  description: string;
  /** A strict object schema: unknown fields are errors, so a typo is caught. */
  schema: z.ZodType<T> & z.core.$ZodTypeDiscriminable;
  /** The step as an instruction a trainer can follow by hand, in Russian. */
  describeRu(step: T, wording: Wording): string;
  /**
   * For a step the stand does rather than the browser (the clock, the control API): the label of the
   * trainer's «Выполнить» button on the run page, in Russian (the run page performs the step).
   */
  controlRu?(step: T): string;
  /** Plays the step; `where` names it in failures ("step 3 (signIn)"). */
  run(ctx: StepContext, step: T, where: string): Promise<void>;
  /** The step checks its own `expect` (an answer to a server-to-server call, not the page). */
  checksOwnExpect?: true;
}

type Shape = Record<string, z.ZodType>;
type Fields<K extends string, S extends Shape> = { do: K } & z.infer<z.ZodObject<S>> & {
    expect?: Expectation | undefined;
  };

/**
 * A step kind from its fields: adds `do` and the optional `expect` every step has, forbids unknown
 * fields (naming the allowed ones), and adds `rule`, a check across fields with its own message.
 */
export function defineStep<K extends string, S extends Shape>(definition: {
  kind: K;
  description: string;
  fields: S;
  /** A check across fields: the message when the step breaks it, or undefined. */
  rule?: (step: Fields<K, S>) => string | undefined;
  describeRu(step: Fields<K, S>, wording: Wording): string;
  controlRu?(step: Fields<K, S>): string;
  run(ctx: StepContext, step: Fields<K, S>, where: string): Promise<void>;
  checksOwnExpect?: true;
}): StepKind<K, Fields<K, S>> {
  const { kind, description, fields, rule, ...behaviour } = definition;
  // Copied by descriptor: a getter (a field that holds steps) must stay lazy. A kind may make
  // `expect` required by listing it.
  const descriptors: PropertyDescriptorMap = Object.getOwnPropertyDescriptors(fields);
  descriptors.expect ??= { value: expectation.optional(), enumerable: true };
  const shape = Object.defineProperties({ do: z.literal(kind) }, descriptors);
  const allowed = Object.keys(shape);
  let schema = z.strictObject(shape, { error: objectErrors(() => allowed) }).describe(description);
  if (rule)
    schema = schema.check((ctx) => {
      const message = rule(ctx.value as Fields<K, S>);
      if (message) ctx.issues.push({ code: 'custom', message, input: ctx.value });
    });
  return { kind, description, schema: schema as unknown as StepKind<K, Fields<K, S>>['schema'], ...behaviour };
}
