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
