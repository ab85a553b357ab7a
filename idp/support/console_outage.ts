/* The console's outage panel (E3): announce maintenance or an outage of the console's run, and end it. */
import type Router from '@koa/router';
import { InputError } from '../../lib/errors.ts';
import { announceOutage, endOutage, moscowTime } from '../domain/outage.ts';
import { field } from '../forms.ts';
import { type ConsoleParts, userOf } from './console_parts.ts';
import { homePage } from './views.ts';

/**
 * A date and time typed in the console, read as Moscow time (UTC+3 all year): the form's
 * datetime-local value 2026-11-25T15:00, or 25.11.2026 15:00 typed by hand. Empty → null;
 * anything else → undefined (the caller shows a Russian error next to the field).
 */
export function parseMoscowDateTime(value: string): number | null | undefined {
  const text = value.trim();
  if (!text) return null;
  const iso = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2}))?$/.exec(text);
  const ru = /^(\d{2})\.(\d{2})\.(\d{4}),?\s+(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(text);
  const [y, mo, d, h, mi, se] = iso
    ? [iso[1], iso[2], iso[3], iso[4], iso[5], iso[6]]
    : ru
      ? [ru[3], ru[2], ru[1], ru[4], ru[5], ru[6]]
      : [];
  if (!y) return undefined;
  const [year, month, day, hour, minute, second] = [y, mo, d, h, mi, se ?? '0'].map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const ms = Date.UTC(year, month - 1, day, hour - 3, minute, second);
  // Date.UTC rolls 31.02 over into March: a date that does not come back the same is no date.
  const back = new Date(ms + 3 * 3_600_000);
  if (
    back.getUTCFullYear() !== year ||
    back.getUTCMonth() !== month - 1 ||
    back.getUTCDate() !== day ||
    hour > 23 ||
    minute > 59 ||
    second > 59
  )
    return undefined;
  return ms;
}

export function mountOutageRoutes(router: Router, { form, allow, render, refusal, outageOf }: ConsoleParts): void {
  // --- Maintenance or an outage of the console's run (E3) ------------------------------------
  router.post('/outage', form, async (ctx) => {
    const current = await allow(ctx, 'announce_outage');
    if (!current) return;
    const { session, run } = current;
    const input = {
      mode: field(ctx, 'mode'),
      notice: field(ctx, 'notice'),
      until: field(ctx, 'until'),
      from: field(ctx, 'from'),
    };
    const refuse = (line: string, problem: string) => {
      ctx.state.audit.action = 'support.announce_outage';
      const failure = refusal(ctx, 'support.bad_input', {
        operator: session.login,
        action: 'announce_outage',
        problem,
      });
      render(
        ctx,
        homePage(userOf(session), { outage: outageOf(run, { failure: { ...failure, lines: [line] }, form: input }) }),
      );
    };
    const until = parseMoscowDateTime(input.until);
    const from = parseMoscowDateTime(input.from);
    if (until === undefined)
      return refuse(
        `Ожидаемое время восстановления «${input.until}» — не дата и время. Укажите их по Москве, например 25.11.2026 15:00.`,
        `until is not a date and time: ${JSON.stringify(input.until)}`,
      );
    if (from === undefined)
      return refuse(
        `Начало «${input.from}» — не дата и время. Укажите их по Москве, например 25.11.2026 12:00, или оставьте поле пустым.`,
        `from is not a date and time: ${JSON.stringify(input.from)}`,
      );
    const start = from ?? run.clock.now();
    if (until !== null && until <= start) {
      return refuse(
        `Ожидаемое время восстановления (${moscowTime(new Date(until).toISOString())}) должно быть позже начала (${moscowTime(new Date(start).toISOString())}).`,
        'until is not after the start',
      );
    }
    let outage;
    try {
      outage = announceOutage(
        run,
        {
          mode: input.mode,
          notice: input.notice,
          ...(until !== null ? { until: new Date(until).toISOString() } : {}),
          ...(from !== null ? { from: new Date(from).toISOString() } : {}),
        },
        session.login,
      );
    } catch (error) {
      if (error instanceof InputError)
        return refuse('Выберите режим (технические работы или сбой) и текст не длиннее 500 знаков.', error.message);
      throw error;
    }
    ctx.state.audit.details = { ...outage };
    session.flash = {
      kind: 'notice',
      text: `${outage.mode === 'maintenance' ? 'Технические работы объявлены' : 'Сбой объявлен'}${Date.parse(outage.from) <= run.clock.now() ? ': вход в этом прогоне закрыт' : `: до ${moscowTime(outage.from)} на странице входа только предупреждение`}.`,
    };
    ctx.status = 303;
    ctx.redirect('/support');
  });

  router.post('/outage/end', form, async (ctx) => {
    const current = await allow(ctx, 'end_outage');
    if (!current) return;
    const was = endOutage(current.run);
    ctx.state.audit.details = { ended: was ? { mode: was.mode, from: was.from, until: was.until, by: was.by } : null };
    current.session.flash = {
      kind: 'notice',
      text: was ? 'Работы завершены: вход снова открыт.' : 'Объявления не было: сервис и так работает.',
    };
    ctx.status = 303;
    ctx.redirect('/support');
  });
}
