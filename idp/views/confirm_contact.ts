/*
 * B1, B2: confirming the phone or e-mail inside the sign-in — the offer under the refusal, and the
 * screen for the code that went to that phone (SMS) or address (e-mail).
 */
import { html, type Html } from '../../lib/html.ts';
import { codeForms, type CodeScreenView } from './otp.ts';
import { type Failure, failureAlert, failureReference } from './failure.ts';
import { layout } from './layout.ts';

export type ContactChannel = 'sms' | 'email';

/** «Подтвердить номер» / «Подтвердить почту» under the refusal; `failure` is a send that did not go out. */
export function confirmOffer(uid: string, channel: ContactChannel, failure?: Failure): Html {
  return html`${failureAlert(failure)}
<form method="post" action="/interaction/${uid}/confirm" class="actions">
<button class="btn primary" type="submit" data-testid="confirm-contact" data-channel="${channel}">${channel === 'sms' ? 'Подтвердить номер' : 'Подтвердить почту'}</button>
</form>`;
}

export interface ConfirmContactView extends CodeScreenView {
  channel: ContactChannel;
  /** The masked phone or address the code went to. */
  sentTo: string;
}

export function confirmContactPage(view: ConfirmContactView): Html {
  const sms = view.channel === 'sms';
  return layout(
    {
      title: sms ? 'Подтверждение номера' : 'Подтверждение почты',
      screen: 'confirm-contact',
      errorCode: view.failure?.code,
    },
    html`<h1>${sms ? 'Подтвердите номер телефона' : 'Подтвердите электронную почту'}</h1>
<p>Код отправлен ${sms ? 'в СМС на номер' : 'в письме на адрес'} <b data-testid="confirm-sent-to">${view.sentTo}</b>. Введите его, и вход продолжится.</p>
${view.notice ? html`<div class="alert info" data-testid="notice">${view.notice}</div>` : ''}
${failureAlert(view.failure)}
${codeForms({ check: `/interaction/${view.uid}/confirm/code`, resend: `/interaction/${view.uid}/confirm` }, view)}
${failureReference(view.failure)}`,
  );
}
