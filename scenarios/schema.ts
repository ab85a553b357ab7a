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

/** How a person may type a code back: `lowercase-without-dash` (h3j8l58y), `space-for-dash` (H3J8 L58Y). */
export const retypings = ['lowercase-without-dash', 'space-for-dash'] as const;
export type Retyping = (typeof retypings)[number];

export type Step =
  | { do: 'open'; app: App; path?: string; expect?: Expectation }
  /** Follows a link or presses a button; `fields` are typed into the button's form first (e.g. {"identifier": "$persona.email"}). */
  | { do: 'click'; testid: string; fields?: Record<string, string>; expect?: Expectation }
  /** factor: the second factor chosen on the login page (default SMS). */
  | { do: 'signIn'; identifier?: string; password?: string; remember?: boolean; factor?: 'sms' | 'totp' | 'key'; expect?: Expectation }
  /** On the sign-in code screen, the recovery code screen or the contact confirmation screen; code: "$sms" (default), "$sms.previous", "$email" (the latest e-mail code), or literal digits. */
  | { do: 'enterCode'; code?: string; expect?: Expectation }
  | { do: 'resendCode'; expect?: Expectation }
  | { do: 'changePassword'; password: string; repeat?: string; expect?: Expectation }
  | { do: 'agreement'; accept: boolean; expect?: Expectation }
  | { do: 'advanceClock'; by: string | number; expect?: Expectation }
  | { do: 'control'; method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'; path: string; body?: Record<string, unknown>; expect?: Expectation }
  | { do: 'closeBrowser'; expect?: Expectation }
  /** A raw request with this browser's cookies; `$uid` in path is the sign-in on the current page. */
  | { do: 'request'; app: App; method: string; path: string; contentType?: string; body?: string; bodyBytes?: number; expect?: Expectation }
  /** ESIA face: the browser opens an authorization URL that a test system signed (possibly tampered with). */
  | ({ do: 'esiaAuthorize' } & EsiaRequestStep)
  /** ESIA face: the system posts a token request (the code from the system's callback page); expect.error is the ESIA code or "none". */
  | ({ do: 'esiaToken'; grant?: 'authorization_code' | 'refresh_token' | 'client_credentials' } & EsiaRequestStep)
  /**
   * Reads the emulator's inbox (the run's): messages to `to` (default: the persona's phone or e-mail),
   * of `kind` if given (e.g. "security.sign_in", "recovery.code"); `count` asserts how many, `text`
   * what the newest one says. The page stays.
   */
  | { do: 'inbox'; channel: 'sms' | 'email'; to?: string; kind?: string; count?: number; text?: string[]; expect?: Expectation }
  /** Support console: sign in at /support as an operator (config/operators.json; password Operator-1234 unless given). */
  | { do: 'operatorSignIn'; login: string; password?: string; expect?: Expectation }
  /** Fills the named fields of the element's form and presses it (console search, notes). `$remembered.<name>` works in values. */
  | { do: 'fill'; testid: string; fields: Record<string, string>; expect?: Expectation }
  /**
   * Keeps an attribute of an element on the page (a temporary code shown once) for later steps as `$remembered.<as>`;
   * `retype`: kept as a person types it back (a reference code read out over the phone), see `retypings`.
   */
  | { do: 'remember'; testid: string; attribute: string; as: string; retype?: Retyping; expect?: Expectation }
  /**
   * Electronic signature on the certificate screen through the signing-plugin stand-in (A4, A5).
   * pin: the token's PIN (default 12345678); certificate: part of a token entry's id such as
   * "ivanov-expired"; keyFile: load this persona's test key file (variant, default valid) first;
   * challenge: "previous" signs the challenge this sign-in showed before (replay), "other-session" one
   * shown to another sign-in; tamper "signature" spoils the signature.
   */
  | { do: 'esign'; pin?: string; certificate?: string; keyFile?: { persona?: string; variant?: string }; challenge?: 'previous' | 'other-session'; tamper?: 'signature'; expect?: Expectation }
  // feature «webauthn»
  /** «Войти по биометрии» on the login page, with a login typed or (default) none. */
  | { do: 'biometricSignIn'; identifier?: string; expect?: Expectation }
  /** Answers the WebAuthn ceremony on screen (biometric, security-key, webauthn-register) with a test authenticator. */
  | ({ do: 'webauthn'; expect?: Expectation } & AuthenticatorAction)
  /** The app code (TOTP) on the totp or totp-enrol screen: the one the app shows now, `stepOffset` steps away, or `code` as typed. */
  | { do: 'enterAppCode'; code?: string; stepOffset?: number; expect?: Expectation }
  /** A third-party system (no first_party) starts an OIDC sign-in; its redirect_uri is the capture page ("sys"). */
  | { do: 'oidcAuthorize'; scope?: string; prompt?: string; expect?: Expectation }
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

/** How the ФМРМ relying party ("rp") talks to the emulator: OIDC, or ESIA's own protocol (v2 GOST, v1 PKCS#7). */
export type Face = 'oidc' | 'esia-v2' | 'esia-v1';
export const faces: readonly Face[] = ['oidc', 'esia-v2', 'esia-v1'];

export interface Scenario {
  id: string;
  title: string;
  /** Catalogue IDs of the source document (A1…G8) this scenario covers; [] only with `protocol`. */
  catalogue: string[];
  /** A check of the protocol (OIDC, ESIA, HTTP) that no case of the source document covers: its catalogue is empty. */
  protocol?: true;
  /** Why the scenario exists, for the gallery and reports. */
  summary?: string;
  /** Faces the scenario is meaningful through; by default see playsThrough. */
  faces?: Face[];
  given: {
    /** Persona key from config/personas.json; `$persona.*` placeholders in steps refer to it. */
    persona: string;
    /**
     * The emulator's clock at the start (frozen), ISO instant; "pki" = an hour after the test PKI was
     * generated, so certificate validity (relative to that instant) is the same on every machine.
     */
    clock?: string;
    /** Faults armed before the first step. */
    faults?: Array<{ kind: 'sms.fail' | 'sms.delay' | 'server.error'; count?: number; seconds?: number }>;
    /**
     * TLS faults (C6/F2): the scenario runs on an HTTPS stand (emulator on TLS 1.3, relying
     * parties trusting the test root) whose emulator serves this server certificate.
     */
    tls?: (typeof tlsCertificates)[number];
  };
  steps: Step[];
  /** What the user sees at the end. */
  expect: Expectation;
}

export const tlsCertificates = ['valid', 'expired', 'revoked', 'wrong-host', 'untrusted'] as const;

const stepKinds = [
  'open', 'click', 'signIn', 'enterCode', 'resendCode', 'changePassword', 'agreement', 'advanceClock', 'control', 'closeBrowser', 'request', 'esiaAuthorize', 'esiaToken', 'expect', 'repeat',
  'inbox', 'operatorSignIn', 'fill', 'remember', 'esign', 'biometricSignIn', 'webauthn', 'enterAppCode', 'oidcAuthorize',
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
    if (step.do === 'click' && step.fields !== undefined && (!isObject(step.fields) || Object.values(step.fields).some((v) => typeof v !== 'string'))) {
      fail(`${at}.fields`, 'expected an object of field names to strings, e.g. {"identifier": "$persona.email"}');
    }
    if (step.do === 'inbox') {
      if (step.channel !== 'sms' && step.channel !== 'email') fail(`${at}.channel`, 'expected "sms" or "email"');
      if (step.count !== undefined && (!Number.isInteger(step.count) || Number(step.count) < 0)) fail(`${at}.count`, 'expected a whole number ≥ 0');
      if (step.text !== undefined && (!Array.isArray(step.text) || step.text.some((t) => typeof t !== 'string'))) fail(`${at}.text`, 'expected an array of strings');
      if (step.count === undefined && step.text === undefined) fail(at, 'an inbox step needs "count" or "text" (what to check)');
    }
    if (step.do === 'changePassword' && typeof step.password !== 'string') fail(`${at}.password`, 'expected a string');
    if (step.do === 'agreement' && typeof step.accept !== 'boolean') fail(`${at}.accept`, 'expected true or false');
    if (step.do === 'operatorSignIn' && typeof step.login !== 'string') fail(`${at}.login`, 'expected an operator login from config/operators.json, e.g. "operator"');
    if (step.do === 'fill' && (typeof step.testid !== 'string' || !isObject(step.fields) || Object.values(step.fields).some((v) => typeof v !== 'string'))) {
      fail(at, 'a fill step needs "testid" (the button of the form) and "fields" ({"name": "value"})');
    }
    if (step.do === 'remember' && (typeof step.testid !== 'string' || typeof step.attribute !== 'string' || typeof step.as !== 'string' || !/^\w+$/.test(String(step.as)))) {
      fail(at, 'a remember step needs "testid", "attribute" (e.g. "data-secret") and "as" (a name for $remembered.<as>)');
    }
    if (step.do === 'remember' && step.retype !== undefined && !retypings.includes(step.retype as Retyping)) fail(`${at}.retype`, `expected one of ${retypings.join(', ')}`);
    if (step.do === 'expect' && step.expect === undefined) fail(`${at}.expect`, 'required for an expect step');
    if (step.do === 'control' && (typeof step.path !== 'string' || !['GET', 'POST', 'PUT', 'PATCH', 'DELETE'].includes(String(step.method)))) {
      fail(at, 'a control step needs "method" (GET, POST, PUT, PATCH, DELETE) and "path" (e.g. "/accounts/petrova/unlock")');
    }
    if (step.do === 'request' && (!apps.includes(String(step.app)) || typeof step.path !== 'string' || typeof step.method !== 'string')) {
      fail(at, 'a request step needs "app", "method" and "path"');
    }
    if ((step.do === 'esiaAuthorize' || step.do === 'esiaToken') && step.tamper !== undefined && !esiaTampers.includes(step.tamper as (typeof esiaTampers)[number])) {
      fail(`${at}.tamper`, `expected one of ${esiaTampers.join(', ')}`);
    }
    if ((step.do === 'esiaAuthorize' || step.do === 'esiaToken') && step.version !== undefined && step.version !== 'v1' && step.version !== 'v2') fail(`${at}.version`, 'expected v1 or v2');
    if (step.do === 'esign') {
      if (step.challenge !== undefined && step.challenge !== 'previous' && step.challenge !== 'other-session') fail(`${at}.challenge`, 'expected "previous" or "other-session"');
      if (step.tamper !== undefined && step.tamper !== 'signature') fail(`${at}.tamper`, 'expected "signature"');
      if (step.keyFile !== undefined && !isObject(step.keyFile)) fail(`${at}.keyFile`, 'expected {"persona"?: "ivanov", "variant"?: "valid"}');
    }
    if (step.do === 'signIn' && step.factor !== undefined && !['sms', 'totp', 'key'].includes(String(step.factor))) fail(`${at}.factor`, 'expected sms, totp or key');
    if (step.do === 'webauthn') {
      const known = ['do', 'expect', 'authenticator', 'userVerified', 'signCount', 'cancel', 'forge'];
      for (const key of Object.keys(step)) if (!known.includes(key)) fail(`${at}.${key}`, `unknown field; allowed: ${known.join(', ')}`);
      if (step.forge !== undefined && !isObject(step.forge)) fail(`${at}.forge`, 'expected an object such as {"origin": "https://evil.example"}');
    }
    if (step.do === 'oidcAuthorize' && ((step.scope !== undefined && typeof step.scope !== 'string') || (step.prompt !== undefined && typeof step.prompt !== 'string'))) {
      fail(at, 'an oidcAuthorize step takes "scope" and "prompt" as strings, e.g. {"scope": "openid profile", "prompt": "consent"}');
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
  if (value.protocol !== undefined && (value.protocol !== true || !Array.isArray(value.catalogue) || value.catalogue.length > 0)) fail(`${where} protocol`, 'expected true, with "catalogue": [] (a protocol check no case covers)');
  if (!Array.isArray(value.catalogue) || (value.catalogue.length === 0 && value.protocol !== true) || value.catalogue.some((c) => !/^[A-G]\d+$/.test(String(c)))) {
    fail(`${where} catalogue`, 'expected catalogue IDs such as ["C2", "F4"], or [] with "protocol": true');
  }
  if (value.faces !== undefined && (!Array.isArray(value.faces) || value.faces.length === 0 || value.faces.some((f) => !faces.includes(f as Face)))) {
    fail(`${where} faces`, `expected a non-empty array of ${faces.join(', ')}`);
  }
  if (!isObject(value.given) || typeof value.given.persona !== 'string') fail(`${where} given.persona`, 'expected a persona key, e.g. "ivanov"');
  if (value.given.clock !== undefined && value.given.clock !== 'pki' && Number.isNaN(Date.parse(String(value.given.clock)))) fail(`${where} given.clock`, 'expected an ISO instant');
  if (value.given.tls !== undefined && !tlsCertificates.includes(value.given.tls as (typeof tlsCertificates)[number])) fail(`${where} given.tls`, `expected one of ${tlsCertificates.join(', ')}`);
  checkSteps(value.steps, `${where} steps`);
  checkExpectation(value.expect, `${where} expect`);
  return value as unknown as Scenario;
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
