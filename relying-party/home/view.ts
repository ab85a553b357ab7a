/*
 * The parts of the cabinet's home page (G3) that explain where the person stands: the registration
 * status with what it means and what to do next, and the upcoming checks with the days left.
 */
import { html, type Html } from '../../lib/html.ts';
import { russianDate } from '../../lib/moscow_time.ts';
import { type CheckView, daysLeftText, soonDays } from './checks.ts';

interface StatusMeaning {
  status: string;
  meaning: string;
  next: string;
  tone: 'ok' | 'wait' | 'bad';
}

export const statuses: readonly StatusMeaning[] = [
  {
    status: 'Зарегистрирован',
    meaning: 'Запись в регистре подтверждена: сведения об образовании и работе проверены.',
    next: 'Ничего делать не нужно. Следите за сроками проверок и обновляйте личные данные, когда они меняются.',
    tone: 'ok',
  },
  {
    status: 'На проверке',
    meaning:
      'Запись создана или изменена, оператор регистра сверяет сведения с документами (обычно до 10 рабочих дней).',
    next: 'Дождитесь решения: о нём придёт уведомление. Если данные изменились за это время, исправьте их в разделе «Личные данные».',
    tone: 'wait',
  },
  {
    status: 'Требует уточнения',
    meaning: 'При проверке нашлись расхождения или не хватает документа.',
    next: 'Откройте уведомление с причиной, исправьте личные данные или загрузите документ — запись вернётся на проверку.',
    tone: 'wait',
  },
  {
    status: 'Исключён',
    meaning: 'Запись исключена из регистра: после увольнения, по окончании аккредитации или по решению организации.',
    next: 'Обратитесь к кадровому специалисту вашей медицинской организации: вернуть запись может только он.',
    tone: 'bad',
  },
];

export function statusSection(status: string): Html {
  const known = statuses.find((s) => s.status === status);
  const tone = known?.tone ?? 'wait';
  const rows = statuses.map(
    (s) =>
      html`<tr${s.status === status ? html` class="current" aria-current="true"` : ''}><td><span class="badge ${s.tone}">${s.status}</span></td><td>${s.meaning}</td><td>${s.next}</td></tr>`,
  );
  return html`<p>Статус регистрации: <span class="badge ${tone}" data-testid="registration-status">${status}</span></p>
<p data-testid="status-meaning">${known?.meaning ?? 'Статус присвоен оператором регистра.'}</p>
<p data-testid="status-next"><strong>Что делать:</strong> ${known?.next ?? 'Уточните его значение у кадрового специалиста вашей организации.'}</p>
<details data-testid="status-table"><summary>Что означают статусы</summary>
<table class="grid"><tr><th>Статус</th><th>Что это значит</th><th>Что делать</th></tr>${rows}</table>
</details>`;
}

export function checksSection(checks: readonly CheckView[]): Html {
  if (!checks.length) return html`<p data-testid="upcoming-checks">Ближайших проверок нет.</p>`;
  const rows = checks.map((c) => {
    const tone = c.overdue ? 'overdue' : c.soon ? 'soon' : '';
    const mark = c.overdue
      ? html` <span class="badge bad" data-testid="check-overdue">просрочено</span>`
      : c.soon
        ? html` <span class="badge wait" data-testid="check-soon">скоро</span>`
        : '';
    return html`<tr class="${tone}" data-testid="upcoming-check" data-kind="${c.kind ?? ''}" data-days-left="${String(c.daysLeft)}"><td>${c.title}</td><td>${russianDate(c.due)}</td><td data-testid="check-days-left">${daysLeftText(c)}${mark}</td></tr>`;
  });
  return html`<table class="grid" data-testid="upcoming-checks"><tr><th>Проверка</th><th>Срок</th><th>Осталось</th></tr>${rows}</table>
<p class="muted">Сроки ближе ${String(soonDays)} дней выделены, о каждом из них приходит уведомление. Дни считаются по московскому времени.</p>`;
}
