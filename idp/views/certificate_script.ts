/*
 * The certificate page's half of the signing-plugin stand-in (idp/views/certificate.ts): list the
 * token, load a key file, sign the challenge. Plain ES2020, no build step, served as a static file
 * (/static/esign/plugin.js) so the page needs no inline script.
 */
export const certificateScriptPath = '/static/esign/plugin.js';

export const certificateScript = `(() => {
  const api = '/plugin/api';
  const $ = (id) => document.getElementById(id);
  const form = $('esign-form'), select = $('esign-certificate'), pin = $('esign-pin'), file = $('esign-file'), fileName = $('esign-file-name'), state = $('esign-token-state'), sign = $('esign-sign');
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
    fileName.textContent = chosen ? chosen.name : 'Файл не выбран';
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
