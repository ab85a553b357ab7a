/*
 * Texts that must be true where they stand: the maintenance banner speaks of works to come, the
 * outage answer reaches the person without the emulator's error code and with its recovery time,
 * password rules are sentences, a restricted account says what is restricted, the relying party's
 * error page keeps codes for support.
 */
import test from 'ava';
import { announcementLines, outageDescription, parseOutage } from '../../idp/domain/outage.ts';
import { unmetRules } from '../../idp/domain/password_policy.ts';
import { catalogue } from '../../idp/errors/catalogue.ts';
import { outageFacts, readOutageAnswer } from '../../relying-party/availability.ts';
import { RpError } from '../../relying-party/errors.ts';
import { errorPage } from '../../relying-party/views/error.ts';

const now = Date.parse('2026-11-25T09:00:00Z');

test('a maintenance announced for later is in the future tense, without the default «идут работы»', (t) => {
  const later = parseOutage({ mode: 'maintenance', from: '2026-11-25T10:00:00Z', until: '2026-11-25T12:00:00Z' }, now);
  t.deepEqual(announcementLines(later), [
    'Запланированы технические работы: с 25.11.2026, 13:00 (МСК) до 25.11.2026, 15:00 (МСК) вход через Госуслуги будет недоступен.',
  ]);
  const own = parseOutage({ mode: 'maintenance', from: '2026-11-25T10:00:00Z', notice: 'Обновляем вход.' }, now);
  t.deepEqual(announcementLines(own), [
    'Обновляем вход.',
    'Запланированы технические работы: с 25.11.2026, 13:00 (МСК) вход через Госуслуги будет недоступен.',
  ]);
});

test("the emulator's outage answer after «Вернуться в систему» reads cleanly on the relying party, with the recovery time", (t) => {
  const outage = parseOutage(
    { mode: 'maintenance', notice: 'Плановые технические работы.', until: '2026-11-25T12:00:00Z' },
    now,
  );
  // What idp/interactions/abort.ts sends when the user leaves the outage screen (no available_at).
  const description = `service.maintenance: ${catalogue['service.maintenance'].title}. ${outageDescription(outage)}`;
  const answer = readOutageAnswer(description);
  t.is(answer.text, 'Технические работы на Госуслугах. Плановые технические работы.');
  t.is(answer.recovery?.toISOString(), '2026-11-25T12:00:00.000Z');
  const facts = outageFacts(description, 'temporarily_unavailable', null);
  t.deepEqual(
    facts.map((f) => [f.label, f.value]),
    [
      ['Ответ Госуслуг', 'Технические работы на Госуслугах. Плановые технические работы.'],
      ['Ожидаемое время восстановления', '25.11.2026, 15:00 (МСК)'],
    ],
  );
  // available_at, when sent, wins over the text.
  t.is(
    outageFacts(description, 'temporarily_unavailable', '2026-11-25T13:00:00Z')[1]?.value,
    '25.11.2026, 16:00 (МСК)',
  );
  t.is(readOutageAnswer('Время восстановления пока неизвестно.').recovery, undefined);
});

test('an unmet password rule is a sentence that says what to do', (t) => {
  t.deepEqual(
    unmetRules('Test-abcd').map((r) => r.fix),
    ['Добавьте хотя бы одну цифру.'],
  );
  for (const rule of unmetRules('пароль')) t.regex(rule.fix, /^[А-Я].+\.$/, rule.id);
});

test('a restricted account (B3) says what is restricted and what to do, beyond its title', (t) => {
  const entry = catalogue['account.restricted'];
  t.false(entry.message.includes('ограничен.'), 'the message does not just repeat the title');
  t.regex(entry.message, /войти в неё нельзя/);
  t.regex(entry.remedy, /паспортом и СНИЛС/);
});

test("the relying party's error page: facts above the remedy that points up, codes only folded for support", (t) => {
  const error = new RpError('rp.register_mismatch', [{ label: 'Поле', value: 'Фамилия' }], 'test');
  const page = errorPage({ title: 'ФМРМ', genitive: 'ФМРМ', subtitle: '' }, error, 'R-TEST-1').toString();
  t.true(page.indexOf('data-testid="error-facts"') < page.indexOf('data-testid="error-remedy"'));
  t.regex(page, /поле, названное выше/);
  const folded = page.indexOf('<details');
  t.true(folded > 0);
  t.regex(page.slice(folded), /<summary>Для службы поддержки<\/summary>/);
  t.true(
    page.indexOf('rp.register_mismatch', page.indexOf('<main>')) > folded,
    'the error code is shown only inside the folded part',
  );
  t.true(page.indexOf('случаи каталога') > folded);
  t.regex(page, /<p class="ref">Код обращения: <code data-testid="ref-code" data-ref="R-TEST-1">R-TEST-1<\/code>/);
});
