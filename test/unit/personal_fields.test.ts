/* The format checks of the personal-data form (G4): what each field accepts, how it is kept, what it says when refused. */
import test from 'ava';
import { checkPersonal, normalisePhone, parseRussianDate } from '../../relying-party/personal/fields.ts';

const today = '2026-12-03';
const good = {
  phone: '8 916 123 45 67',
  email: 'Ivanov.II@Clinic.Example.TEST',
  address: 'г. Москва, ул. Профсоюзная, д. 12, кв. 45',
  education: 'Высшее, Первый МГМУ им. И. М. Сеченова, 2008',
  qualification: 'Врач-терапевт',
  specialty: 'Терапия',
  workStart: '01.09.2010',
  licenceNumber: 'л041-01137-77/00312400',
  accreditationNumber: '7722031234500',
  accreditationDate: '15.01.2021',
};

test('a phone in any usual Russian writing is kept as +7 (XXX) XXX-XX-XX; anything else is refused', (t) => {
  for (const input of ['+79161234567', '8 (916) 123-45-67', '7 916 123 45 67', '9161234567', '+7 916 123-45-67'])
    t.is(normalisePhone(input), '+7 (916) 123-45-67', input);
  for (const input of [
    '+1 916 123 45 67',
    '8916123456',
    '891612345678',
    '+7 916 123 45 6x',
    '12345',
    '+9161234567',
    '0161234567',
  ])
    t.is(normalisePhone(input), undefined, input);
});

test('dates are ДД.ММ.ГГГГ of a real day, kept as ISO', (t) => {
  t.is(parseRussianDate('29.02.2024'), '2024-02-29');
  t.is(parseRussianDate('29.02.2023'), undefined);
  t.is(parseRussianDate('31.04.2020'), undefined);
  t.is(parseRussianDate('2020-04-01'), undefined);
  t.is(parseRussianDate('1.4.2020'), undefined);
});

test('a valid form is kept normalised: phone, lower-case mail domain, upper-case licence, spaced accreditation number, ISO dates', (t) => {
  const checked = checkPersonal(good, today);
  t.deepEqual(checked.errors, {});
  t.like(checked.values, {
    phone: '+7 (916) 123-45-67',
    email: 'Ivanov.II@clinic.example.test',
    licenceNumber: 'Л041-01137-77/00312400',
    accreditationNumber: '7722 031234500',
    workStart: '2010-09-01',
    accreditationDate: '2021-01-15',
  });
  t.is(checkPersonal({ ...good, licenceNumber: 'ЛО-77-01-012345' }, today).values?.licenceNumber, 'ЛО-77-01-012345');
});

test('each wrong field is named in Russian with what is expected, and the entered values are kept', (t) => {
  const checked = checkPersonal(
    {
      ...good,
      phone: '12345',
      email: 'ivanov@',
      licenceNumber: 'L041-01137-77/00312400',
      accreditationNumber: '7722 03123',
      workStart: '01.01.2030',
      accreditationDate: '32.01.2021',
      address: '',
    },
    today,
  );
  t.is(checked.values, undefined);
  t.deepEqual(Object.keys(checked.errors).sort(), [
    'accreditationDate',
    'accreditationNumber',
    'address',
    'email',
    'licenceNumber',
    'phone',
    'workStart',
  ]);
  t.regex(checked.errors.phone!, /\+7 \(916\) 123-45-67/);
  t.regex(checked.errors.email!, /@/);
  t.regex(checked.errors.licenceNumber!, /Л041-01137-77\/00123456.*русские/);
  t.regex(checked.errors.accreditationNumber!, /13 цифр/);
  t.regex(checked.errors.workStart!, /не может быть в будущем: сегодня 03\.12\.2026/);
  t.regex(checked.errors.accreditationDate!, /ДД\.ММ\.ГГГГ/);
  t.regex(checked.errors.address!, /Заполните поле «Адрес регистрации»/);
  t.is(checked.entered.phone, '12345');
  t.is(checked.entered.qualification, 'Врач-терапевт');
});

test('today is allowed, tomorrow is not: the run’s date decides', (t) => {
  t.is(checkPersonal({ ...good, accreditationDate: '03.12.2026' }, today).values?.accreditationDate, '2026-12-03');
  t.truthy(checkPersonal({ ...good, accreditationDate: '04.12.2026' }, today).errors.accreditationDate);
});

test('a field sent twice or overlong is refused, not truncated', (t) => {
  t.regex(checkPersonal({ ...good, phone: ['+79161234567', '+79161234568'] }, today).errors.phone!, /дважды/);
  t.regex(checkPersonal({ ...good, address: `г. Москва, ${'д'.repeat(300)}` }, today).errors.address!, /не больше 200/);
  t.regex(checkPersonal({ ...good, email: `${'a'.repeat(130)}@example.test` }, today).errors.email!, /не больше 120/);
});
