/*
 * The account card of the support console: the account as the register holds it, its certificates,
 * the actions the operator's role allows, and its recent attempts.
 */
import { html, type Html } from '../../lib/html.ts';
import type { AuditRecord } from '../adapters/audit_journal.ts';
import { fullName, type Account } from '../domain/account.ts';
import { may } from './operators.ts';
import { attemptsTable, type ConsoleUser, csrfField, page, when } from './views_frame.ts';

const statusTitles = {
  active: 'активна',
  inactive: 'неактивна (регистрация не завершена)',
  restricted: 'ограничена',
} as const;
const trustTitles = { simplified: 'упрощённая', standard: 'стандартная', confirmed: 'подтверждённая' } as const;

export interface CertificateView {
  serial: string;
  variant: string;
  subject: string;
  issuer: string;
  notBefore: string;
  notAfter: string;
  validity: 'valid' | 'expired' | 'not-yet-valid';
  revoked: { at: string; reason: string } | null;
}

export interface AccountView {
  account: Account;
  /** The account's certificates from the test PKI, with their state in the console's run. */
  certificates: CertificateView[];
  fmrm?: string;
  now: number;
  passwordMaxAgeDays: number;
  attempts: AuditRecord[];
  notice?: Html;
  /** A temporary password or code, shown once. */
  secret?: { value: string; kind: 'reset' | 'code'; expiresAt: string };
}

export function accountPage(user: ConsoleUser, v: AccountView): Html {
  const a = v.account;
  const ageDays = Math.floor((v.now - Date.parse(a.passwordChangedAt)) / 86_400_000);
  const act = (action: string, testid: string, label: string, extra: Html = html``) =>
    html`<form method="post" action="/support/accounts/${a.oid}/${action}">${csrfField(user)}${extra}<button class="btn secondary" type="submit" data-testid="${testid}">${label}</button></form>`;
  return page(
    `${fullName(a)} — консоль поддержки`,
    'support-account',
    user,
    html`<h1 data-testid="support-account-name" data-oid="${a.oid}" data-persona="${a.persona}">${fullName(a)}</h1>
${v.notice ?? ''}
${v.secret ? secretBlock(v.secret) : ''}
<h2>Состояние</h2>
<table class="sup" data-testid="support-state">
<tr><th>Статус</th><td data-testid="support-status" data-value="${a.status}">${statusTitles[a.status]}</td></tr>
<tr><th>Уровень учётной записи</th><td data-testid="support-trust" data-value="${a.trust}">${trustTitles[a.trust]}</td></tr>
<tr><th>Блокировка</th><td data-testid="support-locked" data-value="${a.lockedAt ? 'yes' : 'no'}">${a.lockedAt ? `заблокирована с ${when(a.lockedAt)}` : 'нет'}</td></tr>
<tr><th>Неверных паролей подряд</th><td data-testid="support-failed">${a.failedAttempts}</td></tr>
<tr><th>Пароль сменён</th><td>${when(a.passwordChangedAt)} (${ageDays} дн. назад, предел ${v.passwordMaxAgeDays})</td></tr>
<tr><th>Смена пароля при входе</th><td data-testid="support-must-change" data-value="${a.passwordMustChange ? 'yes' : 'no'}">${a.passwordMustChange ? 'обязательна' : 'нет'}${a.temporaryPasswordExpiresAt ? ` · временный пароль действует до ${when(a.temporaryPasswordExpiresAt)}` : ''}</td></tr>
<tr><th>Последний вход</th><td>${when(a.lastSignInAt)}</td></tr>
<tr><th>Соглашение принято</th><td>${when(a.agreementAcceptedAt)}</td></tr>
</table>
<h2>Данные и факторы входа</h2>
<table class="sup" data-testid="support-factors">
<tr><th>Телефон (СМС-код)</th><td>${a.phone} · ${a.phoneConfirmed ? 'подтверждён' : 'не подтверждён'}</td></tr>
<tr><th>Электронная почта</th><td>${a.email} · ${a.emailConfirmed ? 'подтверждена' : 'не подтверждена'}</td></tr>
<tr><th>СНИЛС</th><td data-testid="support-snils">${a.snils}</td></tr>
<tr><th>ИНН</th><td>${a.inn}</td></tr>
<tr><th>Дата рождения</th><td>${a.birthDate}</td></tr>
<tr><th>Номер в ФМРМ</th><td data-testid="support-fmrm">${v.fmrm ?? 'нет записи в регистре'}</td></tr>
${otherFactors(a)}
</table>
<h2>Действия</h2>
<div class="sup-actions" data-testid="support-actions">
${may(user.role, 'unlock') ? act('unlock', 'support-unlock', 'Снять блокировку') : ''}
${may(user.role, 'temporary_code') ? act('temporary-code', 'support-temporary-code', 'Выдать временный код') : ''}
${may(user.role, 'reset_password') ? act('reset-password', 'support-reset-password', 'Сбросить пароль') : ''}
</div>
${may(user.role, 'temporary_code') ? html`<p class="muted" data-testid="support-identity-check"><b>Сначала проверьте личность:</b> паспорт, СНИЛС и данные о профессиональной регистрации (номер в ФМРМ) должны совпасть с карточкой.</p><p class="muted">Временный код — 8 цифр, продиктуйте по телефону после проверки личности; действует час. Сброс пароля — новый пароль по правилам сложности уходит на подтверждённую почту; действует сутки. В обоих случаях старый пароль сразу перестаёт действовать, а при входе потребуется придумать новый.</p>` : ''}
${may(user.role, 'edit_state') ? stateForm(user, a) : ''}
${certificatesBlock(user, a, v.certificates)}
<h2>Заметки</h2>
${a.notes?.length ? html`<ul data-testid="support-notes">${a.notes.map((n) => html`<li><span class="muted">${when(n.at)}, ${n.by}:</span> ${n.text}</li>`)}</ul>` : html`<p class="muted" data-testid="support-notes">Заметок нет.</p>`}
${
  may(user.role, 'note')
    ? html`<form method="post" action="/support/accounts/${a.oid}/note">${csrfField(user)}<label for="note">Новая заметка</label><textarea id="note" name="text" rows="2" data-testid="support-note-text"></textarea><div class="actions"><button class="btn secondary" type="submit" data-testid="support-add-note">Добавить заметку</button></div></form>`
    : ''
}
<h2>Последние события</h2>
${attemptsTable(v.attempts)}`,
  );
}

