/*
 * The scenario format: one JSON file per scenario in scenarios/catalogue/, file name = id. A
 * scenario names the catalogue IDs it covers, what is given (persona, clock, faults), typed steps,
 * and what the user finally sees. validateScenario() names the exact field that is wrong.
 */
import type { AuthenticatorAction } from './runner/authenticator.ts';

/** idp: the emulator; rp, rp2: relying parties; sys: the redirect_uri of an ESIA protocol test system. */
export type App = 'idp' | 'rp' | 'rp2' | 'sys';

export interface Expectation {
  /** Which application's page: the emulator (idp) or a relying party (rp, rp2). */
  app?: App;
  /** body[data-screen] */
  screen?: string;
  /** body[data-error-code]; "none" asserts there is none. */
  error?: string;
  /** Texts that must appear on the page. */
  text?: string[];
  /** HTTP status of the page. */
  status?: number;
}

export type Step =
  | { do: 'open'; app: App; path?: string; expect?: Expectation }
  | { do: 'click'; testid: string; expect?: Expectation }
  /** factor: the second factor chosen on the login page (default SMS). */
  | { do: 'signIn'; identifier?: string; password?: string; remember?: boolean; factor?: 'sms' | 'totp' | 'key'; expect?: Expectation }
  | { do: 'enterCode'; code?: string; expect?: Expectation }
  | { do: 'resendCode'; expect?: Expectation }
  | { do: 'changePassword'; password: string; repeat?: string; expect?: Expectation }
  | { do: 'agreement'; accept: boolean; expect?: Expectation }
  | { do: 'advanceClock'; by: string | number; expect?: Expectation }
  | { do: 'control'; method: 'GET' | 'POST' | 'PATCH' | 'DELETE'; path: string; body?: Record<string, unknown>; expect?: Expectation }
  | { do: 'closeBrowser'; expect?: Expectation }
  /** A raw request with this browser's cookies; `$uid` in path is the sign-in on the current page. */
  | { do: 'request'; app: App; method: string; path: string; contentType?: string; body?: string; bodyBytes?: number; expect?: Expectation }
  /** ESIA face: the browser opens an authorization URL that a test system signed (possibly tampered with). */
  | ({ do: 'esiaAuthorize' } & EsiaRequestStep)
  /** ESIA face: the system posts a token request (the code from the system's callback page); expect.error is the ESIA code or "none". */
  | ({ do: 'esiaToken'; grant?: 'authorization_code' | 'refresh_token' | 'client_credentials' } & EsiaRequestStep)
  // feature «webauthn»
  /** «Войти по биометрии» on the login page, with a login typed or (default) none. */
  | { do: 'biometricSignIn'; identifier?: string; expect?: Expectation }
  /** Answers the WebAuthn ceremony on screen (biometric, security-key, webauthn-register) with a test authenticator. */
  | ({ do: 'webauthn'; expect?: Expectation } & AuthenticatorAction)
  /** The app code (TOTP) on the totp or totp-enrol screen: the one the app shows now, `stepOffset` steps away, or `code` as typed. */
  | { do: 'enterAppCode'; code?: string; stepOffset?: number; expect?: Expectation }
  | { do: 'expect'; expect: Expectation }
  | { do: 'repeat'; times: number; steps: Step[]; expect?: Expectation };

/** Ways a protocol step spoils its own request, one fault each (tests of the emulator's refusals). */
export const esiaTampers = [
  'signature-byte', 'message-after-signing', 'certificate-hash-byte', 'pem-hash', 'v1-order', 'repeat-scope', 'foreign-certificate', 'cryptopro-layout',
] as const;

export interface EsiaRequestStep {
  /** v2 = /v2/ac + /v3/te (raw GOST, default); v1 = /ac + /te (PKCS#7). */
  version?: 'v1' | 'v2';
  /** Mnemonic of a test system of the stand (default PROTO01). */
  system?: string;
  /** v1 signature: cms-gost (default) or cms-rsa. */
  signer?: 'cms-gost' | 'cms-rsa';
  scope?: string;
  /** "cb" (default) or another path on the test system, or a full URL. */
  redirect?: string;
  /** Seconds added to the request's timestamp. */
  timestampOffsetSeconds?: number;
  /** Signed extra parameters, e.g. {"person_filter": "Y29uZl9hY2M="}. */
  extra?: Record<string, string>;
  /** Parameters replaced after signing; "" removes one. */
  params?: Record<string, string>;
  tamper?: (typeof esiaTampers)[number];
  expect?: Expectation;
}

export interface Scenario {
  id: string;
  title: string;
  /** Catalogue IDs of the source document (A1…G8) this scenario covers. */
  catalogue: string[];
  /** Why the scenario exists, for the gallery and reports. */
  summary?: string;
  given: {
    /** Persona key from config/personas.json; `$persona.*` placeholders in steps refer to it. */
    persona: string;
    /** The emulator's clock at the start (frozen), ISO instant. */
    clock?: string;
    /** Faults armed before the first step. */
    faults?: Array<{ kind: 'sms.fail' | 'sms.delay' | 'server.error'; count?: number; seconds?: number }>;
  };
  steps: Step[];
  /** What the user sees at the end. */
  expect: Expectation;
}

const stepKinds = [
  'open', 'click', 'signIn', 'enterCode', 'resendCode', 'changePassword', 'agreement', 'advanceClock', 'control', 'closeBrowser', 'request', 'esiaAuthorize', 'esiaToken', 'expect', 'repeat',
  'biometricSignIn', 'webauthn', 'enterAppCode',
];
const apps = ['idp', 'rp', 'rp2', 'sys'];

