/*
 * What the console's routes share (router.ts builds it once): the services, the form reader, the
 * role check, the account of a path, rendering, a refusal inside a form, and the outage panel.
 */
import type { Context, Middleware } from 'koa';
import type { Account } from '../domain/account.ts';
import type { ErrorCode } from '../errors/catalogue.ts';
import type { Run } from '../runs.ts';
import type { Services } from '../services.ts';
import type { Failure } from '../views/failure.ts';
import type { SupportAction } from './operators.ts';
import type { ConsoleSession } from './sessions.ts';
import type { ConsoleUser, OutageView } from './views.ts';

export interface ConsoleParts {
  s: Services;
  /** Reads a console form (its token checked). */
  form: Middleware;
  /** The session allowed to do `action`, or undefined once the browser was sent to sign in. */
  allow(ctx: Context, action: SupportAction): Promise<{ session: ConsoleSession; run: Run } | undefined>;
  accountOf(run: Run, key: string): Account;
  render(ctx: Context, page: { value: string }): void;
  refusal(ctx: Context, code: ErrorCode, details: Record<string, unknown>): Failure;
  outageOf(run: Run, refused?: Pick<OutageView, 'failure' | 'form'>): OutageView;
}

export function userOf(session: ConsoleSession): ConsoleUser {
  return { login: session.login, name: session.name, role: session.role, run: session.run, csrf: session.csrf };
}
