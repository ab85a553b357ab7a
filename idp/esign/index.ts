/*
 * Electronic signature, step-up and organisation policies (A4, A5, A8, A9): what the sign-in
 * screens, the plugin stand-in and the control API share. Built once in app.ts (Services.esign).
 */
import { personVariants, type PersonVariant, type TestPki } from '../../lib/pki/test_pki.ts';
import type { Account } from '../domain/account.ts';
import type { Organisation, SignInMethod } from '../domain/policy.ts';
import type { Run } from '../runs.ts';
import type { VirtualToken } from './token.ts';

export interface EsignOptions {
  organisations: Organisation[];
  /** client_id → allowed methods from the clients file (`allowed_methods`). */
  clientMethods: Map<string, SignInMethod[]>;
  pki: TestPki;
}

export class EsignServices {
  /** Origin of the HTTPS listener (mutual TLS sign-in), once it runs. */
  tlsOrigin?: string;

  constructor(readonly options: EsignOptions) {}

  organisationOf(account: Account): Organisation | undefined {
    return this.options.organisations.find((o) => o.members.includes(account.persona));
  }

  /** The client's allowed methods: this run's rule (control API) over the clients file's. */
  clientMethods(run: Run, clientId: string): SignInMethod[] | undefined {
    return run.esign.clientMethods.get(clientId) ?? this.options.clientMethods.get(clientId);
  }

  /** Registers a client's rule from runtime registration (POST /__control/clients). */
  setClientDefault(clientId: string, methods: SignInMethod[] | undefined): void {
    if (methods) this.options.clientMethods.set(clientId, methods);
    else this.options.clientMethods.delete(clientId);
  }

  /**
   * The run's virtual token. After a reset it holds the certificates of personas whose fixtures say
   * `esignToken` (a token "ready" on this machine), so a person sees them at once.
   */
  tokenOf(run: Run): VirtualToken {
    const state = run.esign;
    if (!state.prepared) {
      state.prepared = true;
      for (const account of run.accounts.all()) {
        const variant = account.esignToken;
        if (variant) this.handToToken(run, account.persona, variant);
      }
    }
    return state.token;
  }

  /** Puts a persona's certificate (any variant) with its key on the run's token, as the control API does. */
  handToToken(run: Run, persona: string, variant: PersonVariant | 'orphan') {
    const issued = variant === 'orphan' ? this.options.pki.certificateFor('nobody', 'valid') : this.options.pki.certificateFor(persona, variant);
    return run.esign.token.add(issued.certificatePem, issued.privateKeyPem, 'control', `${variant === 'orphan' ? 'nobody' : persona}-${variant}`);
  }
}

export const tokenVariants = [...personVariants, 'orphan'] as const;
