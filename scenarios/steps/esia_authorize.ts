/* ESIA face: the browser opens an authorization URL that a test system signed (possibly tampered with). */
import { defineStep } from './kind.ts';
import { esiaRequestFields } from './esia_request.ts';

export const esiaAuthorize = defineStep({
  kind: 'esiaAuthorize',
  description: 'ESIA face: the browser opens an authorization URL that a test system signed (possibly tampered with).',
  fields: esiaRequestFields,
  describeRu: (step) =>
    `Система отправляет в ЕСИА подписанный запрос на вход (${step.version ?? 'v2'}${step.tamper ? `, намеренно испорчен: ${step.tamper}` : ''})`,
  async run(ctx, step) {
    await ctx.esia.authorize(step);
  },
});
