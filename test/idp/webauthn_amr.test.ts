/*
 * feature «webauthn»: which factors the tokens name (RFC 8176 amr, and the acr that follows), per
 * way of signing in, as the ФМРМ relying party received them over OIDC (its cabinet shows them).
 */
import test from 'ava';
import { loadScenarios } from '../../scenarios/load.ts';
import { HttpBrowser } from '../../scenarios/runner/http_browser.ts';
import { describeFailure, runScenario } from '../../scenarios/runner/run.ts';
import { sharedStandAndRun } from '../helpers/stand.ts';

const scenarios = new Map((await loadScenarios()).map((s) => [s.id, s]));
const env = sharedStandAndRun();

for (const [id, amr, label] of [
  ['happy-path-password-sms', 'pwd sms mfa', 'пароль + код из СМС (двухфакторный вход)'],
  ['app-code-second-factor', 'pwd otp mfa', 'пароль + одноразовый код (двухфакторный вход)'],
  ['security-key-second-factor', 'pwd hwk mfa', 'пароль + аппаратный ключ (двухфакторный вход)'],
  ['biometric-sign-in', 'hwk fpt mfa', 'аппаратный ключ + биометрия (двухфакторный вход)'],
  ['settings-register-biometric', 'hwk fpt mfa', 'аппаратный ключ + биометрия (двухфакторный вход)'],
] as const) {
  test.serial(`${id}: amr ${amr}`, async (t) => {
    const browser = new HttpBrowser();
    const result = await runScenario(env.stand, scenarios.get(id)!, browser, { run: env.run });
    t.true(result.ok, describeFailure(result));
    t.is(await browser.attribute('sign-in-method', 'data-amr'), amr);
    t.true((await browser.text()).includes(label));
  });
}

// Through the ESIA face the token names one method (urn:esia:amd), which the relying party shows as
// such: the biometric sign-in is MOBILE («биометрия»), a security key after the password is PWD.
for (const [id, amd, amr, label] of [
  ['biometric-sign-in', 'MOBILE', 'fpt', 'биометрия'],
  ['security-key-second-factor', 'PWD', 'pwd', 'пароль'],
] as const) {
  test.serial(`${id} through the ESIA face: ${amd}`, async (t) => {
    const browser = new HttpBrowser();
    const result = await runScenario(env.stand, scenarios.get(id)!, browser, { run: env.run, face: 'esia-v2' });
    t.true(result.ok, describeFailure(result));
    t.is(await browser.attribute('sign-in-method', 'data-amr'), amr);
    t.is(browser.byTestId('sign-in-method')?.textContent, label);
  });
}
