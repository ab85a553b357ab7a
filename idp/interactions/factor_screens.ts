/* feature «webauthn»: the screens of the stages it adds (app code, security key, biometric sign-in, set-up at first login). */
import { html } from '../../lib/html.ts';
import type { Account } from '../domain/account.ts';
import type { Failure } from '../views/failure.ts';
import { factorSetupPage } from '../views/factor_setup.ts';
import { loginPage } from '../views/login.ts';
import { totpPage } from '../views/totp.ts';
import { ceremonyPage, factorSwitch } from '../views/webauthn.ts';
import { availableFactors } from './factors.ts';
import { render, type Step } from './step.ts';

export function renderFactorStage(step: Step, account: Account | undefined, failure?: Failure): void {
  const { journey, uid, s } = step;
  const ceremony = journey.ceremony;
  if (journey.stage === 'biometric' && ceremony) {
    return render(
      step,
      ceremonyPage({
        screen: 'biometric',
        title: 'Вход по биометрии',
        lead: 'Нажмите «Продолжить» и подтвердите вход отпечатком пальца, лицом или PIN-кодом устройства.',
        mode: 'authenticate',
        attachment: 'platform',
        options: ceremony.options,
        action: `/interaction/${uid}/biometric/finish`,
        failure,
        after: html`<form method="post" action="/interaction/${uid}/biometric/back" class="actions"><button class="btn link" type="submit" data-testid="use-password">Войти по паролю</button></form>`,
      }),
    );
  }
  // A stage without its state (not reachable by the screens): back to the login page.
  const toLogin = () =>
    render(step, loginPage({ uid, clientName: step.clientName, remember: journey.remember, failure }));
  if (!account) return toLogin();
  if (journey.stage === 'totp') {
    const notice = journey.notice;
    journey.notice = undefined;
    return render(
      step,
      totpPage({
        uid,
        digits: s.config.totp.digits,
        failure,
        notice,
        after: factorSwitch(uid, 'totp', availableFactors(account)),
      }),
    );
  }
  if (journey.stage === 'key' && ceremony) {
    return render(
      step,
      ceremonyPage({
        screen: 'security-key',
        title: 'Ключ безопасности',
        lead: 'Вставьте ключ безопасности (токен) или поднесите его к устройству, нажмите «Продолжить» и коснитесь ключа.',
        mode: 'authenticate',
        attachment: 'roaming',
        options: ceremony.options,
        action: `/interaction/${uid}/key`,
        failure,
        after: factorSwitch(uid, 'key', availableFactors(account)),
      }),
    );
  }
  if (journey.stage === 'factor_setup' && ceremony) {
    return render(
      step,
      ceremonyPage({
        screen: 'webauthn-register',
        title: 'Вход по биометрии',
        lead: 'Нажмите «Продолжить» и подтвердите отпечатком пальца, лицом или PIN-кодом: устройство запомнит ключ для входа на Госуслуги.',
        mode: 'register',
        attachment: 'platform',
        options: ceremony.options,
        action: `/interaction/${uid}/setup`,
        fields: html`<input type="hidden" name="action" value="biometric-finish">`,
        failure,
        after: html`<form method="post" action="/interaction/${uid}/setup" class="actions"><button class="btn link" type="submit" name="action" value="skip" data-testid="setup-skip">Настроить позже</button></form>`,
      }),
    );
  }
  if (journey.stage === 'factor_setup') return render(step, factorSetupPage({ uid, failure }));
  return toLogin();
}
