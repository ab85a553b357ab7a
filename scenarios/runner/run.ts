/*
 * Runs one scenario over HTTP against a stand: reset, arrange (persona, clock, faults) through the
 * control API, then the steps in a fresh browser, checking every expectation as it goes.
 */
import { generateSync } from 'otplib';
import type { App, Expectation, Face, Scenario, Step } from '../schema.ts';
import type { Driver, PageState } from './driver.ts';
import { EsiaSteps } from './esia_steps.ts';
import { HttpBrowser, ScenarioError } from './http_browser.ts';
import { oidcAuthorize } from './oidc_steps.ts';
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

/** The documented test password of every operator in config/operators.json. */
export const operatorPassword = 'Operator-1234';

/** The clock every scenario starts at unless it gives its own: runs are reproducible. */
export const defaultClock = '2026-11-25T09:00:00.000Z';

interface PersonaInfo {
  persona: string;
  phone: string;
  email: string;
  snils: string;
  inn: string;
  password: string;
}

type Vars = Record<string, string>;

function substituteWith<T>(value: T, pattern: RegExp, replace: (name: string) => string): T {
  if (typeof value === 'string') return value.replace(pattern, (_m, key: string) => replace(key)) as T;
  if (Array.isArray(value)) return value.map((v) => substituteWith(v, pattern, replace)) as T;
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substituteWith(v, pattern, replace)])) as T;
  return value;
}

function substitute<T>(value: T, vars: Vars): T {
  if (typeof value === 'string') return value.replace(/\$persona\.(\w+)/g, (m, key: string) => vars[key] ?? m) as T;
  if (Array.isArray(value)) return value.map((v) => substitute(v, vars)) as T;
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substitute(v, vars)])) as T;
  return value;
}

type Control = <T = unknown>(method: string, path: string, body?: unknown) => Promise<T>;

class ScenarioRun {
  constructor(
    readonly stand: Stand,
    readonly control: Control,
    readonly persona: PersonaInfo,
    readonly browser: Driver,
  ) {}

  get page(): PageState | null {
    return this.browser.current();
  }

  /** The ФМРМ relying party of the face under test: OIDC, or ESIA's own protocol (v2 GOST, v1 PKCS#7). */
  get rp(): string {
    const esia = this.face === 'esia-v2' ? this.stand.rpEsia : this.face === 'esia-v1' ? this.stand.rpEsia1 : this.stand.rp;
    if (!esia) throw new ScenarioError(`the stand has no relying party for face ${this.face}`);
    return esia;
  }

  face: Face = 'oidc';
  /** Values kept by `remember` steps, for `$remembered.<name>` in later steps. */
  readonly remembered = new Map<string, string>();

