/*
 * Reference codes typed back however a person reads them (E1) — lower case, without the dash, with
 * spaces, with Cyrillic look-alike letters — find the attempt in the support console and the control
 * API; one format for the emulator and the relying party; the console's times in МСК like every user screen (E2).
 */
import test from 'ava';
import { moscowTime } from '../../lib/moscow_time.ts';
import { newReference, normaliseReference, referencePattern } from '../../lib/reference_code.ts';
import { HttpBrowser } from '../../scenarios/runner/http_browser.ts';
import { type Stand, startStand } from '../../scenarios/runner/stand.ts';
import { operatorSession } from '../helpers/support_console.ts';

let stand: Stand;
test.before(async () => {
  stand = await startStand();
});
test.after.always(() => stand?.close());

/** Every way a person may type H3J8-L58Y back. */
const typings = (code: string) => {
  const bare = code.replace('-', '');
  const cyrillic = [...code]
    .map((c) => ({ A: 'а', B: 'В', E: 'е', H: 'Н', K: 'к', M: 'М', P: 'р', C: 'С', T: 'т', X: 'х', Y: 'У' })[c] ?? c)
    .join('');
  return [
    code,
    code.toLowerCase(),
    bare,
    bare.toLowerCase(),
    `${code.slice(0, 4)} ${code.slice(5)}`,
    ` ${code.toLowerCase().replace('-', ' - ')} `,
    cyrillic,
  ];
};

test('normaliseReference reads every typing of a code and refuses what cannot be one', (t) => {
  for (const typed of typings('H3J8-L58Y')) t.is(normaliseReference(typed), 'H3J8-L58Y', JSON.stringify(typed));
  t.is(normaliseReference('Н3J8 L58У'), 'H3J8-L58Y', 'Cyrillic Н and У');
  t.is(normaliseReference('7kq2–m9xd'), '7KQ2-M9XD', 'an en dash');
  for (const bad of ['', 'H3J8-L58', 'H3J8-L58YZ', 'O0I1-ABCD', 'RP-ABC123', 'ЖЖЖЖ-ЖЖЖЖ'])
    t.is(normaliseReference(bad), null, JSON.stringify(bad));
  for (let i = 0; i < 200; i++) t.regex(newReference(), referencePattern);
});

test('moscowTime writes a moment in МСК, labelled', (t) => {
  t.is(moscowTime('2026-11-25T09:03:07Z'), '25.11.2026, 12:03 (МСК)');
  t.is(moscowTime(Date.parse('2026-11-25T21:30:00Z'), 'seconds'), '26.11.2026, 00:30:00 (МСК)');
});

/** A wrong password on the emulator's screen at a known instant: the reference code it shows. */
async function refusedSignIn(): Promise<string> {
  await stand.control('POST', '/reset');
  await stand.control('POST', '/clock', { set: '2026-11-25T09:03:07Z', freeze: true });
  const b = new HttpBrowser();
  await b.goto(`${stand.rp}/login`);
  await b.click('submit', { identifier: '+79000000001', password: 'Wrong-1' });
  return b.byTestId('ref-code')?.getAttribute('data-ref') ?? '';
}

test.serial(
  'the console finds an attempt by its code typed in any case, with spaces, without the dash or with Cyrillic letters, and shows МСК',
  async (t) => {
    const ref = await refusedSignIn();
    t.regex(ref, referencePattern);
    const c = await operatorSession(stand.idp, 'operator');
    for (const typed of typings(ref)) {
      const res = await c.get(`/support/ref?code=${encodeURIComponent(typed)}`);
      const body = await res.text();
      t.is(res.status, 200, `${JSON.stringify(typed)} is found`);
      t.regex(
        body,
        new RegExp(`data-testid="support-ref-code">${ref}<`),
        `${JSON.stringify(typed)} is shown as ${ref}`,
      );
      t.regex(
        body,
        /data-testid="support-ref-time">25\.11\.2026, 12:03:07 \(МСК\)</,
        'the time is Moscow time, labelled',
      );
      t.notRegex(body, /UTC/);
    }
  },
);

test.serial('a code not in the journal and a string that cannot be a code get different, true hints', async (t) => {
  const c = await operatorSession(stand.idp, 'operator');
  const unknown = await (await c.get('/support/ref?code=zzzz%20zzzz')).text();
  t.regex(
    unknown,
    /data-testid="support-ref-missing" data-well-formed="true">В журнале аудита эмулятора нет записи с кодом <code>ZZZZ-ZZZZ<\/code>/,
  );
  const malformed = await c.get('/support/ref?code=O0I1-ABCD');
  t.is(malformed.status, 404);
  t.regex(await malformed.text(), /data-well-formed="false">«O0I1-ABCD» — не код обращения\. Код — 8 знаков/);
});

test.serial(
  'GET /__control/audit/:ref accepts the same typings; a string that cannot be a code is a 400 that says why',
  async (t) => {
    const ref = await refusedSignIn();
    for (const typed of typings(ref)) {
      const found = await stand.control<{ record: { ref: string; code: string } }>(
        'GET',
        `/audit/${encodeURIComponent(typed)}`,
      );
      t.like(found.record, { ref, code: 'login.invalid_credentials' }, JSON.stringify(typed));
    }
    const bad = await fetch(`${stand.idp}/__control/audit/RP-ABC123`);
    t.is(bad.status, 400);
    t.regex(
      ((await bad.json()) as { message: string }).message,
      /"RP-ABC123" is not a reference code: expected 8 characters/,
    );
  },
);
