/* A whole sign-in over HTTP through a relying party: its login button, the emulator's password and SMS screens, back to its cabinet. */
import { HttpBrowser } from '../../scenarios/runner/http_browser.ts';

/** The screen the browser ends on (`cabinet` when the relying party let the persona in). */
export async function signInThrough(
  rpUrl: string,
  idpUrl: string,
  identifier = '+79000000001',
  password = 'Test-1234',
  b = new HttpBrowser(),
  /** The emulator's run the browser is in (its esia_run cookie), whose SMS inbox holds the code. */
  run?: string,
): Promise<{ screen: string; browser: HttpBrowser }> {
  await b.goto(`${rpUrl}/login`);
  if (b.screen() !== 'login') return { screen: b.screen(), browser: b };
  await b.click('submit', { identifier, password });
  if (b.screen() === 'otp') {
    const inbox = (await (
      await fetch(`${idpUrl}/__control/inbox/sms?to=${encodeURIComponent(identifier)}${run ? `&run=${run}` : ''}`)
    ).json()) as { messages: Array<{ code: string }> };
    await b.click('submit', { code: inbox.messages[0]?.code ?? '' });
  }
  return { screen: b.screen(), browser: b };
}
