/* The certificate screen (A4, A5, A8): a fresh challenge bound to this interaction, and why only a signature is offered when that is so. */
import { asksForSignature } from '../domain/assurance.ts';
import { describeMethods } from '../domain/policy.ts';
import { certificatePage } from '../views/certificate.ts';
import type { Failure } from '../views/failure.ts';
import { render, type Step } from './step.ts';

function noticeOf(step: Step): string | undefined {
  const { journey, s, run } = step;
  if (journey.required !== 'signature') return undefined;
  if (asksForSignature(step.params.acr_values)) {
    return `«${step.clientName}» запрашивает юридически значимое действие: подтвердите его электронной подписью.${journey.sessionAccountId ? ' Подпись должна принадлежать тому, кто уже вошёл.' : ''}`;
  }
  const methods = s.esign.clientMethods(run, journey.clientId);
  return `«${step.clientName}» принимает только: ${describeMethods(methods ?? ['esign'])}.`;
}

export function renderCertificateStage(step: Step, failure?: Failure): void {
  const { journey, run, uid, s } = step;
  journey.challenge = run.esign.issueChallenge(uid, run.clock.now(), journey.challenge);
  const tlsUrl = s.esign.tlsOrigin ? `${s.esign.tlsOrigin}/interaction/${uid}/certificate/tls` : undefined;
  render(
    step,
    certificatePage({
      uid,
      clientName: step.clientName,
      challenge: journey.challenge,
      notice: noticeOf(step),
      passwordAllowed: journey.required !== 'signature',
      ...(tlsUrl ? { tlsUrl } : {}),
      ...(failure ? { failure } : {}),
    }),
  );
}
