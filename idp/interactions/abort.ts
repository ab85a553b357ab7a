/*
 * «Отмена» or «Вернуться в систему»: the sign-in ends and the relying party receives access_denied.
 * Leaving from an error screen names that failure in error_description, so the system's developers
 * see why (e.g. "account.locked: Учётная запись заблокирована").
 */
import { catalogue, isErrorCode } from '../errors/catalogue.ts';
import { outageDescription } from '../domain/outage.ts';
import { outageCode, outageNow } from './outage.ts';
import { field, type Step } from './step.ts';

export async function abortStep(step: Step): Promise<void> {
  const { ctx, s } = step;
  ctx.state.audit.action = 'login.abort';
  const reason = field(ctx, 'reason');
  let description = isErrorCode(reason) ? `${reason}: ${catalogue[reason].title}` : 'Пользователь отменил вход';
  // Leaving an outage screen (E3) tells the system the service is unavailable, not that the user refused.
  const outage = outageNow(step.run);
  const error =
    outage && isErrorCode(reason) && reason === outageCode(outage) ? 'temporarily_unavailable' : 'access_denied';
  if (outage && error === 'temporarily_unavailable') description = `${description}. ${outageDescription(outage)}`;
  await s.journeys.end(step.uid);
  await s.provider.interactionFinished(
    ctx.req,
    ctx.res,
    { error, error_description: description },
    { mergeWithLastSubmission: false },
  );
  ctx.respond = false;
}
