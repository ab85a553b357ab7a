/*
 * Sign-in with an electronic signature (A4, A5, A8, A9). The server's challenge is a hidden field;
 * the signing-plugin stand-in (/plugin, idp/esign/token.ts) lists the token's certificates, asks
 * its PIN and signs the challenge; the page posts {challenge, certificate, signature} — or what the
 * plugin refused with (wrong PIN, blocked token) — to the interaction, where the server checks
 * everything itself. Without script (the HTTP scenario driver) the same calls are made by hand.
 */
import { html, raw, type Html } from '../../lib/html.ts';
import { type Failure, failureAlert, failureReference } from './failure.ts';
import { layout } from './layout.ts';

export interface CertificateView {
  uid: string;
  clientName: string;
  challenge: string;
  /** Why only the signature is offered (step-up, a policy), shown above the plugin. */
  notice?: string;
  /** Whether «Войти по паролю» is offered (not when a signature is required). */
  passwordAllowed: boolean;
  /** The HTTPS address of mutual-TLS sign-in for this interaction, when the HTTPS listener runs. */
  tlsUrl?: string;
  failure?: Failure;
}

/** The page's half of the plugin: list, load a key file, sign. Plain ES2020, no build step. */
const pluginScript = `(() => {
  const api = '/plugin/api';
  const $ = (id) => document.getElementById(id);
  const form = $('esign-form'), select = $('esign-certificate'), pin = $('esign-pin'), file = $('esign-file'), state = $('esign-token-state'), sign = $('esign-sign');
  const json = { 'content-type': 'application/json' };
  const say = (text) => { state.textContent = text; };
  async function refresh(selectId) {
    const res = await fetch(api + '/certificates');
    const token = await res.json();
    select.innerHTML = '';
    for (const c of token.certificates) select.add(new Option(c.label, c.id));
    if (selectId) select.value = selectId;
    select.dataset.loaded = String(token.certificates.length);
    say(token.certificates.length === 0 ? 'На токене нет сертификатов: загрузите файл ключа.' : token.blocked ? 'Токен заблокирован.' : 'Попыток ввода PIN-кода: ' + token.attemptsLeft + ' из ' + token.pinAttempts);
  }
  file.addEventListener('change', async () => {
    const chosen = file.files && file.files[0];
    if (!chosen) return;
    const res = await fetch(api + '/import', { method: 'POST', headers: json, body: JSON.stringify({ pem: await chosen.text() }) });
    const answer = await res.json();
    if (!res.ok) return say(answer.message || 'Файл не загружен');
    await refresh(answer.id);
    select.dataset.imported = answer.id;
  });
  sign.addEventListener('click', async () => {
    if (!select.value) return say('Выберите сертификат или загрузите файл ключа.');
    sign.disabled = true;
    const res = await fetch(api + '/sign', { method: 'POST', headers: json, body: JSON.stringify({ certificate: select.value, pin: pin.value, data: form.elements.challenge.value }) });
    const answer = await res.json();
    if (res.ok) {
      form.elements.certificate.value = answer.certificate;
      form.elements.signature.value = answer.signature;
    } else if (answer.error) {
      form.elements.plugin_error.value = answer.error;
    } else {
      sign.disabled = false;
      return say(answer.message || 'Плагин не ответил');
    }
    form.submit();
  });
  refresh().catch(() => say('Плагин электронной подписи не отвечает.'));
})();`;

export function certificatePage(view: CertificateView): Html {
  return layout(
    { title: 'Вход с электронной подписью', screen: 'certificate', errorCode: view.failure?.code },
    html`<h1>Вход с электронной подписью</h1>
<p class="muted" data-testid="client-name">для входа в «${view.clientName}»</p>
${view.notice ? html`<div class="alert info" data-testid="notice">${view.notice}</div>` : ''}
${failureAlert(view.failure)}
<section class="plugin" data-testid="esign-plugin">
<p class="plugin-label"><b>Плагин электронной подписи — имитация тестового стенда</b> (не КриптоПро ЭЦП Browser plug-in). Ключи хранятся на виртуальном токене стенда; PIN-код проверяет токен.</p>
<label for="esign-certificate">Сертификат на токене</label>
<select id="esign-certificate" data-testid="esign-certificate"></select>
<p class="muted" id="esign-token-state" data-testid="esign-token-state">Плагин загружается…</p>
<label for="esign-file">Или загрузите тестовый файл ключа (PEM: сертификат и закрытый ключ)</label>
<input type="file" id="esign-file" data-testid="esign-file" accept=".pem,.txt">
<label for="esign-pin">PIN-код токена</label>
<input type="password" id="esign-pin" data-testid="esign-pin" autocomplete="off">
</section>
<form id="esign-form" method="post" action="/interaction/${view.uid}/certificate">
<input type="hidden" name="challenge" value="${view.challenge}" data-testid="esign-challenge">
<input type="hidden" name="certificate" value="">
<input type="hidden" name="signature" value="">
<input type="hidden" name="plugin_error" value="">
<div class="actions"><button class="btn primary" type="button" id="esign-sign" data-testid="esign-sign">Подписать и войти</button></div>
</form>
${view.tlsUrl ? html`<p class="muted">Сертификат установлен в браузер? <a href="${view.tlsUrl}" data-testid="esign-tls">Войти по сертификату браузера (TLS)</a></p>` : ''}
${
  view.passwordAllowed
    ? html`<form method="post" action="/interaction/${view.uid}/certificate/back" class="actions"><button class="btn secondary" type="submit" data-testid="login-password">Войти по паролю</button></form>`
    : ''
}
<form method="post" action="/interaction/${view.uid}/abort" class="actions">
<input type="hidden" name="reason" value="${view.failure?.code ?? ''}">
<button class="btn link" type="submit" data-testid="cancel">Отмена — вернуться в систему</button>
</form>
${failureReference(view.failure)}
<script>${raw(pluginScript)}</script>`,
  );
}
