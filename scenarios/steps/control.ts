/* A call to the control API of the run (unlock an account, arm a fault, announce an outage…). */
import { z } from 'zod';
import { defineStep } from './kind.ts';

const methods = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
const needs =
  'a control step needs "method" (GET, POST, PUT, PATCH, DELETE) and "path" (e.g. "/accounts/petrova/unlock")';

type ControlStep = { method: string; path: string; body?: Record<string, unknown> | undefined };

/** What the trainer presses for this call on the run page, in Russian. */
function label(step: ControlStep): string {
  if (step.path.endsWith('/unlock')) return 'Поддержка снимает блокировку учётной записи';
  if (step.method === 'PATCH')
    return `Пользователь исправляет профиль (${Object.entries(step.body ?? {})
      .map(([k, v]) => `${k}: ${String(v)}`)
      .join(', ')})`;
  if (step.path.startsWith('/faults')) return `Включить сбой: ${String(step.body?.kind ?? '')}`;
  if (step.path.startsWith('/outage'))
    return step.method === 'DELETE'
      ? 'Госуслуги снова работают (режим недоступности снят)'
      : `Объявить ${step.body?.mode === 'maintenance' ? 'технические работы' : 'сбой'} на Госуслугах`;
  if (step.path.endsWith('/token'))
    return `Вставить токен: сертификат ${step.path.split('/')[2] ?? ''} (${String(step.body?.variant ?? 'valid')})`;
  if (step.path.startsWith('/policies/clients/'))
    return `Включить правило системы: разрешены ${JSON.stringify(step.body?.allowed_methods ?? null)}`;
  return `${step.method} ${step.path}`;
}

export const control = defineStep({
  kind: 'control',
  description: 'Calls the control API of the run (/__control…): method, path and a JSON body.',
  fields: {
    method: z.enum(methods, { error: needs }),
    path: z.string({ error: needs }),
    body: z.record(z.string(), z.unknown()).optional(),
  },
  describeRu: label,
  controlRu: label,
  async run(ctx, step) {
    await ctx.control(step.method, step.path, step.body);
  },
});
