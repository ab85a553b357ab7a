/*
 * Security e-mails to the account's confirmed address: a new sign-in, a
 * changed password, a locked account, a requested recovery code. They land in the run's e-mail
 * inbox (GET /__control/inbox/email) with `kind` and `subject`. They carry no secret: no password,
 * no code (the code itself goes only in the recovery code e-mail, kind `recovery.code`).
 * An unconfirmed address gets nothing, as the real portal writes only to confirmed contacts.
 */
import type { Account } from '../domain/account.ts';
import { moscowTime } from '../domain/outage.ts';
import type { Outbox } from './outbox.ts';

export type SecurityNotice =
  | 'security.sign_in'
  | 'security.password_changed'
  | 'security.account_locked'
  | 'security.code_requested';

const signature =
  '\n\nЕсли это были не вы, срочно смените пароль и обратитесь в службу поддержки.\nТЕСТОВЫЙ СТЕНД ЕСИА — письмо не настоящее.';

const amrText: Record<string, string> = {
  pwd: 'пароль',
  sms: 'код из СМС',
  otp: 'код из письма',
  mfa: '',
  hwk: 'ключ',
  swk: 'электронная подпись',
  face: 'биометрия',
};

export interface NoticeFacts {
  /** ISO instant of the event (the run's clock). */
  at: string;
  /** The system the user signed in to. */
  system?: string;
  /** amr of the sign-in. */
  amr?: string[];
  /** How the password changed: «по истечении срока» or «восстановление доступа». */
  how?: string;
  /** Where a recovery code went, masked. */
  channel?: string;
}

/** Subject and text of a notice. Pure. */
export function securityNotice(kind: SecurityNotice, facts: NoticeFacts): { subject: string; text: string } {
  const when = moscowTime(facts.at);
  switch (kind) {
    case 'security.sign_in': {
      const how = (facts.amr ?? [])
        .map((m) => amrText[m] ?? m)
        .filter(Boolean)
        .join(' + ');
      return {
        subject: 'Вход в учётную запись Госуслуг',
        text: `Выполнен вход в вашу учётную запись ${when}${facts.system ? ` для входа в «${facts.system}»` : ''}${how ? `. Способ входа: ${how}` : ''}.${signature}`,
      };
    }
    case 'security.password_changed':
      return {
        subject: 'Пароль изменён',
        text: `Пароль от вашей учётной записи изменён ${when}${facts.how ? ` (${facts.how})` : ''}.${signature}`,
      };
    case 'security.account_locked':
      return {
        subject: 'Учётная запись заблокирована',
        text: `${when} учётная запись заблокирована после нескольких неверных попыток ввода пароля. Снять блокировку может служба поддержки: возьмите паспорт и СНИЛС.${signature}`,
      };
    case 'security.code_requested':
      return {
        subject: 'Запрошено восстановление доступа',
        text: `${when} запрошен код для восстановления доступа к учётной записи${facts.channel ? `; код отправлен: ${facts.channel}` : ''}.${signature}`,
      };
  }
}

/** Sends a notice to the account's e-mail if it is confirmed; returns whether one was sent. */
export function notify(outbox: Outbox, account: Account, kind: SecurityNotice, facts: NoticeFacts): boolean {
  if (!account.emailConfirmed) return false;
  const { subject, text } = securityNotice(kind, facts);
  outbox.send('email', account.email, text, undefined, { subject, kind });
  return true;
}
