/*
 * How the ESIA face refuses: a reference code (X-Esia-Reference header, audit journal, log, and a
 * developer page at /__control/esia/diagnostics/:ref), then the answer the protocol expects at
 * that point: a redirect to the system with error and state, a JSON error, or an error page.
 * Endpoints throw EsiaProtocolError.at(…); the error boundary calls answerRefusal().
 */
import type { Context } from 'koa';
import { isInForce, outageDescription, retryAfter } from '../domain/outage.ts';
import { newReference } from '../errors/reference.ts';
import type { Run } from '../runs.ts';
import { esiaErrorPage } from './diagnostics.ts';
import { EsiaProtocolError, type Outcome, type RefusalAnswer } from './errors.ts';
import type { EsiaFace } from './face_handle.ts';
import type { Params } from './protocol.ts';

export type { Outcome } from './errors.ts';

/** The protocol's answer to a refusal thrown with at(); `log`: whether to print it. */
export function answerRefusal(
  ctx: Context,
  error: EsiaProtocolError,
  answer: RefusalAnswer,
  face: EsiaFace,
  log: boolean,
): void {
  const { endpoint, params, outcome } = answer;
  const ref = newReference();
  if ('rest' in outcome) {
    // The person REST API: ESIA's {code, message}; the reference and the diagnosis go in headers, not to the developer page.
    Object.assign(ctx.state.audit, {
      action: `esia ${ctx.method} /rs`,
      outcome: 'refused',
      code: error.code,
      ref,
      details: { diagnosis: error.diagnosis },
    });
    if (log) console.log(`[esia-emulator] ${ctx.path} refused ${error.code} (${ref}): ${error.diagnosis}`);
    ctx.set('X-Esia-Reference', ref);
    ctx.set('X-Esia-Diagnosis', encodeURIComponent(error.diagnosis));
    ctx.status = error.status;
    ctx.body = { code: error.code, message: error.error };
    return;
  }
  const d = face.diagnostics.record(ref, endpoint, error, params);
  Object.assign(ctx.state.audit, {
    action: `esia ${endpoint}`,
    outcome: 'refused',
    code: error.code,
    ref,
    client: params.client_id,
    details: { diagnosis: error.diagnosis, ...error.evidence },
  });
  if (log) console.log(`[esia-emulator] ${endpoint} refused ${error.code} (${ref}): ${error.diagnosis}`);
  ctx.set('X-Esia-Reference', ref);
  // ESIA-007008 (E3): the expected recovery time goes with it (Retry-After, available_at).
  const availableAt =
    error.code === 'ESIA-007008' && typeof error.evidence.until === 'string' ? error.evidence.until : undefined;
  if (error.code === 'ESIA-007008' && typeof error.evidence.retryAfter === 'string')
    ctx.set('Retry-After', error.evidence.retryAfter);
  if ('redirect' in outcome) {
    const url = new URL(outcome.redirect);
    url.searchParams.set('error', error.error);
    url.searchParams.set('error_description', error.description);
    if (outcome.state !== undefined) url.searchParams.set('state', outcome.state);
    if (availableAt) url.searchParams.set('available_at', availableAt);
    ctx.status = 302;
    ctx.redirect(url.href);
  } else if ('json' in outcome && error.code === 'ESIA-007008') {
    ctx.status = 503;
    ctx.set('Cache-Control', 'no-store');
    ctx.body = {
      error: error.error,
      error_description: error.description,
      ...(outcome.state !== undefined ? { state: outcome.state } : {}),
      ...(availableAt ? { available_at: availableAt } : {}),
    };
  } else if ('json' in outcome) {
    ctx.status = 400;
    ctx.set('Cache-Control', 'no-store');
    ctx.body = {
      error: error.error,
      error_description: error.description,
      ...(outcome.state !== undefined ? { state: outcome.state } : {}),
    };
  } else {
    ctx.status = 400;
    ctx.type = 'html';
    ctx.body = esiaErrorPage(d).value;
  }
}

/** Runs an endpoint's checks; an EsiaProtocolError they throw is answered at `outcome()` (known only part-way). */
export async function refusing(
  endpoint: string,
  raw: Params,
  outcome: () => Outcome,
  checks: () => Promise<void> | void,
): Promise<void> {
  try {
    await checks();
  } catch (error) {
    if (!(error instanceof EsiaProtocolError) || error.answer) throw error;
    throw error.at(endpoint, raw, outcome());
  }
}

/** Outage mode (E3): ESIA-007008 while the run has a maintenance or outage in force. */
export function refuseDuringOutage(run: Run): void {
  const outage = run.outage;
  if (!isInForce(outage, run.clock.now())) return;
  // The notice and expected time follow in brackets, as the emulator adds details to 007004 and ESIA to 007014.
  throw new EsiaProtocolError(
    'ESIA-007008',
    `the run is in ${outage.mode} mode (POST /__control/outage): ${outageDescription(outage)}`,
    {
      mode: outage.mode,
      until: outage.until ?? undefined,
      retryAfter: retryAfter(outage),
    },
    outageDescription(outage),
  );
}
