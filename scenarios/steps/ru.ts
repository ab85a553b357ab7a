/* Words the Russian step descriptions share: button names by data-testid, field names, placeholders. */

export const buttons: Record<string, string> = {
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
  // «Мои услуги» (G1): the emulator's own front page and the tiles
  'idp-sign-in': 'Войти на Госуслуги как пользователь',
  'service-fmrm': 'ФМРМ',
  'service-nmo-portal': 'Портал НМО',
};

export const fieldNames: Record<string, string> = {
  q: 'Поиск',
  text: 'Новая заметка',
  code: 'Код с экрана ошибки',
  login: 'Логин',
  password: 'Пароль',
};

const placeholders: Record<string, string> = {
  snils: 'СНИЛС персоны',
  phone: 'телефон персоны',
  email: 'почта персоны',
  password: 'пароль персоны',
  inn: 'ИНН персоны',
};

/** `$persona.snils` → «СНИЛС персоны», `$remembered.ref` → «запомненное значение (ref)». */
export function valueText(value: string): string {
  return value
    .replace(/\$persona\.(\w+)/g, (m, key: string) => placeholders[key] ?? m)
    .replace(/\$remembered\.(\w+)/g, (_m, key: string) => `запомненное значение (${key})`)
    .replace(/^\s+$/, '(пробелы)');
}

/** The name of the button or link with this data-testid, as the page shows it. */
export function buttonRu(testid: string): string {
  return buttons[testid] ?? testid;
}
