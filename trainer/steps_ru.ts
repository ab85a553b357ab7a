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
  'login-esign': 'Электронная подпись',
  'login-password': 'Войти по паролю',
  'sign-application': 'Подписать заявление',
};

const apps: Record<string, string> = { idp: 'Госуслуги (эмулятор)', rp: 'ФМРМ', rp2: 'Портал НМО' };

/** What the trainer does for a control step, and whether the run page offers a button for it. */
export function controlLabel(step: Step): string {
  if (step.do === 'advanceClock') return `Перевести часы стенда вперёд на ${typeof step.by === 'number' ? `${step.by} с` : step.by}`;
  if (step.do !== 'control') return '';
  if (step.path.endsWith('/unlock')) return 'Поддержка снимает блокировку учётной записи';
  if (step.method === 'PATCH') return `Пользователь исправляет профиль (${Object.entries(step.body ?? {}).map(([k, v]) => `${k}: ${String(v)}`).join(', ')})`;
  if (step.path.startsWith('/faults')) return `Включить сбой: ${String(step.body?.kind ?? '')}`;
  if (step.path.endsWith('/token')) return `Вставить токен: сертификат ${step.path.split('/')[2] ?? ''} (${String(step.body?.variant ?? 'valid')})`;
  if (step.path.startsWith('/policies/clients/')) return `Включить правило системы: разрешены ${JSON.stringify(step.body?.allowed_methods ?? null)}`;
  return `${step.method} ${step.path}`;
}

export function describeStep(step: Step): string {
  switch (step.do) {
    case 'open':
      return `Откройте ${apps[step.app] ?? step.app}${step.path && step.path !== '/' ? ` (${step.path})` : ''}`;
    case 'click':
      return `Нажмите «${buttons[step.testid] ?? step.testid}»`;
    case 'signIn':
      return `Введите логин ${step.identifier ?? '(телефон персоны)'} и пароль ${step.password === undefined ? '(пароль персоны)' : step.password === '' ? '(оставьте пустым)' : `«${step.password}»`}${step.remember ? ', отметьте «Запомнить меня»' : ''} и нажмите «Войти»`;
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
    case 'esign':
      return `В плагине электронной подписи ${step.keyFile ? `загрузите файл ключа (${step.keyFile.persona ?? 'персона'}, ${step.keyFile.variant ?? 'valid'}), ` : step.certificate ? `выберите сертификат ${step.certificate}, ` : ''}введите PIN-код ${step.pin ?? '12345678'} и нажмите «Подписать и войти»${step.challenge || step.tamper ? ' (подмена запроса или подписи проверяется автотестом)' : ''}`;
    case 'expect':
      return `Убедитесь: экран «${step.expect.screen ?? ''}»${step.expect.error ? `, ошибка ${step.expect.error}` : ''}`;
    case 'repeat':
      return `Повторите ${step.times} раз: ${step.steps.map(describeStep).join('; ')}`;
  }
}