function fail(where: string, message: string): never {
  throw new Error(`${where}: ${message}`);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function checkExpectation(value: unknown, where: string): void {
  if (!isObject(value)) fail(where, 'expected an object like {"screen": "error", "error": "account.locked"}');
  const known = ['app', 'screen', 'error', 'text', 'status'];
  for (const key of Object.keys(value)) if (!known.includes(key)) fail(`${where}.${key}`, `unknown field; allowed: ${known.join(', ')}`);
  if (value.app !== undefined && !apps.includes(String(value.app))) fail(`${where}.app`, `expected one of ${apps.join(', ')}`);
  if (value.text !== undefined && (!Array.isArray(value.text) || value.text.some((t) => typeof t !== 'string'))) fail(`${where}.text`, 'expected an array of strings');
}

function checkSteps(steps: unknown, where: string): void {
  if (!Array.isArray(steps) || steps.length === 0) fail(where, 'expected a non-empty array of steps');
  steps.forEach((step, i) => {
    const at = `${where}[${i}]`;
    if (!isObject(step)) fail(at, 'expected an object with "do"');
    if (!stepKinds.includes(String(step.do))) fail(`${at}.do`, `"${String(step.do)}" is not a step; steps: ${stepKinds.join(', ')}`);
    if (step.expect !== undefined) checkExpectation(step.expect, `${at}.expect`);
    if (step.do === 'open' && !apps.includes(String(step.app))) fail(`${at}.app`, `expected one of ${apps.join(', ')}`);
    if (step.do === 'click' && typeof step.testid !== 'string') fail(`${at}.testid`, 'expected the data-testid of a link or button');
    if (step.do === 'changePassword' && typeof step.password !== 'string') fail(`${at}.password`, 'expected a string');
    if (step.do === 'agreement' && typeof step.accept !== 'boolean') fail(`${at}.accept`, 'expected true or false');
    if (step.do === 'expect' && step.expect === undefined) fail(`${at}.expect`, 'required for an expect step');
    if (step.do === 'control' && (typeof step.path !== 'string' || !['GET', 'POST', 'PATCH', 'DELETE'].includes(String(step.method)))) {
      fail(at, 'a control step needs "method" (GET, POST, PATCH, DELETE) and "path" (e.g. "/accounts/petrova/unlock")');
    }
    if (step.do === 'request' && (!apps.includes(String(step.app)) || typeof step.path !== 'string' || typeof step.method !== 'string')) {
      fail(at, 'a request step needs "app", "method" and "path"');
    }
    if ((step.do === 'esiaAuthorize' || step.do === 'esiaToken') && step.tamper !== undefined && !esiaTampers.includes(step.tamper as (typeof esiaTampers)[number])) {
      fail(`${at}.tamper`, `expected one of ${esiaTampers.join(', ')}`);
    }
    if ((step.do === 'esiaAuthorize' || step.do === 'esiaToken') && step.version !== undefined && step.version !== 'v1' && step.version !== 'v2') fail(`${at}.version`, 'expected v1 or v2');
    if (step.do === 'signIn' && step.factor !== undefined && !['sms', 'totp', 'key'].includes(String(step.factor))) fail(`${at}.factor`, 'expected sms, totp or key');
    if (step.do === 'webauthn') {
      const known = ['do', 'expect', 'authenticator', 'userVerified', 'signCount', 'cancel', 'forge'];
      for (const key of Object.keys(step)) if (!known.includes(key)) fail(`${at}.${key}`, `unknown field; allowed: ${known.join(', ')}`);
      if (step.forge !== undefined && !isObject(step.forge)) fail(`${at}.forge`, 'expected an object such as {"origin": "https://evil.example"}');
    }
    if (step.do === 'enterAppCode' && step.stepOffset !== undefined && !Number.isInteger(step.stepOffset)) fail(`${at}.stepOffset`, 'expected a whole number of steps');
    if (step.do === 'repeat') {
      if (!Number.isInteger(step.times) || Number(step.times) < 1) fail(`${at}.times`, 'expected a whole number ≥ 1');
      checkSteps(step.steps, `${at}.steps`);
    }
  });
}

export function validateScenario(value: unknown, fileId: string): Scenario {
  const where = `scenarios/catalogue/${fileId}.json`;
  if (!isObject(value)) fail(where, 'expected a JSON object');
  if (value.id !== fileId) fail(`${where} id`, `must equal the file name "${fileId}", got ${JSON.stringify(value.id)}`);
  if (typeof value.title !== 'string' || !value.title) fail(`${where} title`, 'expected a Russian title');
  if (!Array.isArray(value.catalogue) || value.catalogue.length === 0 || value.catalogue.some((c) => !/^[A-G]\d+$/.test(String(c)))) {
    fail(`${where} catalogue`, 'expected catalogue IDs such as ["C2", "F4"]');
  }
  if (!isObject(value.given) || typeof value.given.persona !== 'string') fail(`${where} given.persona`, 'expected a persona key, e.g. "ivanov"');
  if (value.given.clock !== undefined && Number.isNaN(Date.parse(String(value.given.clock)))) fail(`${where} given.clock`, 'expected an ISO instant');
  checkSteps(value.steps, `${where} steps`);
  checkExpectation(value.expect, `${where} expect`);
  return value as unknown as Scenario;
}

/** Every error code a scenario expects to see, at any step or at the end. */
export function expectedErrors(scenario: Scenario): string[] {
  const out = new Set<string>();
  const visit = (steps: Step[]) => {
    for (const step of steps) {
      if (step.expect?.error && step.expect.error !== 'none') out.add(step.expect.error);
      if (step.do === 'repeat') visit(step.steps);
    }
  };
  visit(scenario.steps);
  if (scenario.expect.error && scenario.expect.error !== 'none') out.add(scenario.expect.error);
  return [...out];
}
