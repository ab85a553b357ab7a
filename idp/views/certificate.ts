/*
 * Sign-in with an electronic signature (A4, A5, A8, A9). The server's challenge is a hidden field;
 * the signing-plugin stand-in (/plugin, idp/esign/token.ts) lists the token's certificates, asks
 * its PIN and signs the challenge; the page posts {challenge, certificate, signature} — or what the
 * plugin refused with (wrong PIN, blocked token) — to the interaction, where the server checks
 * everything itself. The page's script is a static file (idp/views/certificate_script.ts); without
 * script (the HTTP scenario driver) the same calls are made by hand.
 */
import { html, type Html } from '../../lib/html.ts';
import { certificateScriptPath } from './certificate_script.ts';
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

/**
 * Sign-in by a certificate installed in the browser, folded: before the browser's own dialogs
 * (an English warning without the test root, then the certificate choice), the person reads what
 * is needed and what will happen, and goes on with «Продолжить».
 */
function tlsSignIn(tlsUrl: string): Html {
  return html`<details class="tls-sign-in" data-testid="esign-tls-details">
<summary>Войти по сертификату, установленному в браузер (TLS)</summary>
<p>Браузер предъявит сертификат из своего хранилища — плагин и PIN-код на этой странице не понадобятся. Заранее:</p>
<ol>
<li>доверьте тестовому корню стенда: <a href="/pki/root.crt" data-testid="esign-tls-root">скачайте root.crt</a> и установите его как доверенный центр сертификации (README стенда, раздел «HTTPS»), иначе браузер покажет английское предупреждение «Your connection is not private»;</li>
<li>установите в браузер сертификат персоны с закрытым ключом (файл .p12, README, раздел «Электронная подпись»).</li>
</ol>
<p>«Продолжить» откроет защищённый адрес стенда, и браузер попросит выбрать сертификат. Без сертификата вход не состоится, и экран назовёт причину.</p>
<div class="actions"><a class="btn secondary" href="${tlsUrl}" data-testid="esign-tls">Продолжить</a></div>
</details>`;
}

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
<p class="field-label" id="esign-file-caption">Или загрузите тестовый файл ключа (PEM: сертификат и закрытый ключ)</p>
<div class="file-picker">
<input type="file" id="esign-file" class="visually-hidden" data-testid="esign-file" accept=".pem,.txt" aria-labelledby="esign-file-caption esign-file-button" aria-describedby="esign-file-name">
<label for="esign-file" class="btn secondary" id="esign-file-button">Выбрать файл</label>
<span class="muted" id="esign-file-name" data-testid="esign-file-name" aria-live="polite">Файл не выбран</span>
</div>
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
${view.tlsUrl ? tlsSignIn(view.tlsUrl) : ''}
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
<script src="${certificateScriptPath}"></script>`,
  );
}
