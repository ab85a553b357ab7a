/* The ESIA face as the rest of the emulator holds it (Services.esia): its systems, tokens and diagnostics. Imports no services. */
import type { Diagnostics } from './diagnostics.ts';
import type { EsiaSystem, SystemRegistry } from './systems.ts';
import type { TokenService } from './tokens.ts';

export interface EsiaFace {
  registry: SystemRegistry;
  tokens: TokenService;
  diagnostics: Diagnostics;
  /** Registers the oidc-provider client behind a system (its sign-in screens). */
  registerInternalClient(system: EsiaSystem): Promise<void>;
}
