/* ESIA face: the system posts a token request; the answer is checked by the step, the page stays. */
import { z } from 'zod';
import { defineStep } from './kind.ts';
import { esiaRequestFields } from './esia_request.ts';

export const esiaToken = defineStep({
  kind: 'esiaToken',
  description:
    'ESIA face: the system posts a token request (the code from its callback page); expect.error is the ESIA code or "none", expect.status the HTTP status.',
  fields: {
    ...esiaRequestFields,
    grant: z.enum(['authorization_code', 'refresh_token', 'client_credentials']).optional(),
  },
  describeRu: (step) =>
    `Система обменивает код на маркеры (${step.version === 'v1' ? '/te' : '/v3/te'}${step.tamper ? `, намеренно испорчен: ${step.tamper}` : ''}) — проверяется автотестом`,
  // A server-to-server call: its answer is checked by the step itself, the page stays.
  checksOwnExpect: true,
  async run(ctx, step, where) {
    await ctx.esia.token(step, where);
  },
});
