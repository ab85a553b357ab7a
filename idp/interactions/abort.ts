/* «Отмена» or «Вернуться в систему»: the sign-in ends and the relying party receives access_denied. */
import type { Step } from './step.ts';

export async function abortStep(step: Step): Promise<void> {
  const { ctx, s } = step;
  ctx.state.audit.action = 'login.abort';
  s.journeys.end(step.uid);
  await s.provider.interactionFinished(
    ctx.req,
    ctx.res,
    { error: 'access_denied', error_description: 'Пользователь отменил вход или вернулся из-за ошибки' },
    { mergeWithLastSubmission: false },
  );
  ctx.respond = false;
}
