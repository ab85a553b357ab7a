/*
 * The cabinet home's upcoming checks (G3): their dates made at the run's start from the fixtures'
 * offsets, the days left by the run's clock, and one notification per check once it comes within
 * 30 days (or is already overdue). Which checks were notified is kept per run and person, so a check
 * is announced once however often the home page is opened, and again only after a reset.
 */
import type { RpData, Seeder } from '../data.ts';
import { notify } from '../notifications.ts';
import { type RegisterRecord, snilsKey, type UpcomingCheck } from '../register.ts';
import type { Workspace } from '../workspaces.ts';
import { moscowDay, russianDate } from '../../lib/moscow_time.ts';
import { pluralForm } from '../../lib/russian_plural.ts';

/** A check this close (days) or closer is highlighted and announced. */
export const soonDays = 30;
const dayMs = 86_400_000;

type WithNotices = RpData & { checkNotices?: Record<string, string[]> };

/** Fixture offsets (`inDays`) become dates, counted from the run's day in Moscow. */
export const seedCheckDates: Seeder = (data, _seed, now) => {
  const today = Date.parse(`${moscowDay(now)}T00:00:00Z`);
  for (const record of Object.values(data.records))
    for (const check of record.upcomingChecks) {
      if (typeof check.inDays !== 'number') continue;
      check.due = new Date(today + check.inDays * dayMs).toISOString().slice(0, 10);
      delete check.inDays;
    }
};

export interface CheckView extends UpcomingCheck {
  /** Whole days from today (Moscow) to the due day; negative once it has passed. */
  daysLeft: number;
  soon: boolean;
  overdue: boolean;
}

export function checksOf(record: RegisterRecord, now: number): CheckView[] {
  const today = Date.parse(`${moscowDay(now)}T00:00:00Z`);
  return [...record.upcomingChecks]
    .sort((a, b) => a.due.localeCompare(b.due))
    .map((check) => {
      const daysLeft = Math.round((Date.parse(`${check.due}T00:00:00Z`) - today) / dayMs);
      return { ...check, daysLeft, soon: daysLeft <= soonDays, overdue: daysLeft < 0 };
    });
}

const days = ['день', 'дня', 'дней'] as const;

/** «осталось 20 дней», «сегодня последний день», «просрочено на 3 дня». */
export function daysLeftText(check: CheckView): string {
  if (check.overdue) return `просрочено на ${-check.daysLeft} ${pluralForm(-check.daysLeft, days)}`;
  if (check.daysLeft === 0) return 'сегодня последний день';
  const verb = pluralForm(check.daysLeft, ['остался', 'осталось', 'осталось']);
  return `${verb} ${check.daysLeft} ${pluralForm(check.daysLeft, days)}`;
}

const noticeKey = (check: UpcomingCheck) => `${check.kind ?? 'review'}|${check.title}|${check.due}`;

/** Notifies each check of the person that is within 30 days and was not announced before; returns how many. */
export function announceChecks(ws: Workspace, record: RegisterRecord): number {
  const data = ws.data as WithNotices;
  const soon = checksOf(record, ws.clock.now()).filter((c) => c.soon);
  const announced = new Set(data.checkNotices?.[snilsKey(record.snils)] ?? []);
  const fresh = soon.filter((c) => !announced.has(noticeKey(c)));
  if (!fresh.length) return 0;
  for (const check of fresh) {
    notify(ws, record.snils, {
      kind: 'check.upcoming',
      title: check.overdue ? `Срок прошёл: ${check.title}` : `Скоро срок: ${check.title}`,
      text: `${check.title} — до ${russianDate(check.due)}, ${daysLeftText(check)}.`,
      link: '/cabinet',
    });
    announced.add(noticeKey(check));
  }
  (data.checkNotices ??= {})[snilsKey(record.snils)] = [...announced];
  ws.changed();
  return fresh.length;
}
