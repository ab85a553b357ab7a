/* A raw request no form would send, with this browser's cookies. */
import { z } from 'zod';
import { apps, defineStep } from './kind.ts';

const needs = 'a request step needs "app", "method" and "path"';

export const request = defineStep({
  kind: 'request',
  description:
    "A raw request with this browser's cookies (wrong content type, oversized body); `$uid` in path is the sign-in on the current page.",
  fields: {
    app: z.enum(apps, { error: needs }),
    method: z.string({ error: needs }),
    path: z.string({ error: needs }),
    contentType: z.string().optional(),
    body: z.string().optional(),
    bodyBytes: z.int().optional().describe('A body of this many bytes (x=xxx…).'),
  },
  describeRu: () => 'Технический запрос, который браузер сам не отправит (проверяется автотестом)',
  async run(ctx, step) {
    const uid = /\/interaction\/([\w-]+)/.exec(ctx.page?.url ?? '')?.[1] ?? 'none';
    const body = step.bodyBytes ? 'x='.padEnd(step.bodyBytes, 'x') : step.body;
    await ctx.browser.send(ctx.base(step.app) + step.path.replace('$uid', uid), step.method, body, step.contentType);
  },
});
