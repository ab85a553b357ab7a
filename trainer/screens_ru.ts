/*
 * Screens (body[data-screen]) and outcomes in words a trainer reads on the walk-through page:
 * «экран „Личный кабинет ФМРМ“, ошибка „Учётная запись заблокирована“» instead of the ids.
 */
import { catalogue } from '../idp/errors/catalogue.ts';
import { rpErrors } from '../relying-party/errors.ts';

const screens: Record<string, string> = {
  home: 'Главная страница эмулятора Госуслуг',
  login: 'Вход на Госуслуги (логин и пароль)',
  otp: 'Ввод кода из СМС',
  totp: 'Ввод кода из приложения',
  'totp-enrol': 'Подключение приложения для кодов',
  'security-key': 'Вход по ключу безопасности',
  biometric: 'Вход по биометрии',
  'webauthn-register': 'Подключение биометрии или ключа безопасности',
  'factor-setup': 'Настройка второго фактора',
  certificate: 'Вход с электронной подписью',
  agreement: 'Пользовательское соглашение',
  consent: 'Согласие на доступ к данным',
  'confirm-contact': 'Подтверждение номера телефона или почты',
  'password-change': 'Смена пароля',
  recovery: 'Восстановление доступа',
  'recovery-code': 'Восстановление доступа: ввод кода',
  'recovery-password': 'Восстановление доступа: новый пароль',
  error: 'Сообщение об ошибке на Госуслугах',
  account: 'Настройки учётной записи на Госуслугах',
  'my-services': 'Мои услуги на Госуслугах',
  logout: 'Выход с Госуслуг',
  'logged-out': 'Вы вышли с Госуслуг',
  'esia-consent': 'Согласие на доступ к данным (протокол ЕСИА)',
  'esia-error': 'Сообщение об ошибке (протокол ЕСИА)',
  'esia-diagnostics': 'Диагностика отклонённого запроса (протокол ЕСИА)',
  'esia-logged-out': 'Вы вышли (протокол ЕСИА)',
  'system-callback': 'Тестовая система: ответ ЕСИА',
  'rp-home': 'Главная страница ФМРМ',
  cabinet: 'Личный кабинет ФМРМ',
  'rp-error': 'Сообщение об ошибке в ФМРМ',
  'rp-logged-out': 'Вы вышли из ФМРМ',
  'rp-application-signed': 'Заявление подписано (ФМРМ)',
  'rp-personal': 'Личные данные в ФМРМ',
  'rp-personal-edit': 'Редактирование личных данных в ФМРМ',
  'rp-personal-history': 'История изменений личных данных в ФМРМ',
  'fmrm-nmo': 'Кабинет ФМРМ: пройденные мероприятия НМО',
  'nmo-events': 'Портал НМО: мероприятия',
  'nmo-event': 'Портал НМО: страница мероприятия',
  'nmo-my-events': 'Портал НМО: мои мероприятия и свидетельства',
  'nmo-certificate': 'Портал НМО: проверка свидетельства',
  'reviewer-events': 'Консоль проверяющего: мероприятия (отметка о завершении)',
  'rp-notifications': 'Уведомления в личном кабинете ФМРМ',
  'support-login': 'Консоль поддержки: вход оператора',
  'support-home': 'Консоль поддержки: главная',
  'support-search': 'Консоль поддержки: поиск',
  'support-account': 'Консоль поддержки: карточка пользователя',
  'support-ref': 'Консоль поддержки: попытка по коду обращения',
  'support-unlock': 'Консоль поддержки: снятие блокировки',
  'support-temporary-code': 'Консоль поддержки: временный код',
  'support-reset-password': 'Консоль поддержки: сброс пароля',
  documents: 'Документы в кабинете ФМРМ',
  'documents-upload': 'Загрузка документа (ФМРМ)',
  document: 'Документ, его файлы и история (ФМРМ)',
  'reviewer-login': 'Консоль проверяющего: вход',
  'reviewer-home': 'Консоль проверяющего: разделы',
  'reviewer-queue': 'Консоль проверяющего: документы на проверке',
  'reviewer-document': 'Консоль проверяющего: документ',
};

/** The relying parties' shared screens as Портал НМО shows them: the same pages under the other portal's name. */
const nmoScreens: Record<string, string> = {
  'rp-home': 'Главная страница Портала НМО',
  cabinet: 'Личный кабинет Портала НМО',
  'rp-error': 'Сообщение об ошибке на Портале НМО',
  'rp-logged-out': 'Вы вышли из Портала НМО',
};

const errorTitles: Record<string, string> = Object.fromEntries(
  [...Object.entries(catalogue), ...Object.entries(rpErrors)].map(([code, entry]) => [code, entry.title]),
);

/** «Личный кабинет ФМРМ» (of Портал НМО when `app` is rp2); an id without a name stays as it is, so a new screen still reads. */
export function screenName(screen: string, app?: string): string {
  return (app === 'rp2' ? nmoScreens[screen] : undefined) ?? screens[screen] ?? screen;
}

/**
 * «экран «Личный кабинет ФМРМ», без ошибки» / «…, ошибка «Учётная запись заблокирована»»; an error
 * left out of the expectation is not checked, so it is not mentioned either.
 */
export function outcomeText(expect: { app?: string; screen?: string; error?: string }): string {
  const screen = expect.screen ? `экран «${screenName(expect.screen, expect.app)}»` : '';
  const error =
    expect.error === 'none'
      ? 'без ошибки'
      : expect.error
        ? `ошибка «${errorTitles[expect.error] ?? expect.error}»`
        : '';
  return [screen, error].filter(Boolean).join(', ');
}
