/*
 * Sign-in policies (A9): an organisation, or a relying party (client), may fix the methods its
 * users sign in with. A method is `password` (password, then a second factor: SMS code, app code or
 * security key), `esign` (electronic signature: the signing plugin or a TLS client certificate) or
 * `biometric` («Войти по биометрии», no password); the list is open (unknown names are shown as
 * they are). Pure: no I/O.
 */
import { EsiaError } from '../errors/esia_error.ts';

export type SignInMethod = 'password' | 'esign' | (string & {});

export const methodLabels: Record<string, string> = {
  password: 'пароль и код из СМС',
  esign: 'электронная подпись',
  biometric: 'вход по биометрии',
};

export interface Organisation {
  id: string;
  name: string;
  /** Methods its members may use; absent = any. */
  allowed_methods?: SignInMethod[];
  /** Persona keys of its members. */
  members: string[];
}

export interface PolicySources {
  /** The organisation the account belongs to, if any. */
  organisation?: Organisation;
  /** The client's allowed methods (config/clients.json `allowed_methods`, or set per run), if any. */
  clientMethods?: SignInMethod[];
  clientName: string;
}

export function describeMethods(methods: readonly string[]): string {
  return methods.map((m) => methodLabels[m] ?? m).join(', ');
}

/** Throws `policy.client_method_not_allowed` when the client does not accept this method. */
export function assertClientAllows(
  method: SignInMethod,
  sources: Pick<PolicySources, 'clientMethods' | 'clientName'>,
): void {
  const allowed = sources.clientMethods;
  if (allowed && !allowed.includes(method)) {
    throw new EsiaError('policy.client_method_not_allowed', {
      client: sources.clientName,
      method,
      allowed,
      lines: [`Система: «${sources.clientName}»`, `Разрешённые способы входа: ${describeMethods(allowed)}`],
    });
  }
}

/** Throws `policy.method_not_allowed` when the account's organisation forbids this method. */
export function assertOrganisationAllows(method: SignInMethod, organisation: Organisation | undefined): void {
  const allowed = organisation?.allowed_methods;
  if (organisation && allowed && !allowed.includes(method)) {
    throw new EsiaError('policy.method_not_allowed', {
      organisation: organisation.id,
      method,
      allowed,
      lines: [`Организация: ${organisation.name}`, `Разрешённые способы входа: ${describeMethods(allowed)}`],
    });
  }
}

/** Whether any rule in force for this client forbids the password (the login page then offers only the signature). */
export function clientForbidsPassword(clientMethods: readonly string[] | undefined): boolean {
  return !!clientMethods && !clientMethods.includes('password');
}
