/*
 * Runs one scenario over HTTP against a stand: reset, arrange (persona, clock, faults) through the
 * control API, then the steps in a fresh browser, checking every expectation as it goes.
 */
import type { Face, Scenario } from '../schema.ts';
import { type Expectation, mismatches } from '../steps/expectation.ts';
import { kindOf, type Step } from '../steps/index.ts';
import type { App, Control, PerDriver, PersonaInfo, StepContext } from '../steps/kind.ts';
import type { ChromiumDriver } from './chromium_driver.ts';
import type { Driver, PageState } from './driver.ts';
import { EsiaSteps } from './esia_steps.ts';
import { HttpBrowser } from './http_browser.ts';
import { ScenarioError } from './scenario_error.ts';
import type { Stand } from './stand.ts';

export interface ScenarioResult {
  id: string;
  title: string;
  catalogue: string[];
  ok: boolean;
  durationMs: number;
  failure?: string;
  /** Screens passed through: url, status, screen, error code. */
  trail: PageState[];
}

/** The clock every scenario starts at unless it gives its own: runs are reproducible. */
export const defaultClock = '2026-11-25T09:00:00.000Z';

type Vars = Record<string, string>;

function substituteWith<T>(value: T, pattern: RegExp, replace: (name: string) => string): T {
  if (typeof value === 'string') return value.replace(pattern, (_m, key: string) => replace(key)) as T;
  if (Array.isArray(value)) return value.map((v) => substituteWith(v, pattern, replace)) as T;
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substituteWith(v, pattern, replace)])) as T;
  return value;
}

function substitute<T>(value: T, vars: Vars): T {
  if (typeof value === 'string') return value.replace(/\$persona\.(\w+)/g, (m, key: string) => vars[key] ?? m) as T;
  if (Array.isArray(value)) return value.map((v) => substitute(v, vars)) as T;
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substitute(v, vars)])) as T;
  return value;
}

/** A scenario's steps (or one) as the runner plays them: `$persona.snils` and the like replaced by the persona's values. */
export function withPersona<T>(value: T, persona: PersonaInfo): T {
  return substitute(value, persona as unknown as Vars);
}

class ScenarioRun implements StepContext {
  readonly relyingParties = ['rp', 'rp2'] as const;

  constructor(
    readonly stand: Stand,
    readonly control: Control,
    readonly rpControl: (app: 'rp' | 'rp2') => Control,
    readonly persona: PersonaInfo,
    readonly browser: Driver,
    /** The ФМРМ relying party of the face under test: OIDC, or ESIA's own protocol (v2 GOST, v1 PKCS#7). */
    readonly face: Face,
  ) {}

  get page(): PageState | null {
    return this.browser.current();
  }

  get rp(): string {
    const esia =
      this.face === 'esia-v2' ? this.stand.rpEsia : this.face === 'esia-v1' ? this.stand.rpEsia1 : this.stand.rp;
    if (!esia) throw new ScenarioError(`the stand has no relying party for face ${this.face}`);
    return esia;
  }

  readonly remembered = new Map<string, string>();

  recall<T>(value: T): T {
    return substituteWith(value, /\$remembered\.(\w+)/g, (name) => {
      const kept = this.remembered.get(name);
      if (kept === undefined) throw new ScenarioError(`$remembered.${name} is used before a remember step kept it`);
      return kept;
    });
  }

