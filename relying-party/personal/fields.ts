/*
 * The fields of a person's data in the register (G4) and the format check of each: what the form
 * accepts, how a value is written once accepted (a phone as +7 (XXX) XXX-XX-XX, a date as ISO), and
 * the Russian message shown next to the field when it is refused. Pure: no clock of its own, the
 * caller passes the run's date.
 */
import { russianDate } from '../../lib/moscow_time.ts';

/** The fields a person edits. ФИО, СНИЛС and the date of birth are Госуслуги's and are not here. */
export const editableFields = [
  'phone',
  'email',
  'address',
  'education',
  'qualification',
  'specialty',
  'workStart',
  'licenceNumber',
  'accreditationNumber',
  'accreditationDate',
] as const;
export type EditableField = (typeof editableFields)[number];
export type PersonalValues = Record<EditableField, string>;

/** What Госуслуги vouches for: shown read-only, changed only by «Обновить из Госуслуг». */
export const gosuslugiFields = ['lastName', 'firstName', 'middleName', 'birthDate'] as const;
export type GosuslugiField = (typeof gosuslugiFields)[number];

export const fieldLabels: Record<EditableField | GosuslugiField | 'snils', string> = {
  lastName: 'Фамилия',
  firstName: 'Имя',
  middleName: 'Отчество',
  birthDate: 'Дата рождения',
  snils: 'СНИЛС',
  phone: 'Телефон',
  email: 'Электронная почта',
  address: 'Адрес регистрации',
  education: 'Образование',
  qualification: 'Квалификация',
  specialty: 'Специальность',
  workStart: 'Медицинский стаж с',
  licenceNumber: 'Номер лицензии медицинской организации',
  accreditationNumber: 'Номер свидетельства об аккредитации',
  accreditationDate: 'Дата аккредитации',
};

/** Fields kept as ISO dates (YYYY-MM-DD) and shown as ДД.ММ.ГГГГ. */
export const dateFields: ReadonlySet<string> = new Set(['workStart', 'accreditationDate', 'birthDate']);

export const hints: Partial<Record<EditableField, string>> = {
  phone: 'Например, +7 (916) 123-45-67 или 8 916 123 45 67',
  email: 'Например, ivanov@example.test',
  licenceNumber: 'Номер из реестра лицензий: Л041-01137-77/00123456, или прежний: ЛО-77-01-012345',
  accreditationNumber: '4 цифры, пробел и 9 цифр: 7722 031234567',
  workStart: 'ДД.ММ.ГГГГ, не позже сегодняшнего дня',
  accreditationDate: 'ДД.ММ.ГГГГ, не позже сегодняшнего дня',
};

type Check = { value: string } | { error: string };

/**
 * +7, 7 or 8 and ten digits, or the ten digits alone, with spaces, brackets and dashes anywhere →
 * +7 (XXX) XXX-XX-XX. Ten digits alone must start as a Russian area or mobile code (3–6, 9): with 7 or 8 first they
 * are a prefix and a number with a digit missing.
 */
export function normalisePhone(input: string): string | undefined {
  if (!/^[\d\s()+-]+$/.test(input)) return undefined;
  const digits = input.replace(/\D/g, '');
  const ten =
    digits.length === 11 && (digits[0] === '7' || digits[0] === '8')
      ? digits.slice(1)
      : digits.length === 10 && !input.trim().startsWith('+') && '34569'.includes(digits[0]!)
        ? digits
        : undefined;
  if (!ten || (input.trim().startsWith('+') && digits[0] !== '7')) return undefined;
  return `+7 (${ten.slice(0, 3)}) ${ten.slice(3, 6)}-${ten.slice(6, 8)}-${ten.slice(8)}`;
}

