/*
 * Every step kind of the scenario format, one module each. Adding a kind: write scenarios/steps/<kind>.ts
 * with defineStep (fields, describeRu, run) and list it here; `npm run docs` then rewrites schema.json.
 */
import { z } from 'zod';
import { advanceClock } from './advance_clock.ts';
import { agreement } from './agreement.ts';
import { biometricSignIn } from './biometric_sign_in.ts';
import { changePassword } from './change_password.ts';
import { click } from './click.ts';
import { closeBrowser } from './close_browser.ts';
import { control } from './control.ts';
import { download } from './download.ts';
import { rpControl } from './rp_control.ts';
import { enterAppCode } from './enter_app_code.ts';
import { enterCode } from './enter_code.ts';
import { esiaAuthorize } from './esia_authorize.ts';
import { esiaToken } from './esia_token.ts';
import { esign } from './esign.ts';
import { expect } from './expect.ts';
import { fill } from './fill.ts';
import { inbox } from './inbox.ts';
import { oidcAuthorize } from './oidc_authorize.ts';
import type { StepKind, Wording } from './kind.ts';
import { open } from './open.ts';
import { operatorSignIn } from './operator_sign_in.ts';
import { remember } from './remember.ts';
import { repeat } from './repeat.ts';
import { request } from './request.ts';
import { resendCode } from './resend_code.ts';
import { signIn } from './sign_in.ts';
import { tab } from './tab.ts';
import { upload } from './upload.ts';
import { webauthn } from './webauthn.ts';

export const stepKinds = [
  open,
  click,
  signIn,
  enterCode,
  resendCode,
  changePassword,
  agreement,
  advanceClock,
  control,
  rpControl,
  download,
  closeBrowser,
  tab,
  request,
  esiaAuthorize,
  esiaToken,
  expect,
  repeat,
  inbox,
  operatorSignIn,
  fill,
  remember,
  esign,
  biometricSignIn,
  webauthn,
  enterAppCode,
  oidcAuthorize,
  upload,
] as const;

type Kinds = (typeof stepKinds)[number];
type StepOf<K> = K extends StepKind<string, infer T> ? T : never;

/** One step of a scenario, of any kind. */
export type Step = StepOf<Kinds>;
export type StepKindName = Step['do'];

const names = stepKinds.map((k) => k.kind);

export const stepSchema: z.ZodType<Step> = z
  .discriminatedUnion('do', stepKinds.map((k) => k.schema) as unknown as [Kinds['schema'], ...Kinds['schema'][]], {
    error: (issue) => {
      // A step that is no object at all is reported as a type issue of the union.
      if ((issue.code as string) === 'invalid_type') return 'expected an object with "do"';
      if (issue.code !== 'invalid_union') return undefined;
      const kind = (issue.input as { do?: unknown } | undefined)?.do;
      return `${kind === undefined ? 'missing "do"' : `"${String(kind)}" is not a step`}; steps: ${names.join(', ')}`;
    },
  })
  .meta({ id: 'Step' });

const byName = new Map<string, StepKind>(stepKinds.map((k) => [k.kind, k as unknown as StepKind]));

/** The module of a step's kind. */
export function kindOf(step: Step): StepKind<string, Step> {
  const kind = byName.get(step.do);
  if (!kind) throw new Error(`"${step.do}" is not a step kind`);
  return kind as unknown as StepKind<string, Step>;
}

/** The screen and the error code as they are, for a reader who knows the ids. */
const idWording: Wording = {
  outcome: (expect) => `экран «${expect.screen ?? ''}»${expect.error ? `, ошибка ${expect.error}` : ''}`,
};

/** The step as an instruction a trainer can follow by hand, in Russian. */
export function describeStep(step: Step, wording: Wording = idWording): string {
  return kindOf(step).describeRu(step, wording);
}

/** What the trainer presses on the run page for a step the stand does (the clock, the control API); '' for a step done in the browser. */
export function controlLabel(step: Step): string {
  return kindOf(step).controlRu?.(step) ?? '';
}
