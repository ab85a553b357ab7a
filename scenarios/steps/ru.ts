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
  // Документы и консоль проверяющего (G5)
  'tab-documents': 'Документы',
  'upload-open': 'Загрузить документ',
  'upload-submit': 'Загрузить',
  'reupload-submit': 'Загрузить повторно',
  'filter-apply': 'Показать',
  'document-link': 'первый документ в списке',
  'request-status': 'Запросить статус',
  'reviewer-sign-in': 'Войти',
  'reviewer-section': 'Документы на проверке',
  'queue-open': 'первый документ в очереди',
  'decision-accept': 'Принять',
  'decision-reject': 'Отклонить',
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
  specialty: 'Специальность',
  region: 'Регион',
  from: 'С',
  to: 'По',
  type: 'Тип документа',
  status: 'Статус',
  title: 'Название и номер',
  comment: 'Комментарий',
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

/** Buttons repeated per item, their testid ending in the item's id (Портал НМО's events: register-<event id>). */
const perItem: Array<[RegExp, string]> = [
  [/^register-/, 'Зарегистрироваться'],
  [/^cancel-/, 'Отменить регистрацию'],
  [/^certificate-/, 'Получить свидетельство'],
  [/^open-/, 'название мероприятия'],
  [/^tab-events$/, 'Мероприятия'],
  [/^tab-my-events$/, 'Мои мероприятия'],
  [/^tab-nmo$/, 'НМО'],
  [/^apply-filter$/, 'Показать'],
  [/^complete-/, 'Отметить завершённым'],
  [/^reviewer-sign-in$/, 'Войти (консоль проверяющего)'],
];

/** The name of the button or link with this data-testid, as the page shows it. */
export function buttonRu(testid: string): string {
  return buttons[testid] ?? perItem.find(([pattern]) => pattern.test(testid))?.[1] ?? testid;
}
