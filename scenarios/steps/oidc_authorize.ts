/* A third-party OIDC system (no first_party) starts a sign-in; its redirect_uri is the stand's capture page ("sys"). */
import { z } from 'zod';
import { oidcAuthorize as authorize } from '../runner/oidc_steps.ts';
import { defineStep } from './kind.ts';

export const oidcAuthorize = defineStep({
  kind: 'oidcAuthorize',
  description:
    'A third-party system (no first_party) starts an OIDC sign-in; its redirect_uri is the capture page ("sys").',
  fields: {
    scope: z.string({ error: 'expected the scope as a string, e.g. "openid profile"' }).optional(),
    prompt: z.string({ error: 'expected the prompt as a string, e.g. "consent"' }).optional(),
  },
  describeRu: (step) =>
    `Сторонняя система «Запись к врачу» отправляет пользователя на вход через Госуслуги (OIDC${step.prompt ? `, prompt=${step.prompt}` : ''})`,
  async run(ctx, step) {
    await authorize(ctx.stand, ctx.control, ctx.browser, step);
  },
});
