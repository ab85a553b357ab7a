/*
 * The WebAuthn ceremony screens (A3, A5): the options the server made, a «Продолжить» button that
 * runs the ceremony with @simplewebauthn/browser (served from node_modules, no CDN) and posts the
 * answer — or the browser's error name — in a plain form. Also the factor switch of second-factor screens.
 */
import { html, raw, type Html } from '../../lib/html.ts';
import { type Failure, failureAlert, failureReference } from './failure.ts';
import { layout } from './layout.ts';
import { ceremonyScriptPath } from './page_scripts.ts';

export interface CeremonyView {
  screen: 'biometric' | 'security-key' | 'webauthn-register';
  title: string;
  lead: string;
  mode: 'authenticate' | 'register';
  /** platform or roaming: which virtual authenticator a test attaches. */
  attachment: 'platform' | 'roaming';
  options: unknown;
  action: string;
  /** Extra fields of the result form (the device's name when registering). */
  fields?: Html;
  failure?: Failure;
  /** Other ways to go on (factor switch, back). */
  after?: Html;
}

export function ceremonyPage(view: CeremonyView): Html {
  return layout(
    { title: view.title, screen: view.screen, errorCode: view.failure?.code },
    html`<h1>${view.title}</h1>
<p>${view.lead}</p>
${failureAlert(view.failure)}
<script type="application/json" id="webauthn-options" data-mode="${view.mode}" data-attachment="${view.attachment}">${raw(JSON.stringify(view.options).replace(/</g, '\\u003c'))}</script>
<form method="post" action="${view.action}" id="webauthn-result" autocomplete="off">
<input type="hidden" name="response" value="">
<input type="hidden" name="error" value="">
${view.fields ?? ''}
<div class="actions"><button class="btn primary" type="submit" data-testid="webauthn-start">Продолжить</button></div>
</form>
<script src="/static/webauthn/browser.js"></script>
<script src="${ceremonyScriptPath}"></script>
${view.after ?? ''}
${failureReference(view.failure)}`,
  );
}

export type SecondFactor = 'sms' | 'totp' | 'key';

const factorLabels: Record<SecondFactor, string> = {
  sms: 'Код по СМС',
  totp: 'Код из приложения',
  key: 'Ключ безопасности',
};

/** «Другой способ»: the second factors the account has, except the one on screen. */
export function factorSwitch(uid: string, current: SecondFactor, available: SecondFactor[]): Html {
  const others = available.filter((f) => f !== current);
  if (!others.length) return html``;
  return html`<form method="post" action="/interaction/${uid}/factor" class="actions" data-testid="factor-switch">
<span class="muted">Другой способ:</span>
${others.map((f) => html`<button class="btn link" type="submit" name="factor" value="${f}" data-testid="switch-${f}">${factorLabels[f]}</button>`)}
</form>`;
}
