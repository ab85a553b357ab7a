/*
 * Organisation policies (A9) across the ways to sign in: an organisation that allows only the
 * electronic signature refuses «Войти по биометрии» as it refuses the password, by name, on the
 * login page. Here orlova (biometrics) is put in such an organisation by an organisations file.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { loadScenarios } from '../../scenarios/load.ts';
import { HttpBrowser } from '../../scenarios/runner/http_browser.ts';
import { describeFailure, runScenario } from '../../scenarios/runner/run.ts';
import { type Stand, startStand } from '../../scenarios/runner/stand.ts';

let stand: Stand;
let dir: string;
test.before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'policy-methods-'));
  const organisationsFile = join(dir, 'organisations.json');
  await writeFile(
    organisationsFile,
    JSON.stringify({
      organisations: [
        {
          id: 'sig-only',
          name: 'Тестовая организация только с подписью',
          allowed_methods: ['esign'],
          members: ['orlova'],
        },
      ],
    }),
  );
  stand = await startStand({ organisationsFile });
});
test.after.always(async () => {
  await stand?.close();
  await rm(dir, { recursive: true, force: true });
});

test('an organisation that allows only the signature refuses a biometric sign-in, on the login page, by name', async (t) => {
  const scenario = (await loadScenarios()).find((s) => s.id === 'biometric-sign-in')!;
  const refused = { ...scenario, expect: { app: 'idp' as const, screen: 'login', error: 'policy.method_not_allowed' } };
  const browser = new HttpBrowser();
  const result = await runScenario(stand, refused, browser);
  t.true(result.ok, describeFailure(result));
  t.true((await browser.text()).includes('Разрешённые способы входа: электронная подпись'));
});
