/*
 * feature «webauthn»: which factors the tokens name (RFC 8176 amr, and the acr that follows), per
 * way of signing in, as the ФМРМ relying party received them over OIDC (its cabinet shows them).
 */
import test from 'ava';
import { loadScenarios } from '../../scenarios/load.ts';
import { HttpBrowser } from '../../scenarios/runner/http_browser.ts';
import { describeFailure, runScenario } from '../../scenarios/runner/run.ts';
import { newRun, type Stand, startStand } from '../../scenarios/runner/stand.ts';

const scenarios = new Map((await loadScenarios()).map((s) => [s.id, s]));
let stand: Stand;
let run: string;
test.before(async () => {
  stand = await startStand();
  run = (await newRun(stand)).run;
});
test.after.always(async () => {
  await stand?.close();
});

for (const [id, amr, label] of [
  ['happy-path-password-sms', 'pwd sms mfa', 'пароль + код из СМС (двухфакторный вход)'],
  ['app-code-second-factor', 'pwd otp mfa', 'пароль + одноразовый код (двухфакторный вход)'],
  ['security-key-second-factor', 'pwd hwk mfa', 'пароль + аппаратный ключ (двухфакторный вход)'],
  ['biometric-sign-in', 'hwk fpt mfa', 'аппаратный ключ + биометрия (двухфакторный вход)'],
  ['settings-register-biometric', 'hwk fpt mfa', 'аппаратный ключ + биометрия (двухфакторный вход)'],
] as const) {
  test.serial(`${id}: amr ${amr}`, async (t) => {
    const browser = new HttpBrowser();
    const result = await runScenario(stand, scenarios.get(id)!, browser, { run });
    t.true(result.ok, describeFailure(result));
    t.is(await browser.attribute('sign-in-method', 'data-amr'), amr);
    t.true((await browser.text()).includes(label));
  });
}
