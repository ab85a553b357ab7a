/* The ESIA face as the rest of the emulator holds it (Services.esia): its systems, tokens and diagnostics. Imports no services. */
import type { Diagnostics } from './diagnostics.ts';
import type { EsiaSystem, SystemRegistry } from './systems.ts';
import type { SignIns } from './sign_ins.ts';
import type { TokenService } from './tokens.ts';

export interface EsiaFace {
  registry: SystemRegistry;
  tokens: TokenService;
  /** Browser sign-ins in flight and the consents given (sign_ins.ts). */
  signIns: SignIns;
  diagnostics: Diagnostics;
  /** Registers the oidc-provider client behind a system (its sign-in screens). */
  registerInternalClient(system: EsiaSystem): Promise<void>;
}