  readonly challenges: Array<{ uid: string; challenge: string }> = [];
  #esia: EsiaSteps | undefined;
  get esia(): EsiaSteps {
    return (this.#esia ??= new EsiaSteps(this.stand, this.browser));
  }

  base(app: App): string {
    return app === 'idp'
      ? this.stand.idp
      : app === 'rp'
        ? this.rp
        : app === 'sys'
          ? (this.stand.sink ?? '')
          : this.stand.rp2;
  }

  appOf(url: string): App | 'other' {
    const origin = new URL(url).origin;
    if (origin === new URL(this.stand.idp).origin) return 'idp';
    if (origin === new URL(this.rp).origin) return 'rp';
    if (this.stand.sink && origin === new URL(this.stand.sink).origin) return 'sys';
    if (origin === new URL(this.stand.rp2).origin) return 'rp2';
    return 'other';
  }

  requireScreen(screen: string, step: string): void {
    if (this.page?.screen !== screen) {
      throw new ScenarioError(
        `${step} needs the "${screen}" screen, but the page is "${this.page?.screen || 'none'}" (${this.page?.url ?? 'no page'})`,
      );
    }
  }

  perform<A>(ways: PerDriver<A>, action: A): Promise<void> {
    return this.browser.engine === 'http'
      ? ways.http(this.browser as HttpBrowser, action)
      : ways.browser(this.browser as ChromiumDriver, action);
  }

  async check(expect: Expectation, where: string): Promise<void> {
    const page = this.page;
    if (!page) throw new ScenarioError(`${where}: no page is open`);
    const text = expect.text?.length ? await this.browser.text() : '';
    const problems = mismatches(expect, page, this.appOf(page.url), text);
    if (problems.length) throw new ScenarioError(`${where}: ${problems.join('; ')} — at ${page.url}`);
  }

  async step(original: Step, where: string): Promise<void> {
    // A repeat's own steps are recalled when each of them plays.
    const step = original.do === 'repeat' ? original : this.recall(original);
    const kind = kindOf(step);
    await kind.run(this, step, where);
    if (kind.checksOwnExpect) return;
    if (this.page?.screen === 'certificate') {
      // Kept for steps that replay a challenge or sign another sign-in's.
      const uid = /\/interaction\/([\w-]+)/.exec(this.page.url)?.[1] ?? '';
      const challenge = await this.browser.attribute('esign-challenge', 'value');
      if (challenge && !this.challenges.some((c) => c.challenge === challenge))
        this.challenges.push({ uid, challenge });
    }
    if (step.expect) await this.check(step.expect, where);
  }
}

export interface RunOptions {
  /** Isolated run of the emulator (POST /__control/runs) to play in; the main run when absent. */
  run?: string;
  /** Which face the relying party ("rp") talks to: OIDC (default) or ESIA's own protocol. */
  face?: Face;
}

/**
 * Plays a scenario. With `run`, every control call and the browser (cookie esia_run) act on that
 * isolated run, so suites started at once against one emulator never meet.
 */
/** A failed result as a test message: the failure, then every screen passed through. */
export function describeFailure(result: ScenarioResult): string {
  return `${result.failure}\ntrail:\n${result.trail.map((p) => `  ${p.status} ${p.screen} ${p.error} ${p.url}`).join('\n')}`;
}

/** Whether a scenario signs with the plugin stand-in anywhere (also inside a repeat). */
function usesSignature(steps: Step[]): boolean {
  return steps.some((step) => step.do === 'esign' || (step.do === 'repeat' && usesSignature(step.steps)));
}

export async function runScenario(
  stand: Stand,
  scenario: Scenario,
  browser: Driver = new HttpBrowser(),
  options: RunOptions = {},
): Promise<ScenarioResult> {
  const started = performance.now();
  const control: Control = (method, path, body) =>
    stand.control(method, options.run ? `${path}${path.includes('?') ? '&' : '?'}run=${options.run}` : path, body);
  // The scenario's relying parties: the ФМРМ of the face under test and НМО (ScenarioRun.base).
  const rpBase = (app: 'rp' | 'rp2') =>
    app === 'rp2'
      ? stand.rp2
      : options.face === 'esia-v2'
        ? (stand.rpEsia ?? stand.rp)
        : options.face === 'esia-v1'
          ? (stand.rpEsia1 ?? stand.rp)
          : stand.rp;
  const rpControl =
    (app: 'rp' | 'rp2'): Control =>
    (method, path, body) =>
      stand.controlAt(rpBase(app))(
        method,
        options.run ? `${path}${path.includes('?') ? '&' : '?'}run=${options.run}` : path,
        body,
      );
  let run: ScenarioRun | undefined;
  try {
    if (options.run) await browser.setCookie(stand.idp, 'esia_run', options.run);
    // E-mail an earlier scenario of this run left queued is delivered before the inbox is emptied, never into this one's.
    for (const app of ['rp', 'rp2'] as const) await rpControl(app)('POST', '/mail/settled');
    await control('POST', '/reset');
    let clock = scenario.given.clock ?? defaultClock;
    if (clock === 'pki') {
      // Certificates are valid relative to the PKI's generation instant: start an hour after it.
      const { pkiGeneratedAt } = await control<{ pkiGeneratedAt: string }>('GET', '/esign');
      clock = new Date(Date.parse(pkiGeneratedAt) + 3600_000).toISOString();
    }
    await control('POST', '/clock', { set: clock, freeze: true });
    // The relying parties' data and clocks belong to the run too: fresh, seeded at the scenario's instant.
    for (const app of ['rp', 'rp2'] as const) await rpControl(app)('POST', '/reset', { clock, freeze: true });
    for (const fault of scenario.given.faults ?? []) await control('POST', '/faults', fault);
    if (scenario.given.tls) {
      if (!stand.idp.startsWith('https:'))
        throw new ScenarioError(
          `given.tls needs an HTTPS stand (startStand({ https: true }), or StandPool); ${stand.idp} speaks HTTP`,
        );
      await stand.control('POST', '/tls', { certificate: scenario.given.tls });
    } else if (stand.idp.startsWith('https:')) {
      await stand.control('POST', '/tls', { certificate: 'valid' });
    }
    const personas = await control<PersonaInfo[]>('GET', '/personas');
    const persona = personas.find((p) => p.persona === scenario.given.persona);
    if (!persona)
      throw new ScenarioError(
        `given.persona "${scenario.given.persona}" is not a persona; known: ${personas.map((p) => p.persona).join(', ')}`,
      );
    // The browser is the persona's computer: the plugin stand-in there offers that person's token (idp/esign/run_state.ts).
    if (usesSignature(scenario.steps)) {
      const token = await control<{ id: string }>('GET', `/personas/${persona.persona}/token`);
      await browser.setCookie(stand.idp, 'esia_token', token.id);
    }
    run = new ScenarioRun(stand, control, rpControl, persona, browser, options.face ?? 'oidc');
    const steps = withPersona(scenario.steps, persona);
    for (const [i, step] of steps.entries()) await run.step(step, `step ${i + 1} (${step.do})`);
    await run.check(scenario.expect, 'final expectation');
    return {
      id: scenario.id,
      title: scenario.title,
      catalogue: scenario.catalogue,
      ok: true,
      durationMs: performance.now() - started,
      trail: [...browser.history],
    };
  } catch (error) {
    return {
      id: scenario.id,
      title: scenario.title,
      catalogue: scenario.catalogue,
      ok: false,
      durationMs: performance.now() - started,
      failure: error instanceof ScenarioError ? error.message : ((error as Error).stack ?? String(error)),
      trail: [...browser.history],
    };
  }
}