  recall<T>(value: T): T {
    return substituteWith(value, /\$remembered\.(\w+)/g, (name) => {
      const kept = this.remembered.get(name);
      if (kept === undefined) throw new ScenarioError(`$remembered.${name} is used before a remember step kept it`);
      return kept;
    });
  }
  /** Challenges the certificate screens showed, by sign-in (for replay and another sign-in's challenge). */
  readonly challenges: Array<{ uid: string; challenge: string }> = [];
  #esia: EsiaSteps | undefined;
  get esia(): EsiaSteps {
    return (this.#esia ??= new EsiaSteps(this.stand, this.browser));
  }

  base(app: App): string {
    return app === 'idp' ? this.stand.idp : app === 'rp' ? this.rp : app === 'sys' ? (this.stand.sink ?? '') : this.stand.rp2;
  }

  appOf(url: string): App | 'other' {
    const origin = new URL(url).origin;
    if (origin === new URL(this.stand.idp).origin) return 'idp';
    if (origin === new URL(this.rp).origin) return 'rp';
    if (this.stand.sink && origin === new URL(this.stand.sink).origin) return 'sys';
    if (origin === new URL(this.stand.rp2).origin) return 'rp2';
    return 'other';
  }

  async emailCode(): Promise<string> {
    const { messages } = await this.control<{ messages: Array<{ code?: string }> }>('GET', `/inbox/email?to=${encodeURIComponent(this.persona.email)}`);
    const code = messages.find((m) => m.code)?.code;
    if (!code) throw new ScenarioError(`No e-mail with a code in the inbox of ${this.persona.email}`);
    return code;
  }

  async inbox(step: Extract<Step, { do: 'inbox' }>, where: string): Promise<void> {
    const to = step.to ?? (step.channel === 'sms' ? this.persona.phone : this.persona.email);
    const { messages } = await this.control<{ messages: Array<{ kind?: string; subject?: string; text: string }> }>('GET', `/inbox/${step.channel}?to=${encodeURIComponent(to)}`);
    const found = messages.filter((m) => !step.kind || m.kind === step.kind);
    const what = `${step.channel} to ${to}${step.kind ? ` of kind ${step.kind}` : ''}`;
    if (step.count !== undefined && found.length !== step.count) {
      throw new ScenarioError(`${where}: ${found.length} messages ${what} ≠ expected ${step.count}; inbox: ${JSON.stringify(messages.map((m) => m.kind ?? m.subject ?? m.text.slice(0, 40)))}`);
    }
    if (step.text?.length) {
      const newest = found[0];
      if (!newest) throw new ScenarioError(`${where}: no message ${what}`);
      const body = `${newest.subject ?? ''}\n${newest.text}`;
      const missing = step.text.filter((t) => !body.includes(t));
      if (missing.length) throw new ScenarioError(`${where}: the newest message ${what} lacks ${missing.map((t) => `«${t}»`).join(', ')}: ${JSON.stringify(body)}`);
    }
  }

  async smsCode(which: 'latest' | 'previous'): Promise<string> {
    const { messages } = await this.control<{ messages: Array<{ code?: string }> }>('GET', `/inbox/sms?to=${encodeURIComponent(this.persona.phone)}`);
    const code = messages[which === 'latest' ? 0 : 1]?.code;
    if (!code) throw new ScenarioError(`No ${which} SMS code in the inbox of ${this.persona.phone}`);
    return code;
  }

  /**
   * The code the persona's app shows (control API), or while enrolling the code of the secret on the
   * page, at the run's clock moved by `stepOffset` steps of 30 s (a phone whose clock drifts).
   */
  async appCode(enrolling: boolean, stepOffset: number): Promise<string> {
    const { now } = await this.control<{ now: string }>('GET', '/clock');
    const at = Math.floor(Date.parse(now) / 1000) + stepOffset * 30;
    const secret = enrolling ? await this.browser.attribute('totp-secret', 'data-secret') : null;
    if (secret) return generateSync({ secret, epoch: at });
    return (await this.control<{ code: string }>('GET', `/accounts/${this.persona.persona}/totp${stepOffset ? `?steps=${stepOffset}` : ''}`)).code;
  }

  requireScreen(screen: string, step: string): void {
    if (this.page?.screen !== screen) {
      throw new ScenarioError(`${step} needs the "${screen}" screen, but the page is "${this.page?.screen || 'none'}" (${this.page?.url ?? 'no page'})`);
    }
  }

  async check(expect: Expectation, where: string): Promise<void> {
    const page = this.page;
    if (!page) throw new ScenarioError(`${where}: no page is open`);
    const problems: string[] = [];
    if (expect.app && this.appOf(page.url) !== expect.app) problems.push(`app ${this.appOf(page.url)} ≠ expected ${expect.app}`);
    if (expect.screen && page.screen !== expect.screen) problems.push(`screen "${page.screen}" ≠ expected "${expect.screen}"`);
    if (expect.error === 'none' && page.error) problems.push(`unexpected error "${page.error}"`);
    else if (expect.error && expect.error !== 'none' && page.error !== expect.error) problems.push(`error "${page.error || 'none'}" ≠ expected "${expect.error}"`);
    if (expect.status && page.status !== expect.status) problems.push(`status ${page.status} ≠ expected ${expect.status}`);
    const text = expect.text?.length ? await this.browser.text() : '';
    for (const t of expect.text ?? []) if (!text.includes(t)) problems.push(`text «${t}» not on the page`);
    if (problems.length) throw new ScenarioError(`${where}: ${problems.join('; ')} — at ${page.url}`);
  }

  async step(original: Step, where: string): Promise<void> {
    const b = this.browser;
    const step = original.do === 'repeat' ? original : this.recall(original);
    switch (step.do) {
      case 'open':
        await b.goto(this.base(step.app) + (step.path ?? '/'));
        break;
      case 'click':
        await b.click(step.testid, step.fields);
        break;
      case 'signIn':
        this.requireScreen('login', where);
        await b.click('submit', {
          identifier: step.identifier ?? this.persona.phone,
          password: step.password ?? this.persona.password,
          remember: step.remember === true,
          ...(step.factor ? { factor: step.factor } : {}),
        });
        break;
      // feature «webauthn»
      case 'biometricSignIn':
        this.requireScreen('login', where);
        await b.click('biometric', { identifier: step.identifier ?? '' });
        break;
      case 'webauthn': {
        const { do: _, expect: __, ...action } = step;
        await b.webauthn(action);
        break;
      }
      case 'enterAppCode': {
        const screen = this.page?.screen;
        if (screen !== 'totp' && screen !== 'totp-enrol') this.requireScreen('totp', where);
        const code = step.code ?? (await this.appCode(screen === 'totp-enrol', step.stepOffset ?? 0));
        await b.click(screen === 'totp-enrol' ? 'totp-confirm' : 'submit', { code });
        break;
      }
      case 'enterCode': {
        this.requireScreen(['recovery-code', 'confirm-contact'].find((screen) => screen === this.page?.screen) ?? 'otp', where);
        const code =
          step.code === undefined || step.code === '$sms' ? await this.smsCode('latest')
          : step.code === '$sms.previous' ? await this.smsCode('previous')
          : step.code === '$email' ? await this.emailCode()
          : step.code;
        await b.click('submit', { code });
        break;
      }
      case 'resendCode':
        this.requireScreen('otp', where);
        await b.click('resend');
        break;
      case 'changePassword':
        this.requireScreen(this.page?.screen === 'recovery-password' ? 'recovery-password' : 'password-change', where);
        await b.click('submit', { password: step.password, repeat: step.repeat ?? step.password });
        break;
      case 'agreement':
        this.requireScreen('agreement', where);
        await b.click(step.accept ? 'accept' : 'decline');
        break;
      case 'advanceClock':
        await this.control('POST', '/clock', { advance: step.by });
        break;
      case 'control':
        await this.control(step.method, step.path, step.body);
        break;
      case 'closeBrowser':
        await b.restart();
        break;
      case 'request': {
        const uid = /\/interaction\/([\w-]+)/.exec(this.page?.url ?? '')?.[1] ?? 'none';
        const body = step.bodyBytes ? 'x='.padEnd(step.bodyBytes, 'x') : step.body;
        await b.send(this.base(step.app) + step.path.replace('$uid', uid), step.method, body, step.contentType);
        break;
      }
      case 'esiaAuthorize':
        await this.esia.authorize(step);
        break;
      case 'esiaToken':
        // A server-to-server call: its answer is checked by the step itself, the page stays.
        await this.esia.token(step, where);
        return;
      case 'inbox':
        await this.inbox(step, where);
        break;
      case 'operatorSignIn':
        this.requireScreen('support-login', where);
        await b.click('support-submit', { login: step.login, password: step.password ?? operatorPassword });
        break;
      case 'fill':
        await b.click(step.testid, step.fields);
        break;
      case 'remember': {
        const value = await b.attribute(step.testid, step.attribute);
        if (value === null) throw new ScenarioError(`${where}: no [data-testid="${step.testid}"] with ${step.attribute} on ${this.page?.url ?? 'no page'}`);
        this.remembered.set(step.as, step.retype === 'lowercase-without-dash' ? value.toLowerCase().replace(/-/g, '') : step.retype === 'space-for-dash' ? value.replace(/-/g, ' ') : value);
        break;
      }
      case 'esign': {
        this.requireScreen('certificate', where);
        const uid = /\/interaction\/([\w-]+)/.exec(this.page?.url ?? '')?.[1] ?? '';
        const current = (await b.attribute('esign-challenge', 'value')) ?? '';
        if (!this.challenges.some((c) => c.challenge === current)) this.challenges.push({ uid, challenge: current });
        let challenge: string | undefined;
        if (step.challenge === 'previous') {
          challenge = this.challenges.findLast((c) => c.uid === uid && c.challenge !== current)?.challenge;
          if (!challenge) throw new ScenarioError(`${where}: no earlier challenge of this sign-in to replay (sign once before)`);
        } else if (step.challenge === 'other-session') {
          challenge = this.challenges.findLast((c) => c.uid !== uid)?.challenge;
          if (!challenge) throw new ScenarioError(`${where}: no challenge of another sign-in was shown yet`);
        }
        let keyFile: string | undefined;
        if (step.keyFile) {
          const persona = step.keyFile.persona ?? this.persona.persona;
          const file = await this.control<{ bundle: string }>('GET', `/personas/${persona}/certificate?variant=${step.keyFile.variant ?? 'valid'}`);
          keyFile = file.bundle;
        }
        await b.esign({
          pin: step.pin ?? '12345678',
          ...(step.certificate ? { certificate: step.certificate } : {}),
          ...(keyFile ? { keyFile } : {}),
          ...(challenge ? { challenge } : {}),
          ...(step.tamper === 'signature' ? { tamperSignature: true } : {}),
        });
        break;
      }
      case 'oidcAuthorize':
        await oidcAuthorize(this.stand, this.control, b, step);
        break;
      case 'expect':
        break;
      case 'repeat':
        for (let i = 0; i < step.times; i++) {
          for (const [j, inner] of step.steps.entries()) await this.step(inner, `${where} (repeat ${i + 1}) step ${j + 1} ${inner.do}`);
        }
        break;
    }
    if (this.page?.screen === 'certificate') {
      // Kept for steps that replay a challenge or sign another sign-in's.
      const uid = /\/interaction\/([\w-]+)/.exec(this.page.url)?.[1] ?? '';
      const challenge = await b.attribute('esign-challenge', 'value');
      if (challenge && !this.challenges.some((c) => c.challenge === challenge)) this.challenges.push({ uid, challenge });
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

export async function runScenario(stand: Stand, scenario: Scenario, browser: Driver = new HttpBrowser(), options: RunOptions = {}): Promise<ScenarioResult> {
  const started = performance.now();
  const control: Control = (method, path, body) =>
    stand.control(method, options.run ? `${path}${path.includes('?') ? '&' : '?'}run=${options.run}` : path, body);
  let run: ScenarioRun | undefined;
  try {
    if (options.run) await browser.setCookie(stand.idp, 'esia_run', options.run);
    await control('POST', '/reset');
    let clock = scenario.given.clock ?? defaultClock;
    if (clock === 'pki') {
      // Certificates are valid relative to the PKI's generation instant: start an hour after it.
      const { pkiGeneratedAt } = await control<{ pkiGeneratedAt: string }>('GET', '/esign');
      clock = new Date(Date.parse(pkiGeneratedAt) + 3600_000).toISOString();
    }
    await control('POST', '/clock', { set: clock, freeze: true });
    for (const fault of scenario.given.faults ?? []) await control('POST', '/faults', fault);
    if (scenario.given.tls) {
      if (!stand.idp.startsWith('https:')) throw new ScenarioError(`given.tls needs an HTTPS stand (startStand({ https: true }), or StandPool); ${stand.idp} speaks HTTP`);
      await stand.control('POST', '/tls', { certificate: scenario.given.tls });
    } else if (stand.idp.startsWith('https:')) {
      await stand.control('POST', '/tls', { certificate: 'valid' });
    }
    const personas = await control<PersonaInfo[]>('GET', '/personas');
    const persona = personas.find((p) => p.persona === scenario.given.persona);
    if (!persona) throw new ScenarioError(`given.persona "${scenario.given.persona}" is not a persona; known: ${personas.map((p) => p.persona).join(', ')}`);
    // The browser is the persona's computer: the plugin stand-in there offers that person's token (idp/esign/run_state.ts).
    if (usesSignature(scenario.steps)) {
      const token = await control<{ id: string }>('GET', `/personas/${persona.persona}/token`);
      await browser.setCookie(stand.idp, 'esia_token', token.id);
    }
    run = new ScenarioRun(stand, control, persona, browser);
    run.face = options.face ?? 'oidc';
    const steps = substitute(scenario.steps, persona as unknown as Vars);
    for (const [i, step] of steps.entries()) await run.step(step, `step ${i + 1} (${step.do})`);
    await run.check(scenario.expect, 'final expectation');
    return { id: scenario.id, title: scenario.title, catalogue: scenario.catalogue, ok: true, durationMs: performance.now() - started, trail: [...browser.history] };
  } catch (error) {
    return {
      id: scenario.id,
      title: scenario.title,
      catalogue: scenario.catalogue,
      ok: false,
      durationMs: performance.now() - started,
      failure: error instanceof ScenarioError ? error.message : (error as Error).stack ?? String(error),
      trail: [...browser.history],
    };
  }
}