/** ДД.ММ.ГГГГ of a real calendar day → YYYY-MM-DD, or undefined. */
export function parseRussianDate(input: string): string | undefined {
  const m = /^(\d{2})\.(\d{2})\.(\d{4})$/.exec(input);
  if (!m) return undefined;
  const [, d, mo, y] = m;
  const iso = `${y}-${mo}-${d}`;
  const date = new Date(`${iso}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(iso) ? iso : undefined;
}

const licenceNew = /^Л\d{3}-\d{5}-\d{2}\/\d{8}$/;
const licenceOld = /^ЛО-\d{2}-\d{2}-\d{6}$/;

function text(min: number, max: number, what: string): (input: string) => Check {
  return (input) => {
    const value = input.replace(/\s+/g, ' ');
    if (value.length < min) return { error: `Укажите ${what}: не меньше ${min} символов.` };
    if (value.length > max) return { error: `Слишком длинно: не больше ${max} символов, сейчас ${value.length}.` };
    return { value };
  };
}

function pastDate(what: string, today: string): (input: string) => Check {
  return (input) => {
    const iso = parseRussianDate(input);
    if (!iso) return { error: `Укажите ${what} в формате ДД.ММ.ГГГГ, например 01.09.2010.` };
    if (iso > today) return { error: `Дата не может быть в будущем: сегодня ${russianDate(today)}.` };
    if (iso < '1940-01-01') return { error: 'Дата слишком ранняя: проверьте год.' };
    return { value: iso };
  };
}

function rules(today: string): Record<EditableField, (input: string) => Check> {
  return {
    phone: (input) => {
      const value = normalisePhone(input);
      return value
        ? { value }
        : { error: 'Телефон — российский номер из 10 цифр после +7 или 8, например +7 (916) 123-45-67.' };
    },
    email: (input) => {
      if (input.length > 120) return { error: 'Адрес почты слишком длинный: не больше 120 символов.' };
      const m = /^([^\s@]+)@([^\s@]+\.[^\s@.]{2,})$/.exec(input);
      if (!m || m[2]!.includes('..') || m[2]!.startsWith('.'))
        return { error: 'Адрес почты — имя, знак @ и домен с точкой, например ivanov@example.test.' };
      return { value: `${m[1]}@${m[2]!.toLowerCase()}` };
    },
    address: text(10, 200, 'адрес: город, улицу, дом'),
    education: text(5, 200, 'образование: уровень, учебное заведение и год окончания'),
    qualification: text(3, 120, 'квалификацию по диплому'),
    specialty: text(3, 120, 'специальность'),
    workStart: pastDate('дату начала медицинского стажа', today),
    licenceNumber: (input) => {
      const value = input.toUpperCase().replace(/\s+/g, '');
      if (licenceNew.test(value) || licenceOld.test(value)) return { value };
      return {
        error:
          'Номер лицензии — как в реестре лицензий: Л041-01137-77/00123456 (буква Л, цифры через дефис, косая черта и 8 цифр) или прежний ЛО-77-01-012345. Буквы — русские.',
      };
    },
    accreditationNumber: (input) => {
      const digits = input.replace(/\s+/g, '');
      if (/^\d{13}$/.test(digits)) return { value: `${digits.slice(0, 4)} ${digits.slice(4)}` };
      return { error: 'Номер свидетельства об аккредитации — 13 цифр: 4, пробел и 9, например 7722 031234567.' };
    },
    accreditationDate: pastDate('дату аккредитации', today),
  };
}

export interface Checked {
  /** Every field as the person typed it (trimmed): the form shows these again when something is refused. */
  entered: PersonalValues;
  /** Every field as it will be kept, when all passed. */
  values?: PersonalValues;
  /** The message of each refused field. */
  errors: Partial<Record<EditableField, string>>;
}

/** Checks a submitted form; `today` is the run's date (YYYY-MM-DD), the latest date a field may hold. */
export function checkPersonal(form: Record<string, unknown>, today: string): Checked {
  const checks = rules(today);
  const entered = {} as PersonalValues;
  const values = {} as PersonalValues;
  const errors: Checked['errors'] = {};
  for (const field of editableFields) {
    const raw = form[field];
    const input = typeof raw === 'string' ? raw.trim() : '';
    entered[field] = input;
    if (Array.isArray(raw)) {
      errors[field] = 'Поле пришло дважды: отправьте форму со страницы ещё раз.';
      continue;
    }
    if (input === '') {
      errors[field] = `Заполните поле «${fieldLabels[field]}».`;
      continue;
    }
    const result = checks[field](input);
    if ('error' in result) errors[field] = result.error;
    else values[field] = result.value;
  }
  return Object.keys(errors).length ? { entered, errors } : { entered, values, errors };
}
