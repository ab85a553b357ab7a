/*
 * «Отмена» or «Вернуться в систему»: the sign-in ends and the relying party receives access_denied.
 * Leaving from an error screen names that failure in error_description, so the system's developers
 * see why (e.g. "account.locked: Учётная запись заблокирована").
 */
import { catalogue, isErrorCode } from '../errors/catalogue.ts';
import { field, type Step } from './step.ts';

export async function abortStep(step: Step): Promise<void> {
  const { ctx, s } = step;
  ctx.state.audit.action = 'login.abort';
  const reason = field(ctx, 'reason');
  const description = isErrorCode(reason) ? `${reason}: ${catalogue[reason].title}` : 'Пользователь отменил вход';
  s.journeys.end(step.uid);
  await s.provider.interactionFinished(ctx.req, ctx.res, { error: 'access_denied', error_description: description }, { mergeWithLastSubmission: false });
  ctx.respond = false;
}
