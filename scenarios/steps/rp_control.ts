/* A call to a relying party's control API for the run (a reviewer's decision, an organiser's mark, its clock). */
import { z } from 'zod';
import { defineStep } from './kind.ts';

const methods = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
const needs =
  'an rpControl step needs "app" (rp or rp2), "method" (GET, POST, PUT, PATCH, DELETE) and "path" (e.g. "/documents/review")';
const appsRu = { rp: 'ФМРМ', rp2: 'Портал НМО' } as const;

type RpControlStep = { app: 'rp' | 'rp2'; method: string; path: string; body?: Record<string, unknown> | undefined };

/** What the trainer does for this call, in Russian: the feature's words when the body says them, else the call itself. */
function label(step: RpControlStep): string {
  const said = typeof step.body?.ru === 'string' ? step.body.ru : undefined;
  return said ?? `${appsRu[step.app]}: ${step.method} /__control${step.path}`;
}

export const rpControl = defineStep({
  kind: 'rpControl',
  description:
    'Calls the control API of a relying party (rp: ФМРМ, rp2: Портал НМО) for the run: method, path under /__control and a JSON body (an optional "ru" field names the action for the trainer).',
  fields: {
    app: z.enum(['rp', 'rp2'], { error: needs }),
    method: z.enum(methods, { error: needs }),
    path: z.string({ error: needs }),
    body: z.record(z.string(), z.unknown()).optional(),
  },
  describeRu: label,
  controlRu: label,
  async run(ctx, step) {
    const { ru: _ru, ...body } = step.body ?? {};
    await ctx.rpControl(step.app)(step.method, step.path, step.body ? body : undefined);
  },
});
