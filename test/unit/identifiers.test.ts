import test from 'ava';
import { formatSnils, isValidInn, isValidSnils, parseIdentifier, snilsCheck } from '../../idp/domain/identifiers.ts';
import { EsiaError } from '../../idp/errors/esia_error.ts';

test('computes the СНИЛС check number, including the 100/101 and mod-101 cases', (t) => {
  t.is(snilsCheck('112233401'), 83);
  t.true(isValidSnils('11223340183'));
  t.false(isValidSnils('11223340184'));
  // sum 100 or 101 gives 00
  t.is(snilsCheck('911000004'), 0); // sum 100
  t.is(snilsCheck('911100000'), 1); // sum 102: mod 101
});

test('checks both ИНН check digits', (t) => {
  t.true(isValidInn('770100000142'));
  t.false(isValidInn('770100000143'));
  t.false(isValidInn('770100000152'));
});

test('normalises a phone in every common form to +7XXXXXXXXXX', (t) => {
  for (const typed of [
    '+7 900 000-00-01',
    '8 (900) 000-00-01',
    '89000000001',
    '79000000001',
    '9000000001',
    ' +7(900)0000001 ',
  ]) {
    t.deepEqual(parseIdentifier(typed), [{ kind: 'phone', value: '+79000000001' }], typed);
  }
});

test('lower-cases and trims an e-mail', (t) => {
  t.deepEqual(parseIdentifier('  Ivanov@Example.TEST '), [{ kind: 'email', value: 'ivanov@example.test' }]);
});

test('reads СНИЛС with dashes, spaces or none, and ИНН', (t) => {
  for (const typed of ['112-233-401 83', '112 233 401 83', '11223340183', '112-233-401-83']) {
    t.deepEqual(parseIdentifier(typed)[0], { kind: 'snils', value: '112-233-401 83' }, typed);
  }
  t.deepEqual(parseIdentifier('770100000142'), [{ kind: 'inn', value: '770100000142' }]);
  t.is(formatSnils('11223340183'), '112-233-401 83');
});

test('an 11-digit number that is both a valid СНИЛС and a phone is tried as both', (t) => {
  // 8 + ten digits: a phone; its check number may also fit a СНИЛС
  const readings = parseIdentifier('80000000000').map((r) => r.kind);
  t.true(readings.includes('phone'));
});

test('names the error for typos in СНИЛС and ИНН, and for text that is no identifier', (t) => {
  const code = (typed: string) => (t.throws(() => parseIdentifier(typed), { instanceOf: EsiaError }) as EsiaError).code;
  t.is(code('112-233-401 84'), 'identifier.snils_invalid');
  t.is(code('770100000143'), 'identifier.inn_invalid');
  t.is(code('ivanov'), 'identifier.unrecognised');
  t.is(code('ivanov@'), 'identifier.unrecognised');
  t.is(code('12345'), 'identifier.unrecognised');
});
