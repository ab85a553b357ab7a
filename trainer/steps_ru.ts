/* Scenario steps as instructions a trainer can follow by hand, in Russian. */
import type { Step } from '../scenarios/schema.ts';

const buttons: Record<string, string> = {
  'login-esia': 'Войти через Госуслуги',
  cancel: 'Отмена — вернуться в систему',
  'no-phone': 'Нет доступа к телефону',
  back: 'Вернуться в систему',
  logout: 'Выйти',
  'logout-local': 'Выйти только из ФМРМ',
  resend: 'Получить новый код',
  accept: 'Принимаю',
  decline: 'Не принимаю',
  submit: 'Войти',
  // feature «webauthn»
  biometric: 'Войти по биометрии',
  'webauthn-start': 'Продолжить',
  'use-password': 'Войти по паролю',
  'add-biometric': 'Подключить вход по биометрии',
  'add-key': 'Добавить ключ безопасности',
  'add-totp': 'Подключить',
  'remove-credential-0': 'Удалить',
  'setup-biometric': 'Подключить вход по биометрии',
  'setup-skip': 'Настроить позже',
  'switch-sms': 'Код по СМС',
  'switch-totp': 'Код из приложения',
  'switch-key': 'Ключ безопасности',
};

const factorsRu: Record<string, string> = { sms: 'кодом из СМС', totp: 'кодом из приложения', key: 'ключом безопасности' };

/** feature «webauthn»: what the user does with the phone or the key. */
function describeWebauthn(step: Extract<Step, { do: 'webauthn' }>): string {
  if (step.forge) {
    const what = step.forge.replay ? 'повторно отправляет прошлый ответ устройства' : step.forge.origin ? `подделывает адрес сайта (${step.forge.origin})` : step.forge.rpId ? `подписывает вход для другого сайта (${step.forge.rpId})` : step.forge.dropUv ? 'отправляет ответ без проверки личности' : 'отправляет ответ чужого устройства';
    return `Злоумышленник ${what} — проверяется автотестом`;
  }
  if (step.cancel) return 'Нажмите «Продолжить», затем «Отмена» в окне браузера';
  const device = step.authenticator ? `устройство «${step.authenticator}» (тестовый ключ)` : 'своё устройство';
  if (step.userVerified === false) return `Нажмите «Продолжить» и не подтверждайте отпечаток/лицо на ${device}`;
  return `Нажмите «Продолжить» и подтвердите отпечатком, лицом или касанием ключа — ${device}${step.signCount !== undefined ? ` (копия ключа со счётчиком ${step.signCount})` : ''}`;
}

const apps: Record<string, string> = { idp: 'Госуслуги (эмулятор)', rp: 'ФМРМ', rp2: 'Портал НМО' };

/** What the trainer does for a control step, and whether the run page offers a button for it. */
export function controlLabel(step: Step): string {
  if (step.do === 'advanceClock') return `Перевести часы стенда вперёд на ${typeof step.by === 'number' ? `${step.by} с` : step.by}`;
  if (step.do !== 'control') return '';
  if (step.path.endsWith('/unlock')) return 'Поддержка снимает блокировку учётной записи';
  if (step.method === 'PATCH') return `Пользователь исправляет профиль (${Object.entries(step.body ?? {}).map(([k, v]) => `${k}: ${String(v)}`).join(', ')})`;
  if (step.path.startsWith('/faults')) return `Включить сбой: ${String(step.body?.kind ?? '')}`;
  return `${step.method} ${step.path}`;
}

export function describeStep(step: Step): string {
  switch (step.do) {
    case 'open':
      return `Откройте ${apps[step.app] ?? step.app}${step.path && step.path !== '/' ? ` (${step.path})` : ''}`;
    case 'click':
      return `Нажмите «${buttons[step.testid] ?? step.testid}»`;
    case 'signIn':
      return `Введите логин ${step.identifier ?? '(телефон персоны)'} и пароль ${step.password === undefined ? '(пароль персоны)' : step.password === '' ? '(оставьте пустым)' : `«${step.password}»`}${step.remember ? ', отметьте «Запомнить меня»' : ''}${step.factor && step.factor !== 'sms' ? `, выберите «подтвердить ${factorsRu[step.factor]}»` : ''} и нажмите «Войти»`;
    case 'enterCode':
      if (step.code === undefined || step.code === '$sms') return 'Введите код из последнего СМС (см. «Входящие СМС»)';
      if (step.code === '$sms.previous') return 'Введите код из предыдущего СМС';
      return `Введите неверный код ${step.code}`;
    case 'resendCode':
      return 'Нажмите «Получить новый код»';
    case 'changePassword':
      return `Введите новый пароль «${step.password}»${step.repeat && step.repeat !== step.password ? ` и повтор «${step.repeat}»` : ' дважды'}`;
    case 'agreement':
      return step.accept ? 'Нажмите «Принимаю»' : 'Нажмите «Не принимаю»';
    case 'advanceClock':
    case 'control':
      return controlLabel(step);
    case 'closeBrowser':
      return 'Закройте браузер целиком и откройте его снова';
    case 'request':
      return 'Технический запрос, который браузер сам не отправит (проверяется автотестом)';
    case 'esiaAuthorize':
      return `Система отправляет в ЕСИА подписанный запрос на вход (${step.version ?? 'v2'}${step.tamper ? `, намеренно испорчен: ${step.tamper}` : ''})`;
    case 'esiaToken':
      return `Система обменивает код на маркеры (${step.version === 'v1' ? '/te' : '/v3/te'}${step.tamper ? `, намеренно испорчен: ${step.tamper}` : ''}) — проверяется автотестом`;
    case 'biometricSignIn':
      return `Нажмите «Войти по биометрии»${step.identifier ? `, указав логин ${step.identifier}` : ' (логин не вводите)'}`;
    case 'webauthn':
      return describeWebauthn(step);
    case 'enterAppCode':
      if (step.code !== undefined) return `Введите неверный код из приложения ${step.code}`;
      if (step.stepOffset) return `Введите код из приложения на телефоне, часы которого ${step.stepOffset < 0 ? 'отстают' : 'спешат'} на ${Math.abs(step.stepOffset) * 30} с`;
      return 'Введите код из приложения (текущий код показывает «Управление стендом»: /__control/accounts/<персона>/totp)';
    case 'expect':
      return `Убедитесь: экран «${step.expect.screen ?? ''}»${step.expect.error ? `, ошибка ${step.expect.error}` : ''}`;
    case 'repeat':
      return `Повторите ${step.times} раз: ${step.steps.map(describeStep).join('; ')}`;
  }
}
