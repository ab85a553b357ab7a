/* Scenario steps as instructions a trainer can follow by hand, in Russian. */
import type { Step } from '../scenarios/schema.ts';
import { outcomeText } from './screens_ru.ts';

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
  'forgot-password': 'Забыли пароль?',
  'no-access': 'Нет доступа ни к телефону, ни к почте',
  'recovery-restart': 'Указать другой телефон, почту или СНИЛС',
  'back-to-login': 'Вернуться ко входу',
  'confirm-contact': 'Подтвердить номер / почту',
  'retry-login': 'Войти снова',
  'support-find': 'Найти',
  'support-open-0': 'первый найденный пользователь',
  'support-unlock': 'Снять блокировку',
  'support-temporary-code': 'Выдать временный код',
  'support-reset-password': 'Сбросить пароль',
  'support-add-note': 'Добавить заметку',
  'support-ref-find': 'Показать попытку',
  'login-esign': 'Электронная подпись',
  'login-password': 'Войти по паролю',
  'sign-application': 'Подписать заявление',
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
  'consent-allow': 'Разрешить',
  'consent-deny': 'Отказать',
};

const fieldNames: Record<string, string> = { q: 'Поиск', text: 'Новая заметка', code: 'Код с экрана ошибки', login: 'Логин', password: 'Пароль' };
const placeholders: Record<string, string> = { snils: 'СНИЛС персоны', phone: 'телефон персоны', email: 'почта персоны', password: 'пароль персоны', inn: 'ИНН персоны' };

const retypedRu = { 'lowercase-without-dash': 'строчными буквами и без дефиса', 'space-for-dash': 'с пробелом вместо дефиса' } as const;

/** `$persona.snils` → «СНИЛС персоны», `$remembered.ref` → «запомненное значение (ref)». */
function valueText(value: string): string {
  return value
    .replace(/\$persona\.(\w+)/g, (m, key: string) => placeholders[key] ?? m)
    .replace(/\$remembered\.(\w+)/g, (_m, key: string) => `запомненное значение (${key})`)
    .replace(/^\s+$/, '(пробелы)');
}

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
  if (step.path.startsWith('/outage')) return step.method === 'DELETE' ? 'Госуслуги снова работают (режим недоступности снят)' : `Объявить ${step.body?.mode === 'maintenance' ? 'технические работы' : 'сбой'} на Госуслугах`;
  if (step.path.endsWith('/token')) return `Вставить токен: сертификат ${step.path.split('/')[2] ?? ''} (${String(step.body?.variant ?? 'valid')})`;
  if (step.path.startsWith('/policies/clients/')) return `Включить правило системы: разрешены ${JSON.stringify(step.body?.allowed_methods ?? null)}`;
  return `${step.method} ${step.path}`;
}

export function describeStep(step: Step): string {
  switch (step.do) {
    case 'open':
      return `Откройте ${apps[step.app] ?? step.app}${step.path && step.path !== '/' ? ` (${step.path})` : ''}`;
    case 'click':
      if (step.fields?.identifier !== undefined) return `Введите ${step.fields.identifier || '(оставьте пустым)'} и нажмите «Получить код»`;
      return `Нажмите «${buttons[step.testid] ?? step.testid}»`;
    case 'signIn':
      return `Введите логин ${step.identifier ?? '(телефон персоны)'} и пароль ${step.password === undefined ? '(пароль персоны)' : step.password === '' ? '(оставьте пустым)' : step.password.startsWith('$') ? valueText(step.password) : `«${step.password}»`}${step.remember ? ', отметьте «Запомнить меня»' : ''}${step.factor && step.factor !== 'sms' ? `, выберите «подтвердить ${factorsRu[step.factor]}»` : ''} и нажмите «Войти»`;
    case 'enterCode':
      if (step.code === undefined || step.code === '$sms') return 'Введите код из последнего СМС (см. «Входящие СМС»)';
      if (step.code === '$sms.previous') return 'Введите код из предыдущего СМС';
      if (step.code === '$email') return 'Введите код из последнего письма (см. «Входящие письма»)';
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
    case 'inbox':
      return `Проверьте ${step.channel === 'email' ? 'входящие письма' : 'входящие СМС'}${step.kind ? ` (${step.kind})` : ''}${step.text?.length ? `: в последнем есть «${step.text.join('», «')}»` : ''}${step.count !== undefined ? `: писем ${step.count}` : ''}`;
    case 'operatorSignIn':
      return `Откройте консоль поддержки (/support) и войдите как оператор «${step.login}» (пароль ${step.password ?? 'Operator-1234'})`;
    case 'fill':
      return `Заполните ${Object.entries(step.fields).map(([k, v]) => `«${fieldNames[k] ?? k}»: ${valueText(v)}`).join(', ')} и нажмите «${buttons[step.testid] ?? step.testid}»`;
    case 'remember':
      if (step.testid !== 'ref-code') return 'Запомните показанный временный код — он понадобится при входе';
      return `Запишите код обращения с экрана ошибки${step.retype ? ` — оператор наберёт его так, как услышит: ${retypedRu[step.retype]}` : ''}`;
    case 'esign':
      return `В плагине электронной подписи ${step.keyFile ? `загрузите файл ключа (${step.keyFile.persona ?? 'персона'}, ${step.keyFile.variant ?? 'valid'}), ` : step.certificate ? `выберите сертификат ${step.certificate}, ` : ''}введите PIN-код ${step.pin ?? '12345678'} и нажмите «Подписать и войти»${step.challenge || step.tamper ? ' (подмена запроса или подписи проверяется автотестом)' : ''}`;
    case 'biometricSignIn':
      return `Нажмите «Войти по биометрии»${step.identifier ? `, указав логин ${step.identifier}` : ' (логин не вводите)'}`;
    case 'webauthn':
      return describeWebauthn(step);
    case 'enterAppCode':
      if (step.code !== undefined) return `Введите неверный код из приложения ${step.code}`;
      if (step.stepOffset) return `Введите код из приложения на телефоне, часы которого ${step.stepOffset < 0 ? 'отстают' : 'спешат'} на ${Math.abs(step.stepOffset) * 30} с`;
      return 'Введите код из приложения (текущий код показывает «Управление стендом»: /__control/accounts/<персона>/totp)';
    case 'oidcAuthorize':
      return `Сторонняя система «Запись к врачу» отправляет пользователя на вход через Госуслуги (OIDC${step.prompt ? `, prompt=${step.prompt}` : ''})`;
    case 'expect':
      return `Убедитесь: ${outcomeText(step.expect)}`;
    case 'repeat':
      return `Повторите ${step.times} раз: ${step.steps.map(describeStep).join('; ')}`;
  }
}
