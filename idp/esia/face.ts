/*
 * What every endpoint of the ESIA face works with: the face itself (systems, tokens, diagnostics),
 * the emulator's services, and the browser sign-ins in flight between /ac, the sign-in screens and
 * the consent screen.
 */
import type { Context } from 'koa';
import { type Run, runCookie } from '../runs.ts';
import type { Services } from '../services.ts';
import type { Params } from './protocol.ts';
import type { SignIns } from './sign_ins.ts';
import type { EsiaFace } from './face_handle.ts';
import type { EsiaSettings, SystemRegistry } from './systems.ts';
import type { TokenService } from './tokens.ts';

export type { EsiaFace } from './face_handle.ts';

export const internalClientId = (clientId: string) => `esia:${clientId}`;
export const returnPath = '/aas/oauth2/_return';

/** One per router: the endpoints' shared view of the face. */
export interface Esia {
  s: Services;
  face: EsiaFace;
  registry: SystemRegistry;
  tokens: TokenService;
  settings: EsiaSettings;
  /** The emulator's issuer without its trailing slash. */
  issuerOrigin: string;
  signIns: SignIns;
  /** The run of this browser (its esia_run cookie), or the main run. */
  browserRun(ctx: Context): Run;
}

/** One endpoint of the face: a Koa handler with the face at hand (routes.ts binds it). */
export type Endpoint = (ctx: Context, e: Esia) => unknown;

export function esiaOf(s: Services, face: EsiaFace): Esia {
  return {
    s,
    face,
    registry: face.registry,
    tokens: face.tokens,
    settings: face.registry.settings,
    issuerOrigin: s.provider.issuer.replace(/\/$/, ''),
    signIns: face.signIns,
    browserRun: (ctx) => s.runs.get(ctx.cookies.get(runCookie, { signed: false })) ?? s.runs.main,
  };
}

/** A query or form as single strings: the first of repeated values (readParams is the strict reading). */
export function firstValues(source: Record<string, unknown>): Params {
  // Anything but text counts as empty: String() of a deeply nested JSON list overflows the stack.
  const text = (v: unknown) => (typeof v === 'string' ? v : '');
  return Object.fromEntries(Object.entries(source).map(([k, v]) => [k, Array.isArray(v) ? text(v[0]) : text(v)]));
}