/** Fields of the account this console does not know yet (factors other sign-in methods add: keys, apps…), shown as stored; secrets never. */
const knownFields = new Set([
  'oid',
  'persona',
  'lastName',
  'firstName',
  'middleName',
  'gender',
  'birthDate',
  'snils',
  'inn',
  'phone',
  'phoneConfirmed',
  'email',
  'emailConfirmed',
  'trust',
  'status',
  'passwordHash',
  'previousPasswordHashes',
  'passwordChangedAt',
  'passwordMustChange',
  'failedAttempts',
  'lockedAt',
  'agreementAcceptedAt',
  'lastSignInAt',
  'demonstrates',
  'catalogue',
  'temporaryPasswordExpiresAt',
  'notes',
]);

function otherFactors(a: Account): Html {
  const entries = Object.entries(a).filter(
    ([key, value]) =>
      !knownFields.has(key) && !/hash|secret|private|password/i.test(key) && value !== undefined && value !== null,
  );
  return html`${entries.map(([key, value]) => {
    const text = JSON.stringify(value, (k, v: unknown) => (/hash|secret|private/i.test(k) ? '…' : v));
    return html`<tr data-testid="support-factor" data-field="${key}"><th>${key}</th><td><code>${text.length > 240 ? `${text.slice(0, 240)}…` : text}</code></td></tr>`;
  })}`;
}

