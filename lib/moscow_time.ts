/*
 * The one way every screen writes a moment: Moscow time, labelled, as the portal does
 * («25.11.2026, 15:00 (МСК)»). Moscow has been UTC+3 all year since 2014; Intl knows it.
 * The support console shows seconds too: it reads the audit journal, where seconds tell steps apart.
 */
const minutes: Intl.DateTimeFormatOptions = {
  timeZone: 'Europe/Moscow',
  day: '2-digit',
  month: '2-digit',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
};
const formats = {
  minutes: new Intl.DateTimeFormat('ru-RU', minutes),
  seconds: new Intl.DateTimeFormat('ru-RU', { ...minutes, second: '2-digit' }),
};

export function moscowTime(at: string | number | Date, precision: keyof typeof formats = 'minutes'): string {
  return `${formats[precision].format(new Date(at))} (МСК)`;
}

/** A calendar day as the portal writes it: YYYY-MM-DD → ДД.ММ.ГГГГ (anything else as it is). */
export function russianDate(iso: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(iso);
  return m ? `${m[3]}.${m[2]}.${m[1]}` : iso;
}

/** YYYY-MM-DD of an instant in Moscow: the day a person there calls «сегодня». */
export function moscowDay(ms: number): string {
  return new Date(ms + 3 * 3_600_000).toISOString().slice(0, 10);
}
