/* First sign-in (G2), after the agreement: offer a second way to sign in — biometrics of this device — or later. */
import { html, type Html } from '../../lib/html.ts';
import { type Failure, failureAlert, failureReference } from './failure.ts';
import { layout } from './layout.ts';

export function factorSetupPage(view: { uid: string; failure?: Failure }): Html {
  return layout(
    { title: 'Настройте второй фактор', screen: 'factor-setup', errorCode: view.failure?.code },
    html`<h1>Настройте второй фактор</h1>
<p>Сейчас вход подтверждается кодом из СМС. Подключите вход по биометрии — отпечатку пальца или лицу на этом устройстве: он быстрее и надёжнее кода.</p>
<p class="muted">Код из приложения и ключ безопасности можно подключить позже в настройках учётной записи.</p>
${failureAlert(view.failure)}
<form method="post" action="/interaction/${view.uid}/setup" class="actions">
<button class="btn primary" type="submit" name="action" value="biometric" data-testid="setup-biometric">Подключить вход по биометрии</button>
<button class="btn link" type="submit" name="action" value="skip" data-testid="setup-skip">Настроить позже</button>
</form>
${failureReference(view.failure)}`,
  );
}
