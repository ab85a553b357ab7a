/* First sign-in (G2): the user agreement must be accepted before anything is shared with a system. */
import { html, type Html } from '../../lib/html.ts';
import { layout } from './layout.ts';

export function agreementPage(view: { uid: string; clientName: string }): Html {
  return layout(
    { title: 'Пользовательское соглашение', screen: 'agreement' },
    html`<h1>Пользовательское соглашение</h1>
<p>Это ваш первый вход. Чтобы продолжить вход в «${view.clientName}», примите соглашение.</p>
<div class="agreement" data-testid="agreement-text">
<p>1. Учётная запись используется для входа в государственные информационные системы, в том числе ФМРМ.</p>
<p>2. Вы даёте согласие на передачу системе, в которую входите, ваших ФИО, СНИЛС, ИНН, даты рождения, контактов и уровня учётной записи.</p>
<p>3. Вы обязуетесь не передавать пароль и одноразовые коды третьим лицам.</p>
<p>4. Это тестовый стенд: все данные вымышлены, юридической силы соглашение не имеет.</p>
</div>
<form method="post" action="/interaction/${view.uid}/agreement" class="actions">
<button class="btn primary" type="submit" name="decision" value="accept" data-testid="accept">Принимаю</button>
<button class="btn link" type="submit" name="decision" value="decline" data-testid="decline">Не принимаю</button>
</form>`,
  );
}
