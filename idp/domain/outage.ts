/*
 * Outage mode (E3): a run can announce technical works («maintenance», planned) or a failure
 * («outage», unplanned) with a notice and an expected recovery time. While it is in force, sign-ins
 * are refused with a named error and protocol endpoints answer as ESIA does when unavailable. A
 * maintenance announced with a future `from` only shows a banner until then. The state stays until
 * it is cleared: the expected time is an estimate, as on the real portal.
 *
 * Pure: callers pass `now` (the run's clock). announceOutage/endOutage are the one service the
 * control API and the support console use.
 */
import { moscowTime } from '../../lib/moscow_time.ts';
import { InputError } from '../../lib/errors.ts';

export type OutageMode = 'maintenance' | 'outage';

export interface Outage {
  mode: OutageMode;
  /** What the users read (Russian), e.g. «Плановые технические работы». */
  notice: string;
  /** Expected recovery, ISO instant; null when unknown. */
  until: string | null;
  /** When it starts, ISO instant; before that only a banner is shown. */
  from: string;
  /** Who announced it (control API, a support operator), for the journal. */
  by: string;
}

const modes: OutageMode[] = ['maintenance', 'outage'];

function instant(value: unknown, field: string): number {
  const ms = typeof value === 'string' ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(ms))
    throw new InputError(
      `${field} must be an ISO instant such as "2026-11-25T12:00:00Z"; got ${JSON.stringify(value)}.`,
    );
  return ms;
}

/** Validates an announcement: {mode, notice?, until?, from?}; names the field that is wrong. */
export function parseOutage(input: Record<string, unknown>, now: number, by = 'control'): Outage {
  const mode = modes.find((m) => m === input.mode);
  if (!mode) throw new InputError(`mode must be one of ${modes.join(', ')}; got ${JSON.stringify(input.mode)}.`);
  if (input.notice !== undefined && (typeof input.notice !== 'string' || input.notice.length > 500)) {
    throw new InputError('notice must be a string of at most 500 characters.');
  }
  const from = input.from === undefined || input.from === null ? now : instant(input.from, 'from');
  const until = input.until === undefined || input.until === null ? null : instant(input.until, 'until');
  if (until !== null && until <= from)
    throw new InputError(
      `until (${new Date(until).toISOString()}) must be after the start (${new Date(from).toISOString()}).`,
    );
  const notice = typeof input.notice === 'string' && input.notice.trim() ? input.notice.trim() : defaultNotice[mode];
  return {
    mode,
    notice,
    until: until === null ? null : new Date(until).toISOString(),
    from: new Date(from).toISOString(),
    by,
  };
}

const defaultNotice: Record<OutageMode, string> = {
  maintenance: 'На Госуслугах идут плановые технические работы.',
  outage: 'Госуслуги временно не работают из-за технического сбоя.',
};

/** In force at `now` (refuses sign-ins), as opposed to announced for later. */
export function isInForce(outage: Outage | null, now: number): outage is Outage {
  return outage !== null && Date.parse(outage.from) <= now;
}

/** 25.11.2026, 15:00 (МСК): how the portal writes times (one formatter for every screen). */
export { moscowTime };

/** Lines under the error title: the notice and the expected recovery time. */
export function outageLines(outage: Outage): string[] {
  return [
    outage.notice,
    outage.until
      ? `Ожидаемое время восстановления: ${moscowTime(outage.until)}`
      : 'Время восстановления пока неизвестно.',
  ];
}

/**
 * The banner of works announced for later, in the future tense: the default notice speaks of works
 * going on now («идут работы»), so the banner leaves it out; a notice of the announcer's own stays.
 */
export function announcementLines(outage: Outage): string[] {
  const span = `с ${moscowTime(outage.from)}${outage.until ? ` до ${moscowTime(outage.until)}` : ''}`;
  const what = outage.mode === 'maintenance' ? 'Запланированы технические работы' : 'Запланирован перерыв в работе';
  const line = `${what}: ${span} вход через Госуслуги будет недоступен.`;
  return outage.notice === defaultNotice[outage.mode] ? [line] : [outage.notice, line];
}

/** One line for protocol answers (error_description) and logs. */
export function outageDescription(outage: Outage): string {
  return outageLines(outage).join(' ');
}

/** Retry-After header value (HTTP-date of the expected recovery); none when it is unknown (no invented time). */
export function retryAfter(outage: Outage): string | undefined {
  return outage.until ? new Date(outage.until).toUTCString() : undefined;
}

/** Whatever holds a run's outage state (idp/runs.ts Run). */
export interface OutageHolder {
  outage: Outage | null;
  clock: { now(): number };
}

/** Announces (or replaces) the run's outage. Throws InputError for a malformed announcement. */
export function announceOutage(run: OutageHolder, input: Record<string, unknown>, by = 'control'): Outage {
  run.outage = parseOutage(input, run.clock.now(), by);
  return run.outage;
}

/** Ends the outage; returns the one that was in place, if any. */
export function endOutage(run: OutageHolder): Outage | null {
  const was = run.outage;
  run.outage = null;
  return was;
}
