/* feature «webauthn»: answers the WebAuthn ceremony on screen (biometric, security-key, webauthn-register) with a test authenticator. */
import { type CeremonyInfo, fixtureCredential } from '../runner/authenticator.ts';
import { ScenarioError } from '../runner/scenario_error.ts';
import { defineStep, type PerDriver } from './kind.ts';
import { type AuthenticatorAction, authenticatorFields as fields } from './webauthn_action.ts';

/** The ceremony the page states (script#webauthn-options), or null; runs in the page. */
const readCeremony = (): CeremonyInfo | null => {
  const data = document.getElementById('webauthn-options');
  if (!data) return null;
  return {
    mode: data.dataset.mode === 'register' ? 'register' : 'authenticate',
    attachment: data.dataset.attachment === 'roaming' ? 'roaming' : 'platform',
    options: JSON.parse(data.textContent ?? '{}') as Record<string, unknown>,
  };
};

/** What pressing «Отмена» in the browser's own dialog gives the page. A string: tsx would add helpers to a function's source that the page lacks. */
const refuseCredentials = `(() => {
  const refuse = () => Promise.reject(new DOMException('The operation either timed out or was not allowed.', 'NotAllowedError'));
  Object.defineProperty(navigator.credentials, 'get', { value: refuse });
  Object.defineProperty(navigator.credentials, 'create', { value: refuse });
})()`;

const drivers: PerDriver<AuthenticatorAction> = {
  /** The ceremony answered by the software devices (or a forged answer), posted by the page's form. */
  async http(b, action) {
    const page = b.requirePage();
    const data = page.root.querySelector('script#webauthn-options');
    if (!data) throw new ScenarioError(`No WebAuthn ceremony on ${page.url} (screen "${b.screen()}")`);
    const info: CeremonyInfo = {
      mode: data.getAttribute('data-mode') === 'register' ? 'register' : 'authenticate',
      attachment: data.getAttribute('data-attachment') === 'roaming' ? 'roaming' : 'platform',
      options: JSON.parse(data.rawText) as Record<string, unknown>,
    };
    const answer = b.devices.answer(info, new URL(page.url).origin, action);
    await b.click(
      'webauthn-start',
      'response' in answer ? { response: answer.response, error: '' } : { response: '', error: answer.error },
    );
  },

  /** Chromium's virtual authenticator answers; a forged answer is built outside the browser and posted by the page's form. */
  async browser(c, action) {
    const page = c.requirePage();
    const where = `${page.url()} (screen "${c.current()?.screen ?? ''}")`;
    const info = await page.evaluate(readCeremony);
    if (!info) throw new ScenarioError(`No WebAuthn ceremony on ${where}`);
    if (action.forge) {
      const answer = c.authenticators.forger.forged(info, new URL(page.url()).origin, action);
      await c.navigate(
        (p) =>
          p.evaluate((a: { response?: string; error?: string }) => {
            const form = document.getElementById('webauthn-result') as HTMLFormElement;
            (form.elements.namedItem('response') as HTMLInputElement).value = a.response ?? '';
            (form.elements.namedItem('error') as HTMLInputElement).value = a.error ?? '';
            form.submit();
          }, answer),
        `post a forged WebAuthn answer on ${where}`,
      );
      return;
    }
    const kind = action.authenticator ? fixtureCredential(action.authenticator).kind : info.attachment;
    await c.authenticators.prepare(page, kind, action);
    await c.authenticators.timeCalls(page);
    if (action.cancel) await page.evaluate(refuseCredentials);
    const started = performance.now();
    await c.navigate(() => c.byTestId('webauthn-start').click(), `the WebAuthn ceremony on ${where}`);
    if (!action.cancel)
      c.ceremonies.push({
        mode: info.mode,
        attachment: kind,
        ms: performance.now() - started,
        apiMs: c.authenticators.apiMs,
      });
  },
};

export const webauthn = defineStep({
  kind: 'webauthn',
  description:
    "Answers the WebAuthn ceremony on screen (biometric, security-key, webauthn-register) with a test authenticator: Chromium's virtual one in a real browser, a software one over HTTP.",
  fields,
  describeRu(step) {
    if (step.forge) {
      const f = step.forge;
      const what = f.replay
        ? 'повторно отправляет прошлый ответ устройства'
        : f.origin
          ? `подделывает адрес сайта (${f.origin})`
          : f.rpId
            ? `подписывает вход для другого сайта (${f.rpId})`
            : f.dropUv
              ? 'отправляет ответ без проверки личности'
              : 'отправляет ответ чужого устройства';
      return `Злоумышленник ${what} — проверяется автотестом`;
    }
    if (step.cancel) return 'Нажмите «Продолжить», затем «Отмена» в окне браузера';
    const device = step.authenticator ? `устройство «${step.authenticator}» (тестовый ключ)` : 'своё устройство';
    if (step.userVerified === false) return `Нажмите «Продолжить» и не подтверждайте отпечаток/лицо на ${device}`;
    return `Нажмите «Продолжить» и подтвердите отпечатком, лицом или касанием ключа — ${device}${step.signCount !== undefined ? ` (копия ключа со счётчиком ${step.signCount})` : ''}`;
  },
  async run(ctx, step) {
    const { do: _, expect: __, ...action } = step;
    await ctx.perform(drivers, action);
  },
});
