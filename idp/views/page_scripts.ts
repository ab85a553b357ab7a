/*
 * The small scripts of the sign-in screens, each served as a static file (app.ts) so that no page
 * needs an inline script under the Content-Security-Policy. Each reads its inputs from data-*
 * attributes of the page; the server still decides everything.
 */

/** «Получить новый код через N с»: counts the resend wait down on screen (a click too early is refused by name). */
export const countdownScriptPath = '/static/otp.js';
const countdown = `(() => {
  const b = document.querySelector('[data-testid=resend]');
  if (!b) return;
  let left = Number(b.dataset.resendIn);
  if (!(left > 0)) return;
  const t = setInterval(() => {
    left -= 1;
    b.textContent = left > 0 ? 'Получить новый код через ' + left + ' с' : 'Получить новый код';
    if (left <= 0) clearInterval(t);
  }, 1000);
})();`;

/** feature «webauthn»: runs the ceremony on click with @simplewebauthn/browser and posts the result (or the browser's error name). */
export const ceremonyScriptPath = '/static/webauthn/ceremony.js';
const ceremony = `(() => {
  const data = document.getElementById('webauthn-options');
  const form = document.getElementById('webauthn-result');
  const button = document.querySelector('[data-testid=webauthn-start]');
  const options = JSON.parse(data.textContent);
  button.addEventListener('click', async (event) => {
    event.preventDefault();
    button.disabled = true;
    try {
      const answer = data.dataset.mode === 'register'
        ? await SimpleWebAuthnBrowser.startRegistration({ optionsJSON: options })
        : await SimpleWebAuthnBrowser.startAuthentication({ optionsJSON: options });
      form.elements.response.value = JSON.stringify(answer);
    } catch (error) {
      form.elements.error.value = (error && error.name) || 'Error';
    }
    form.submit();
  });
})();`;

/** Submits the form that <body data-autosubmit> names at once (single logout); a button covers browsers without script. */
export const autosubmitScriptPath = '/static/autosubmit.js';
const autosubmit = `(() => {
  const form = document.getElementById(document.body.dataset.autosubmit || '');
  if (form) form.submit();
})();`;

export const pageScripts: ReadonlyMap<string, string> = new Map([
  [countdownScriptPath, countdown],
  [ceremonyScriptPath, ceremony],
  [autosubmitScriptPath, autosubmit],
]);
