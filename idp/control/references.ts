/*
 * Reference codes of other systems (E1): a relying party's error screen shows a code in the
 * emulator's format and reports it here, so the support console finds it like the emulator's own
 * codes. The record joins the audit journal with the system it came from and that system's own
 * catalogue texts (what the person read, what support should say): the emulator does not know
 * another system's errors, so it keeps what was sent.
 *   POST /__control/references {ref, system, systemTitle?, code, status, title, message, remedy?, support?, method?, path?, at?, ip?, snils?, detail?}
 */
import type Router from '@koa/router';
import type { Context } from 'koa';
import { formatSnils } from '../domain/identifiers.ts';
import { foreignErrorAction, normaliseReference, referenceAlphabet } from '../errors/reference.ts';
import type { Services } from '../services.ts';
import { ControlError, type ControlHelpers } from './inputs.ts';

export const referenceEndpoints = [
  'POST /__control/references {ref, system, code, status, title, message, remedy?, support?, method?, path?, at?, ip?, snils?, detail?}: journals an error screen of another system (a relying party) so the support console finds its code',
];

const bad = (message: string) => new ControlError(400, 'control.bad_reference', message);

function text(b: Record<string, unknown>, field: string, max: number, required: boolean): string | undefined {
  const value = b[field];
  if (value === undefined && !required) return undefined;
  if (typeof value !== 'string' || (required && value.trim() === '') || value.length > max)
    throw bad(
      `"${field}" must be ${required ? 'a non-empty' : 'a'} string of at most ${max} characters; got ${JSON.stringify(value)?.slice(0, 80)}.`,
    );
  return value;
}

export function referenceControlRoutes(router: Router, s: Services, { runOf, body }: ControlHelpers): void {
  router.post('/references', (ctx: Context) => {
    const run = runOf(ctx);
    const b = body(ctx);
    const typed = text(b, 'ref', 32, true)!;
    const ref = normaliseReference(typed);
    if (!ref)
      throw bad(
        `"ref" is not a reference code: expected 8 characters of ${referenceAlphabet} as XXXX-XXXX (lib/reference_code.ts); got "${typed}".`,
      );
    const system = text(b, 'system', 64, true)!;
    if (!/^[A-Za-z0-9_.-]+$/.test(system))
      throw bad(`"system" must be the system's client_id or mnemonic (letters, digits, _ . -); got "${system}".`);
    const code = text(b, 'code', 64, true)!;
    const status = b.status;
    if (typeof status !== 'number' || !Number.isInteger(status) || status < 100 || status > 599)
      throw bad(`"status" must be the HTTP status of the error page (100–599); got ${JSON.stringify(status)}.`);
    const at = text(b, 'at', 40, false);
    if (at !== undefined && Number.isNaN(Date.parse(at))) throw bad(`"at" must be an ISO instant; got "${at}".`);
    const snils = text(b, 'snils', 20, false)?.replace(/\D/g, '');
    const account =
      snils?.length === 11 ? run.accounts.all().find((a) => a.snils === formatSnils(snils))?.oid : undefined;
    const details = Object.fromEntries(
      [
        ['systemTitle', text(b, 'systemTitle', 200, false)],
        ['title', text(b, 'title', 500, true)],
        ['message', text(b, 'message', 2000, true)],
        ['remedy', text(b, 'remedy', 2000, false)],
        ['support', text(b, 'support', 2000, false)],
        ['method', text(b, 'method', 10, false)],
        ['path', text(b, 'path', 500, false)],
        ['seenAt', at],
        ['detail', text(b, 'detail', 2000, false)],
        ['reportedFrom', ctx.ip],
      ].filter(([, v]) => v !== undefined),
    );
    s.audit(
      {
        ip: text(b, 'ip', 64, false) ?? ctx.ip,
        action: foreignErrorAction,
        outcome: status >= 500 ? 'error' : 'refused',
        client: system,
        status,
        code,
        ref,
        ...(account ? { account } : {}),
        details,
      },
      run,
    );
    ctx.status = 201;
    ctx.body = { journaled: ref, system, run: run.id };
  });
}