function secretBlock(secret: { value: string; kind: 'reset' | 'code'; expiresAt: string }): Html {
  return html`<div class="alert info" data-testid="support-secret-block"><strong>${secret.kind === 'code' ? 'Временный код' : 'Временный пароль'} — показан один раз</strong>
<code class="secret" data-testid="support-secret" data-secret="${secret.value}">${secret.value}</code><br>
${secret.kind === 'code' ? 'Продиктуйте код пользователю: он вводит его вместо пароля.' : 'Пароль отправлен на подтверждённую почту пользователя.'} Действует до ${when(secret.expiresAt)}; при входе потребуется сменить пароль.</div>`;
}

const validityTitles = {
  valid: 'действует',
  expired: 'срок истёк',
  'not-yet-valid': 'ещё не начал действовать',
} as const;
const reasonTitles: Record<string, string> = {
  keyCompromise: 'компрометация ключа',
  superseded: 'заменён',
  affiliationChanged: 'изменились сведения',
  cessationOfOperation: 'прекращение деятельности',
  unspecified: 'без причины',
};

function certificatesBlock(user: ConsoleUser, a: Account, certificates: CertificateView[]): Html {
  if (!certificates.length)
    return html`<h2>Сертификаты</h2><p class="muted" data-testid="support-certificates">Сертификатов тестового УЦ у этой записи нет.</p>`;
  const revoke = may(user.role, 'revoke_certificate');
  const reissue = may(user.role, 'reissue_certificate')
    ? html`<form method="post" action="/support/accounts/${a.oid}/certificates/reissue" data-testid="support-reissue-form">${csrfField(user)}<button class="btn secondary" type="submit" data-testid="support-reissue">Перевыпустить сертификат</button></form>
<p class="muted">Перевыпуск: действующий сертификат отзывается с причиной «заменён», тестовый УЦ выпускает новый на год по часам прогона и кладёт его на виртуальный токен этого прогона.</p>`
    : '';
  return html`<h2>Сертификаты</h2>
<table class="sup" data-testid="support-certificates"><tr><th>Серийный номер</th><th>Срок</th><th>Состояние</th></tr>
${certificates.map(
  (c) =>
    html`<tr data-testid="support-certificate" data-serial="${c.serial}" data-variant="${c.variant}" data-revoked="${c.revoked ? 'yes' : 'no'}"><td><code>${c.serial}</code><br><span class="muted">${c.variant}</span></td><td data-testid="support-certificate-validity">${when(c.notBefore)} — ${when(c.notAfter)}</td><td>${validityTitles[c.validity]}${
      c.revoked ? html`<br>отозван ${when(c.revoked.at)} (${reasonTitles[c.revoked.reason] ?? c.revoked.reason})` : ''
    }${
      revoke && !c.revoked
        ? html`<form method="post" action="/support/accounts/${a.oid}/certificates/${c.serial}/revoke">${csrfField(user)}<select name="reason">${Object.entries(reasonTitles).map(([k, t]) => html`<option value="${k}">${t}</option>`)}</select><button class="btn secondary" type="submit" data-testid="support-revoke-${c.variant}">Отозвать</button></form>`
        : ''
    }</td></tr>`,
)}</table>
${reissue}`;
}

function stateForm(user: ConsoleUser, a: Account): Html {
  const select = (name: string, options: Record<string, string>, value: string) =>
    html`<select name="${name}" data-testid="support-state-${name}">${Object.entries(options).map(([k, t]) => html`<option value="${k}"${k === value ? ' selected' : ''}>${t}</option>`)}</select>`;
  const yesNo = { true: 'да', false: 'нет' };
  return html`<h2>Состояние записи (старший оператор)</h2>
<form method="post" action="/support/accounts/${a.oid}/state" data-testid="support-state-form">${csrfField(user)}
<div class="row"><div><label>Статус</label>${select('status', statusTitles, a.status)}</div><div><label>Уровень</label>${select('trust', trustTitles, a.trust)}</div></div>
<div class="row"><div><label>Телефон подтверждён</label>${select('phoneConfirmed', yesNo, String(a.phoneConfirmed))}</div><div><label>Почта подтверждена</label>${select('emailConfirmed', yesNo, String(a.emailConfirmed))}</div></div>
<div class="actions"><button class="btn secondary" type="submit" data-testid="support-save-state">Сохранить состояние</button></div></form>`;
}
