/*
 * When Госуслуги say they are unavailable (E3), how long for: learnt over HTTP only, from what the
 * IdP sends — the `available_at` parameter of an authorization error redirect or field of a JSON
 * error (an ISO instant; the emulator sends it, see README «Режим недоступности»), or a Retry-After
 * header (HTTP-date or seconds). Shown to the user as «Ожидаемое время восстановления».
 */
import { moscowTime } from '../lib/moscow_time.ts';
import type { RpErrorFact } from './errors.ts';

/** The expected recovery instant, or undefined when the IdP did not say (or said nonsense). */
export function expectedRecovery(availableAt: unknown, retryAfter?: string | null, now = Date.now()): Date | undefined {
  if (typeof availableAt === 'string' && availableAt) {
    const ms = Date.parse(availableAt);
    if (!Number.isNaN(ms)) return new Date(ms);
  }
  if (retryAfter) {
    if (/^\d+$/.test(retryAfter.trim())) return new Date(now + Number(retryAfter.trim()) * 1000);
    const ms = Date.parse(retryAfter);
    if (!Number.isNaN(ms)) return new Date(ms);
  }
  return undefined;
}

export function recoveryFacts(at: Date | undefined): RpErrorFact[] {
  return at ? [{ label: 'Ожидаемое время восстановления', value: moscowTime(at), testid: 'idp-available-at' }] : [];
}

const recoverySentence =
  /\s*Ожидаемое время восстановления:\s*(\d{2})\.(\d{2})\.(\d{4}),\s*(\d{2}):(\d{2})\s*\(МСК\)\.?/;

/**
 * An outage answer's error_description made fit for the person: without the leading error code
 * («service.maintenance: …», which the emulator puts there when the user leaves its outage screen)
 * and with «Ожидаемое время восстановления: 25.11.2026, 15:00 (МСК)» taken out as the instant, so a
 * redirect without available_at still shows the time, once.
 */
export function readOutageAnswer(description: string): { text: string; recovery?: Date } {
  const text = description.replace(/^[a-z][\w-]*\.[\w.-]+:\s*/, '');
  const found = recoverySentence.exec(text);
  if (!found) return { text };
  const [, day, month, year, hour, minute] = found.map(Number) as [number, number, number, number, number, number];
  // МСК is UTC+3 all year.
  const recovery = new Date(Date.UTC(year, month - 1, day, hour - 3, minute));
  return { text: text.replace(found[0], '').trim(), ...(Number.isNaN(recovery.getTime()) ? {} : { recovery }) };
}

/** The facts of an outage redirect: the cleaned answer and the expected recovery (available_at first, else the answer's own). */
export function outageFacts(description: string, error: string, availableAt: unknown): RpErrorFact[] {
  const answer = readOutageAnswer(description);
  return [
    { label: 'Ответ Госуслуг', value: answer.text || error, testid: 'idp-error' },
    ...recoveryFacts(expectedRecovery(availableAt) ?? answer.recovery),
  ];
}
